package osv_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/osv"
)

// BenchmarkReadZipGo reads the Go vulnerability database's all.zip (4,291
// records, 7.9 MB of JSON): strict parsing, schema validation and
// conversion of every record.
//
//	CRADLE_TEST_DATA=../../shared/data go test -run='^$' -bench=ReadZip -benchmem ./osv
func BenchmarkReadZipGo(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(corpus(b), "osv", "Go", "all.zip"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(7891321) // uncompressed
	for b.Loop() {
		stats, err := osv.ReadZip(bytes.NewReader(data), int64(len(data)), osv.Limits{}, func(*cradle.Vulnerability) error { return nil })
		if err != nil || stats.Records != 4291 {
			b.Fatalf("%+v, %v", stats, err)
		}
	}
	b.ReportMetric(float64(4291*b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkDecode decodes one typical record (PyPI, both range kinds).
func BenchmarkDecode(b *testing.B) {
	data := readTestdata(b, "records/PYSEC-2013-10.json")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := osv.Decode("r.json", data); err != nil {
			b.Fatal(err)
		}
	}
}
