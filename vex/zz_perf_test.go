package vex_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cradle-sdl/cradle/sbom"
	"github.com/cradle-sdl/cradle/vex"
)

func TestZZPerf(t *testing.T) {
	var b strings.Builder
	n := 20000
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"vulnerability": {"name": "CVE-2024-%d", "aliases": ["GHSA-%d"]}, "products": [{"@id": "pkg:npm/x%d@1", "subcomponents": [{"@id": "pkg:npm/y@%d"}]}], "status": "fixed"}`, i, i, i%100, i)
	}
	doc := openVEX(b.String())
	start := time.Now()
	d, err := vex.Decode("big.json", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("decode openvex %d KB: %v", len(doc)>>10, time.Since(start))
	start = time.Now()
	o, err := vex.EncodeOpenVEX(d)
	t.Logf("encode openvex: %v %v", time.Since(start), err)
	start = time.Now()
	c, err := vex.EncodeCycloneDX(d, "1.6")
	t.Logf("encode cdx: %v %v %d KB", time.Since(start), err, len(c)>>10)
	start = time.Now()
	_, err = vex.Decode("big.cdx.json", c)
	t.Logf("decode cdx: %v %v", time.Since(start), err)
	start = time.Now()
	_, err = sbom.Decode("big.cdx.json", c)
	t.Logf("sbom decode cdx: %v %v", time.Since(start), err)
	_ = o
}

func TestZZPerfCSAF(t *testing.T) {
	var tree, ids, vulns strings.Builder
	np := 2000
	for i := 0; i < np; i++ {
		if i > 0 {
			tree.WriteString(",")
			ids.WriteString(",")
		}
		fmt.Fprintf(&tree, `{"name": "P %d", "product_id": "P%d", "product_identification_helper": {"purl": "pkg:npm/p%d@1"}}`, i, i, i)
		fmt.Fprintf(&ids, `"P%d"`, i)
	}
	for v := 0; v < 1000; v++ {
		if v > 0 {
			vulns.WriteString(",")
		}
		fmt.Fprintf(&vulns, `{"cve": "CVE-2024-%d", "product_status": {"known_affected": [%s]}, "remediations": [{"category": "vendor_fix", "details": "%s", "group_ids": ["G"]}]}`, v, ids.String(), strings.Repeat("x", 1000))
	}
	doc := csafVEX(`{"full_product_names": [`+tree.String()+`], "product_groups": [{"group_id": "G", "product_ids": [`+ids.String()+`]}]}`, vulns.String())
	start := time.Now()
	d, err := vex.Decode("big.json", []byte(doc))
	t.Logf("decode csaf %d KB: %v %v", len(doc)>>10, time.Since(start), err)
	if d != nil {
		t.Logf("%d statements", len(d.Statements))
	}
}
