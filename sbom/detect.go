package sbom

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/internal/locate"
)

// Encodings, as reported by Detect and stored in cradle.SBOM.Encoding.
const (
	EncodingJSON     = "json"
	EncodingXML      = "xml"
	EncodingTagValue = "tag-value"
)

// Specification versions cradle reads. CycloneDX JSON exists from 1.2 on;
// XML from 1.0. SPDX JSON exists from 2.2 on; tag-value is read from 2.1 on
// (older versions are converted by the SPDX library into the 2.3 model).
var (
	cycloneDXJSONVersions = []string{"1.2", "1.3", "1.4", "1.5", "1.6"}
	cycloneDXXMLVersions  = []string{"1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6"}
	spdxJSONVersions      = []string{"2.2", "2.3"}
	spdxTagValueVersions  = []string{"2.1", "2.2", "2.3"}
)

const cycloneDXNamespace = "http://cyclonedx.org/schema/bom/"

// document is an input whose format has been recognised.
type document struct {
	name     string
	data     []byte // the input without a byte-order mark
	format   string
	encoding string
	spec     string
	tree     map[string]any // JSON documents only: parsed once, reused by the schema check
	// spdx is a decode of SPDX JSON into the SPDX model started before
	// the document was even detected (see Decode); nil when not started.
	spdx <-chan spdxDecoded
}

func (d *document) what() string {
	f := "CycloneDX"
	if d.format == cradle.FormatSPDX {
		f = "SPDX"
	}
	return fmt.Sprintf("%s %s %s document", f, d.spec, encodingName(d.encoding))
}

func encodingName(enc string) string {
	switch enc {
	case EncodingJSON:
		return "JSON"
	case EncodingXML:
		return "XML"
	}
	return enc
}

// Detect returns the format (cradle.FormatCycloneDX or cradle.FormatSPDX),
// the encoding ("json", "xml" or "tag-value") and the specification version
// ("1.6", "2.3") of data, or an EInvalid *cradle.Error saying what it found
// instead. JSON is parsed in full, so syntax errors are reported here, with
// their line and column.
func Detect(data []byte) (format, encoding, specVersion string, err error) {
	d, err := sniff("", data)
	if err != nil {
		return "", "", "", err
	}
	return d.format, d.encoding, d.spec, nil
}

func sniff(name string, data []byte) (*document, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	d := &document{name: name, data: data}
	if bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) {
		return nil, unreadable(name, cradle.Problem{Location: locate.AtPos(name, 1, 1),
			Message: "expected UTF-8 text, found a UTF-16 byte-order mark: convert the file to UTF-8"})
	}
	start := bytes.IndexFunc(data, func(r rune) bool { return !isSpace(r) })
	if start < 0 {
		return nil, unreadable(name, cradle.Problem{Location: atFile(name),
			Message: "expected a CycloneDX or SPDX document, found an empty file"})
	}
	var err error
	switch data[start] {
	case '{', '[':
		err = d.sniffJSON()
	case '<':
		err = d.sniffXML()
	default:
		err = d.sniffTagValue(start)
	}
	if err != nil {
		return nil, err
	}
	return d, nil
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

