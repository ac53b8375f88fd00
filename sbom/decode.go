package sbom

import (
	"bytes"
	"fmt"
	"path"
	"strings"

	cradle "github.com/cradle-sdl/cradle"
)

// Decode detects the format of data, validates it (against the JSON Schema
// for JSON formats) and normalises it. name is the file name used in error
// locations (may be ""). Every rejection is an EInvalid *cradle.Error whose
// Problems say where and what; things worth knowing that do not make the
// document unusable (dependency cycles, duplicate identical components,
// nameless purl placeholders) are returned in SBOM.Warnings.
func Decode(name string, data []byte) (s *cradle.SBOM, err error) {
	defer func() {
		// The third-party parsers are fuzzed through this function, but a
		// panic on a crafted upload must not take the server down.
		if r := recover(); r != nil {
			s, err = nil, cradle.Invalid(subject(name)+" could not be read",
				cradle.Problem{Location: atFile(name), Message: fmt.Sprintf("the parser failed: %v", r)})
		}
	}()
	// SPDX JSON is decoded twice (generically for detection and the
	// schema, and into the SPDX model); on two cores the second can start
	// now and overlap with the first.
	var early <-chan spdxDecoded
	if trimmed := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")); looksLikeSPDXJSON(trimmed) {
		early = startSPDXDecode(trimmed)
	}
	d, err := sniff(name, data)
	if err != nil {
		return nil, err
	}
	if d.format == cradle.FormatSPDX && d.encoding == EncodingJSON {
		d.spdx = early
	}
	if err := checkExtension(d); err != nil {
		return nil, err
	}
	if d.format == cradle.FormatCycloneDX {
		return decodeCycloneDX(d)
	}
	return decodeSPDX(d)
}

func subject(name string) string {
	if name == "" {
		return "the document"
	}
	return name
}

// checkExtension rejects a file whose name promises JSON or XML when the
// content is something else. in-the-wild/spdx/grype-sbom-modified.spdx.json
// is the reason: tag-value saved under a .json name, which says the file
// was mislabelled or mangled on the way, and importing it as if nothing
// were wrong would hide that from the person who uploaded it.
func checkExtension(d *document) error {
	want := ""
	switch strings.ToLower(path.Ext(d.name)) {
	case ".json":
		want = EncodingJSON
	case ".xml":
		want = EncodingXML
	}
	if want == "" || want == d.encoding {
		return nil
	}
	return cradle.Invalid(d.name+" does not contain what its name says",
		cradle.Problem{Location: atFile(d.name), Message: fmt.Sprintf("expected %s (the name ends in %q), found %s",
			encodingName(want), path.Ext(d.name), d.what())})
}
