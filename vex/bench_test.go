package vex_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cradle-sdl/cradle/vex"
)

// bigOpenVEX is an OpenVEX document of n statements, each about one of
// 100 products with a subcomponent.
func bigOpenVEX(n int) []byte {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"vulnerability": {"name": "CVE-2024-%d", "aliases": ["GHSA-%d"]}, "products": [{"@id": "pkg:npm/x%d@1", "subcomponents": [{"@id": "pkg:npm/y@%d"}]}], "status": "fixed"}`, i, i, i%100, i)
	}
	return []byte(openVEX(b.String()))
}

// bigCSAF is a CSAF VEX of vulns vulnerabilities, each known_affected in
// all of products products, with one remediation for a group of them all.
func bigCSAF(products, vulns int) []byte {
	var tree, ids, vs strings.Builder
	for i := range products {
		if i > 0 {
			tree.WriteString(",")
			ids.WriteString(",")
		}
		fmt.Fprintf(&tree, `{"name": "P %d", "product_id": "P%d", "product_identification_helper": {"purl": "pkg:npm/p%d@1"}}`, i, i, i)
		fmt.Fprintf(&ids, `"P%d"`, i)
	}
	for v := range vulns {
		if v > 0 {
			vs.WriteString(",")
		}
		fmt.Fprintf(&vs, `{"cve": "CVE-2024-%d", "product_status": {"known_affected": [%s]}, "remediations": [{"category": "vendor_fix", "details": "update", "group_ids": ["G"]}]}`, v, ids.String())
	}
	return []byte(csafVEX(`{"full_product_names": [`+tree.String()+`], "product_groups": [{"group_id": "G", "product_ids": [`+ids.String()+`]}]}`, vs.String()))
}

func benchmarkDecode(b *testing.B, data []byte) {
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := vex.Decode("bench.json", data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeOpenVEX10k(b *testing.B) { benchmarkDecode(b, bigOpenVEX(10000)) }

func BenchmarkDecodeCSAF(b *testing.B) { benchmarkDecode(b, bigCSAF(1000, 200)) }

func BenchmarkEncode(b *testing.B) {
	d, err := vex.Decode("bench.json", bigOpenVEX(10000))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("OpenVEX", func(b *testing.B) {
		for b.Loop() {
			if _, err := vex.EncodeOpenVEX(d); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("CycloneDX", func(b *testing.B) {
		for b.Loop() {
			if _, err := vex.EncodeCycloneDX(d, "1.6"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
