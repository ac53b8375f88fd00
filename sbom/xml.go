package sbom

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/internal/locate"
)

// CycloneDX XML is validated by strict decoding plus checkXML, not by
// re-encoding the decoded BOM as JSON and running the JSON schema over it.
// We tried that, and it is not sound: the library's model does not carry
// everything across (valid-evidence-1.5.xml and valid-attestation-1.6.xml,
// both valid, come out of the round trip with empty strings and the wrong
// shapes and fail the schema), and what the model drops (a missing <name>
// versus an empty one, a second <id> in a <license>, an empty bom-ref
// attribute) is exactly what several invalid-*.xml tests are about. Go has
// no XSD validator, so checkXML walks the XML tokens and enforces, with
// line and column, a chosen subset of the XSD's rules: those on the fields
// cradle reads, and those the CycloneDX test suite exercises. The enums and
// patterns are the ones the JSON schemas of the same versions use
// (TestXMLRulesMatchSchemas keeps them in step).

var (
	componentTypes12 = []string{"application", "framework", "library", "container", "operating-system", "device", "firmware", "file"}
	componentTypes15 = []string{"application", "framework", "library", "container", "platform", "operating-system", "device", "device-driver", "firmware", "file", "machine-learning-model", "data"}
	componentTypes16 = append(slices.Clone(componentTypes15), "cryptographic-asset")

	hashAlgs    = []string{"MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512", "SHA3-256", "SHA3-384", "SHA3-512", "BLAKE2b-256", "BLAKE2b-384", "BLAKE2b-512", "BLAKE3"}
	hashContent = regexp.MustCompile(`^([a-fA-F0-9]{32}|[a-fA-F0-9]{40}|[a-fA-F0-9]{64}|[a-fA-F0-9]{96}|[a-fA-F0-9]{128})$`)
	serialRE    = regexp.MustCompile(`^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

	scopes     = []string{"required", "optional", "excluded"}
	dataFlows  = []string{"inbound", "outbound", "bi-directional", "unknown"}
	patchTypes = []string{"unofficial", "monkey", "backport", "cherry-pick"}
	issueTypes = []string{"defect", "enhancement", "security"}
	acks       = []string{"declared", "concluded"}
)

// componentTypes are the component types of a CycloneDX version; 1.0 and
// 1.1, which have no JSON schema, get 1.2's (two types more lenient).
func componentTypes(spec string) []string {
	switch spec {
	case "1.5":
		return componentTypes15
	case "1.6":
		return componentTypes16
	}
	return componentTypes12
}

type xmlFrame struct {
	name     string
	attrs    map[string]string
	children map[string]int
	text     strings.Builder
	keep     bool // collect text: only for the short values that are checked
	line     int
	col      int
}

// checkXML enforces the XSD rules described above. Elements in other
// namespaces are extensions the XSD allows; they are skipped.
func checkXML(d *document) []cradle.Problem {
	ns := cycloneDXNamespace + d.spec
	var problems []cradle.Problem
	at := func(f *xmlFrame) string { return locate.AtPos(d.name, f.line, f.col) }
	report := func(f *xmlFrame, format string, args ...any) {
		if len(problems) < maxProblems {
			problems = append(problems, cradle.Problem{Location: at(f), Message: fmt.Sprintf(format, args...)})
		}
	}
	oneOf := func(f *xmlFrame, what, got string, want []string) {
		if !slices.Contains(want, got) {
			report(f, "%s: expected one of %s, found %s", what, quotedList(want), locate.Quote(got))
		}
	}
	newer := d.spec >= "1.5" // refType gained minLength 1 in 1.5

	dec := xml.NewDecoder(bytes.NewReader(d.data))
	var stack []*xmlFrame
	for {
		line, col := dec.InputPos()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return problems
		}
		if err != nil {
			// Decoding has succeeded already, so this cannot happen; if it
			// does, the decoder's error is the better report.
			return problems
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Space != ns {
				if err := dec.Skip(); err != nil {
					return problems
				}
				continue
			}
			f := &xmlFrame{name: t.Name.Local, attrs: map[string]string{}, children: map[string]int{}, line: line, col: col}
			for _, a := range t.Attr {
				if a.Name.Space == "" || a.Name.Space == ns {
					f.attrs[a.Name.Local] = a.Value
				}
			}
			parent := ""
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children[f.name]++
				parent = p.name
			}
			switch f.name {
			case "hash", "scope", "timestamp", "id", "name":
				f.keep = true
			}
			if ref, ok := f.attrs["bom-ref"]; ok && ref == "" && newer {
				report(f, "<%s bom-ref>: expected a non-empty bom-ref, found an empty one", f.name)
			}
			if enc, ok := f.attrs["encoding"]; ok {
				oneOf(f, "<"+f.name+" encoding>", enc, []string{"base64"})
			}
			if a, ok := f.attrs["acknowledgement"]; ok && (f.name == "license" || f.name == "expression") {
				oneOf(f, "<"+f.name+" acknowledgement>", a, acks)
			}
			switch {
			case f.name == "bom" && len(stack) == 0:
				if s, ok := f.attrs["serialNumber"]; ok && !serialRE.MatchString(s) {
					report(f, "<bom serialNumber>: expected urn:uuid: and a lower-case UUID, found %s", locate.Quote(s))
				}
			case f.name == "component":
				if typ, ok := f.attrs["type"]; !ok {
					report(f, "<component>: expected the required attribute type, found none")
				} else {
					oneOf(f, "<component type>", typ, componentTypes(d.spec))
				}
			case f.name == "hash":
				oneOf(f, "<hash alg>", f.attrs["alg"], hashAlgs)
			case f.name == "swid":
				for _, a := range []string{"tagId", "name"} {
					if _, ok := f.attrs[a]; !ok {
						report(f, "<swid>: expected the required attribute %s, found none", a)
					}
				}
			case f.name == "property" && parent == "properties":
				if _, ok := f.attrs["name"]; !ok {
					report(f, "<property>: expected the required attribute name, found none")
				}
			case f.name == "classification" && parent == "data":
				if flow, ok := f.attrs["flow"]; ok {
					oneOf(f, "<classification flow>", flow, dataFlows)
				}
			case f.name == "patch" && parent == "patches":
				oneOf(f, "<patch type>", f.attrs["type"], patchTypes)
			case f.name == "issue" && parent == "resolves":
				oneOf(f, "<issue type>", f.attrs["type"], issueTypes)
			case f.name == "dependency":
				if ref, ok := f.attrs["ref"]; !ok || ref == "" {
					report(f, "<dependency>: expected a ref attribute naming a component, found none")
				}
			}
			stack = append(stack, f)
		case xml.CharData:
			if len(stack) > 0 {
				if f := stack[len(stack)-1]; f.keep && f.text.Len() < 4096 {
					f.text.Write(t)
				}
			}
		case xml.EndElement:
			if len(stack) == 0 {
				continue
			}
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			parent := ""
			if len(stack) > 0 {
				parent = stack[len(stack)-1].name
			}
			text := strings.TrimSpace(f.text.String())
			switch {
			case f.name == "component":
				if n := f.children["name"]; n != 1 {
					report(f, "<component>: expected one <name>, found %d", n)
				}
			case f.name == "hash" && !hashContent.MatchString(text):
				report(f, "<hash>: expected a hexadecimal digest of 32, 40, 64, 96 or 128 digits, found %s", locate.Quote(text))
			case f.name == "scope" && parent == "component":
				oneOf(f, "<scope>", text, scopes)
			case f.name == "timestamp" && parent == "metadata":
				if !xsdDateTime.MatchString(text) {
					report(f, "<timestamp>: expected a date and time like 2024-05-01T12:00:00Z, found %s", locate.Quote(text))
				}
			case f.name == "id" && parent == "license":
				if _, ok := spdxLicenseIDs()[strings.ToLower(text)]; !ok {
					report(f, "<license><id>: expected an SPDX licence ID, found %s (use <name> for other licences)", locate.Quote(text))
				}
			case f.name == "license" && parent == "licenses":
				ids, names := f.children["id"], f.children["name"]
				switch {
				case ids+names == 0:
					report(f, "<license>: expected an <id> or a <name>, found neither")
				case ids > 0 && names > 0:
					report(f, "<license>: expected an <id> or a <name>, found both")
				case ids > 1 || names > 1:
					report(f, "<license>: expected one <id> or <name>, found %d", ids+names)
				}
			case f.name == "licenses":
				if ex := f.children["expression"]; ex > 1 || ex == 1 && f.children["license"] > 0 {
					report(f, "<licenses>: expected either <license> elements or a single <expression>, found %d <license> and %d <expression>", f.children["license"], ex)
				}
			}
		}
	}
}

// xsdDateTime is XML Schema's dateTime: the time zone is optional.
var xsdDateTime = regexp.MustCompile(`^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$`)
