package quality

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx/v2/v2_3"
	"github.com/spdx/tools-golang/tagvalue"

	"github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/internal/locate"
)

func inputErr(name, msg string, err error) error {
	loc := name
	if loc == "" {
		loc = "input"
	}
	detail := msg
	if err != nil {
		detail = err.Error()
	}
	return cradle.Invalid(msg, cradle.Problem{Location: loc, Message: detail})
}

// read detects the format and turns the document into field results.
func read(name string, data []byte, p *profile) (*parsed, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	trimmed = bytes.TrimPrefix(trimmed, []byte("\xef\xbb\xbf"))
	if len(trimmed) == 0 {
		return nil, inputErr(name, "empty input is not an SBOM", nil)
	}
	switch trimmed[0] {
	case '{':
		return readJSON(name, trimmed, p)
	case '<':
		if !bytes.Contains(trimmed[:min(len(trimmed), 4096)], []byte("cyclonedx.org/schema/bom")) {
			return nil, inputErr(name, "XML input is not a CycloneDX BOM (no CycloneDX namespace)", nil)
		}
		var bom cdx.BOM
		if err := safe(func() error { return cdx.NewBOMDecoder(bytes.NewReader(trimmed), cdx.BOMFileFormatXML).Decode(&bom) }); err != nil {
			return nil, inputErr(name, "cannot read the CycloneDX XML", jsonErr(name, trimmed, err))
		}
		return fromCDX(&bom, "cyclonedx-xml", p), nil
	}
	if bytes.HasPrefix(trimmed, []byte("SPDXVersion:")) || bytes.Contains(trimmed[:min(len(trimmed), 4096)], []byte("\nSPDXVersion:")) {
		var doc *v2_3.Document
		err := safe(func() (err error) { doc, err = tagvalue.Read(bytes.NewReader(trimmed)); return err })
		if err != nil {
			return nil, inputErr(name, "cannot read the SPDX tag-value document", err)
		}
		return fromSPDX(doc, "spdx-tag-value", p), nil
	}
	return nil, inputErr(name, "unrecognised input: not CycloneDX (JSON/XML) or SPDX (JSON/tag-value)", nil)
}

func jsonErr(name string, data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%s: %v", locate.AtOffset(name, data, se.Offset), se)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("%s: %v", locate.AtOffset(name, data, te.Offset), te)
	}
	return err
}

func readJSON(name string, data []byte, p *profile) (*parsed, error) {
	head := data[:min(len(data), 64<<10)]
	iCDX := bytes.Index(head, []byte(`"bomFormat"`))
	iSPDX := bytes.Index(head, []byte(`"spdxVersion"`))
	if iCDX < 0 && iSPDX < 0 {
		// a large document may have its marker late; look everywhere
		iCDX = bytes.Index(data, []byte(`"bomFormat"`))
		iSPDX = bytes.Index(data, []byte(`"spdxVersion"`))
	}
	switch {
	case iCDX >= 0 && (iSPDX < 0 || iCDX < iSPDX):
		var bom cdx.BOM
		if err := safe(func() error { return json.Unmarshal(data, &bom) }); err != nil {
			return nil, inputErr(name, "cannot read the CycloneDX JSON", jsonErr(name, data, err))
		}
		if bom.BOMFormat != "CycloneDX" {
			return nil, inputErr(name, "bomFormat is not \"CycloneDX\"", nil)
		}
		return fromCDX(&bom, "cyclonedx-json", p), nil
	case iSPDX >= 0:
		var head struct {
			V string `json:"spdxVersion"`
		}
		if err := json.Unmarshal(data, &head); err != nil {
			return nil, inputErr(name, "cannot read the SPDX JSON", jsonErr(name, data, err))
		}
		var doc v2_3.Document
		switch head.V {
		case v2_3.Version:
			// direct: skips tools-golang's map round trip and conversion
			if err := safe(func() error { return json.Unmarshal(data, &doc) }); err != nil {
				return nil, inputErr(name, "cannot read the SPDX JSON", jsonErr(name, data, err))
			}
		case "SPDX-2.1", "SPDX-2.2":
			if err := safe(func() error { return spdxjson.ReadInto(bytes.NewReader(data), &doc) }); err != nil {
				return nil, inputErr(name, "cannot read the SPDX JSON", jsonErr(name, data, err))
			}
		default:
			return nil, cradle.Invalid("unsupported SPDX version",
				cradle.Problem{Location: locate.AtPath(name, "/spdxVersion"), Message: fmt.Sprintf("%q: only SPDX-2.1 to SPDX-2.3 are read", head.V)})
		}
		return fromSPDX(&doc, "spdx-json", p), nil
	}
	if bytes.Contains(head, []byte(`"@context"`)) && bytes.Contains(head, []byte("spdx.org/rdf/3")) {
		return fromSPDX3(name, data, p)
	}
	return nil, inputErr(name, "unrecognised JSON: neither CycloneDX (bomFormat) nor SPDX (spdxVersion)", nil)
}

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// safe runs a format library's decoder: they are not hardened against every
// input, and a panic in them is bad input, not a crash of the caller. Our
// own checks run outside, so the fuzzer still sees their panics.
func safe(decode func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("reader failed: %v", r)
		}
	}()
	return decode()
}