func (d *document) sniffJSON() error {
	v, err := parseJSON(d.name, d.data)
	if err != nil {
		return err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		found := "a JSON " + jsonType(v)
		if arr, ok := v.([]any); ok {
			found = fmt.Sprintf("a JSON array (of %d values; a list of SBOMs or of something else, not one SBOM)", len(arr))
		}
		return unreadable(d.name, cradle.Problem{Location: locate.AtPath(d.name, ""),
			Message: "expected a JSON object (a CycloneDX or SPDX document), found " + found})
	}
	d.tree = obj
	d.encoding = EncodingJSON
	str := func(key string) (string, bool) {
		s, ok := obj[key].(string)
		return s, ok
	}
	switch {
	case obj["bomFormat"] != nil:
		d.format = cradle.FormatCycloneDX
		if f, _ := str("bomFormat"); f != "CycloneDX" {
			return unreadable(d.name, cradle.Problem{Location: locate.AtPath(d.name, "/bomFormat"),
				Message: fmt.Sprintf(`expected "CycloneDX", found %s`, jsonValue(obj["bomFormat"]))})
		}
		v, ok := str("specVersion")
		if !ok {
			return unreadable(d.name, cradle.Problem{Location: locate.AtPath(d.name, "/specVersion"),
				Message: fmt.Sprintf("expected a CycloneDX specification version (%s), found %s",
					versionList(cycloneDXJSONVersions), jsonValue(obj["specVersion"]))})
		}
		if !slices.Contains(cycloneDXJSONVersions, v) {
			return unreadable(d.name, cradle.Problem{Location: locate.AtPath(d.name, "/specVersion"),
				Message: fmt.Sprintf("CycloneDX %s JSON is not supported: expected %s", locate.Quote(v), versionList(cycloneDXJSONVersions))})
		}
		d.spec = v
	case obj["spdxVersion"] != nil:
		d.format = cradle.FormatSPDX
		v, _ := str("spdxVersion")
		spec := strings.TrimPrefix(v, "SPDX-")
		if !strings.HasPrefix(v, "SPDX-") || !slices.Contains(spdxJSONVersions, spec) {
			return unreadable(d.name, cradle.Problem{Location: locate.AtPath(d.name, "/spdxVersion"),
				Message: fmt.Sprintf("expected an SPDX version (%s), found %s",
					versionList(prefixed("SPDX-", spdxJSONVersions)), jsonValue(obj["spdxVersion"]))})
		}
		d.spec = spec
	case obj["@context"] != nil && strings.Contains(fmt.Sprint(obj["@context"]), "spdx.org/rdf/3"):
		return unreadable(d.name, cradle.Problem{Location: locate.AtPath(d.name, "/@context"),
			Message: "SPDX 3 (JSON-LD) is not supported yet: expected SPDX 2.2 or 2.3, or CycloneDX"})
	case obj["specVersion"] != nil:
		return unreadable(d.name, cradle.Problem{Location: locate.AtPath(d.name, ""),
			Message: `expected "bomFormat": "CycloneDX" next to "specVersion", found no bomFormat`})
	default:
		return unreadable(d.name, cradle.Problem{Location: locate.AtPath(d.name, ""),
			Message: "expected a CycloneDX document (with \"bomFormat\") or an SPDX document (with \"spdxVersion\"), found a JSON object with " + keyList(obj)})
	}
	return nil
}

// parseJSON parses data into the generic form the schema validator wants
// (numbers kept as json.Number) and locates syntax errors, a truncated
// document and trailing data after the top-level value by line and column.
func parseJSON(name string, data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		var syn *json.SyntaxError
		switch {
		case errors.As(err, &syn):
			return nil, syntaxError(name, "JSON", cradle.Problem{Location: locate.AtOffset(name, data, syn.Offset-1), Message: syn.Error()})
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			return nil, syntaxError(name, "JSON", cradle.Problem{Location: locate.AtOffset(name, data, int64(len(data))),
				Message: "unexpected end of JSON: the document is truncated"})
		}
		return nil, syntaxError(name, "JSON", cradle.Problem{Location: atFile(name), Message: err.Error()})
	}
	off := dec.InputOffset()
	rest := data[off:]
	if i := bytes.IndexFunc(rest, func(r rune) bool { return !isSpace(r) }); i >= 0 {
		found := rest[i:min(len(rest), i+40)]
		return nil, syntaxError(name, "JSON", cradle.Problem{Location: locate.AtOffset(name, data, off+int64(i)),
			Message: fmt.Sprintf("expected the end of the document after the top-level JSON value, found %s", locate.Quote(string(found)))})
	}
	return v, nil
}

func syntaxError(name, lang string, p cradle.Problem) *cradle.Error {
	subject := "the document"
	if name != "" {
		subject = name
	}
	return cradle.Invalid(fmt.Sprintf("%s is not well-formed %s", subject, lang), p)
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number, float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	}
	return "object"
}

// jsonValue shows a JSON value found in a document, briefly.
func jsonValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "nothing"
	case string:
		return locate.Quote(v)
	case json.Number:
		return v.String()
	case bool:
		return fmt.Sprint(v)
	}
	return "a JSON " + jsonType(v)
}

func keyList(obj map[string]any) string {
	if len(obj) == 0 {
		return "no keys"
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	more := ""
	if len(keys) > 6 {
		more = fmt.Sprintf(" and %d more", len(keys)-6)
		keys = keys[:6]
	}
	for i, k := range keys {
		keys[i] = locate.Quote(k)
	}
	return "keys " + strings.Join(keys, ", ") + more
}

func versionList(vs []string) string {
	if len(vs) == 1 {
		return vs[0]
	}
	return strings.Join(vs[:len(vs)-1], ", ") + " or " + vs[len(vs)-1]
}

func prefixed(p string, vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = p + v
	}
	return out
}

