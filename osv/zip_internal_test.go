package osv

import (
	"archive/zip"
	"bytes"
	"fmt"
	"testing"
)

// TestZipEntries checks the entry count read from the end of an archive
// against what archive/zip finds, for the classic and the ZIP64 record.
func TestZipEntries(t *testing.T) {
	build := func(n int, comment string) []byte {
		var buf bytes.Buffer
		w := zip.NewWriter(&buf)
		for i := range n {
			if _, err := w.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("%d.txt", i), Method: zip.Store}); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.SetComment(comment); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	tests := []struct {
		name string
		data []byte
		want uint64
		ok   bool
	}{
		{"empty archive", build(0, ""), 0, true},
		{"three entries", build(3, ""), 3, true},
		{"comment with a signature in it", build(3, "PK\x05\x06 looks like an end record"), 3, true},
		{"ZIP64", build(70000, ""), 70000, true},
		{"not a zip", []byte("just some text that is long enough to look at"), 0, false},
		{"too short", []byte("PK"), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := zipEntries(bytes.NewReader(tt.data), int64(len(tt.data)))
			if got != tt.want || ok != tt.ok {
				t.Errorf("zipEntries = %d, %v; want %d, %v", got, ok, tt.want, tt.ok)
			}
			// archive/zip has the last word: it gives up on a signature
			// in the comment that zipEntries looks past, and then the
			// archive is refused as unreadable anyway.
			if zr, err := zip.NewReader(bytes.NewReader(tt.data), int64(len(tt.data))); err == nil && uint64(len(zr.File)) != got {
				t.Errorf("archive/zip finds %d entries, zipEntries %d", len(zr.File), got)
			}
		})
	}
}

func TestUnsafeName(t *testing.T) {
	for name, safe := range map[string]bool{
		"GO-2020-0001.json":        true,
		"advisories/a/b.json":      true,
		"SUSE-FU-2022:0444-1.json": true,
		"./x.json":                 true,
		"dir/":                     true,
		"":                         false,
		"../x.json":                false,
		"a/../../x.json":           false,
		"a/..":                     false,
		"/etc/passwd":              false,
		`a\..\x.json`:              false,
		"C:/x.json":                false,
		"c:x.json":                 false,
		"x\x00.json":               false,
	} {
		if got := unsafeName(name) == ""; got != safe {
			t.Errorf("unsafeName(%q) = %q, want safe %v", name, unsafeName(name), safe)
		}
	}
}