func (d *document) sniffXML() error {
	dec := xml.NewDecoder(bytes.NewReader(d.data))
	for {
		line, col := dec.InputPos()
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return unreadable(d.name, cradle.Problem{Location: atFile(d.name),
					Message: "expected a CycloneDX <bom> element, found an XML document without elements"})
			}
			line, col := dec.InputPos()
			return syntaxError(d.name, "XML", cradle.Problem{Location: locate.AtPos(d.name, line, col), Message: xmlMessage(err)})
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		loc := locate.AtPos(d.name, line, col)
		ns := se.Name.Space
		switch {
		case se.Name.Local == "bom" && strings.HasPrefix(ns, cycloneDXNamespace):
			v := strings.TrimPrefix(ns, cycloneDXNamespace)
			if !slices.Contains(cycloneDXXMLVersions, v) {
				return unreadable(d.name, cradle.Problem{Location: loc,
					Message: fmt.Sprintf("expected the namespace of CycloneDX %s (%s%s), found %s", versionList(cycloneDXXMLVersions), cycloneDXNamespace, cycloneDXXMLVersions[len(cycloneDXXMLVersions)-1], locate.Quote(ns))})
			}
			d.format, d.encoding, d.spec = cradle.FormatCycloneDX, EncodingXML, v
			return nil
		case se.Name.Local == "bom":
			return unreadable(d.name, cradle.Problem{Location: loc,
				Message: fmt.Sprintf("expected a <bom> element in a CycloneDX namespace (%s1.6), found the namespace %s", cycloneDXNamespace, locate.Quote(ns))})
		case se.Name.Local == "RDF" || se.Name.Local == "Document" || se.Name.Local == "SpdxDocument" || strings.Contains(ns, "spdx.org"):
			return unreadable(d.name, cradle.Problem{Location: loc,
				Message: "SPDX XML and RDF/XML are not supported: expected SPDX as JSON or tag-value, or CycloneDX"})
		}
		return unreadable(d.name, cradle.Problem{Location: loc,
			Message: fmt.Sprintf("expected a CycloneDX <bom> element, found <%s>", se.Name.Local)})
	}
}

// xmlMessage drops the "XML syntax error on line N: " prefix: the location
// says that already.
func xmlMessage(err error) string {
	var syn *xml.SyntaxError
	if errors.As(err, &syn) {
		return syn.Msg
	}
	return err.Error()
}

// sniffTagValue recognises SPDX tag-value: "Tag: value" lines, one of them
// SPDXVersion. Lines may end in \n, \r\n or a bare \r (some generators).
func (d *document) sniffTagValue(start int) error {
	first, tagged := "", false
	for i, l := range splitLines(d.data) {
		t := strings.TrimSpace(string(l.text))
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		tag, value, ok := strings.Cut(t, ":")
		if first == "" {
			first, tagged = t, ok && isTag(tag)
			if !tagged {
				break
			}
		}
		switch strings.TrimSpace(tag) {
		case "SPDXVersion":
			value = strings.TrimSpace(value)
			spec := strings.TrimPrefix(value, "SPDX-")
			if !strings.HasPrefix(value, "SPDX-") || !slices.Contains(spdxTagValueVersions, spec) {
				return unreadable(d.name, cradle.Problem{Location: locate.AtLine(d.name, i+1),
					Message: fmt.Sprintf("expected an SPDX version (%s), found %s", versionList(prefixed("SPDX-", spdxTagValueVersions)), locate.Quote(value))})
			}
			d.format, d.encoding, d.spec = cradle.FormatSPDX, EncodingTagValue, spec
			return nil
		case "spdxVersion":
			return unreadable(d.name, cradle.Problem{Location: locate.AtLine(d.name, i+1),
				Message: "SPDX YAML is not supported: expected SPDX as JSON or tag-value, or CycloneDX"})
		}
	}
	if tagged {
		return unreadable(d.name, cradle.Problem{Location: atFile(d.name),
			Message: "expected an SPDX tag-value document with an SPDXVersion line, found \"Tag: value\" lines without one"})
	}
	l, c := locate.LineCol(d.data, int64(start))
	return unreadable(d.name, cradle.Problem{Location: locate.AtPos(d.name, l, c),
		Message: fmt.Sprintf("expected JSON, XML or SPDX tag-value, found %s", locate.Quote(firstN(first, 40)))})
}

func isTag(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

func firstN(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

type textLine struct {
	text []byte
	off  int // byte offset of the line's start
}

// splitLines splits on \n, \r\n and bare \r.
func splitLines(data []byte) []textLine {
	var lines []textLine
	start := 0
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '\n':
			lines = append(lines, textLine{data[start:i], start})
			start = i + 1
		case '\r':
			lines = append(lines, textLine{data[start:i], start})
			if i+1 < len(data) && data[i+1] == '\n' {
				i++
			}
			start = i + 1
		}
	}
	if start < len(data) {
		lines = append(lines, textLine{data[start:], start})
	}
	return lines
}
