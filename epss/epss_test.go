package epss_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/epss"
	"github.com/google/go-cmp/cmp"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func corpus(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("CRADLE_TEST_DATA")
	if dir == "" {
		t.Skip("CRADLE_TEST_DATA not set: skipping conformance against ../shared/data")
	}
	return dir
}

func readAll(t testing.TB, data []byte) ([]epss.Score, epss.Meta, error) {
	t.Helper()
	var scores []epss.Score
	meta, err := epss.Read(bytes.NewReader(data), func(s epss.Score) error {
		scores = append(scores, s)
		return nil
	})
	return scores, meta, err
}

func TestReadSample(t *testing.T) {
	scores, meta, err := readAll(t, readTestdata(t, "sample.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want := epss.Meta{ModelVersion: "unknown", ScoreDate: time.Date(2026, 8, 16, 0, 0, 0, 0, time.UTC), Rows: 20}
	if diff := cmp.Diff(want, meta); diff != "" {
		t.Errorf("meta mismatch (-want +got):\n%s", diff)
	}
	if len(scores) != 20 {
		t.Fatalf("got %d scores, want 20", len(scores))
	}
	if diff := cmp.Diff(epss.Score{CVE: "CVE-1999-0001", EPSS: 0.03351, Percentile: 0.8765}, scores[0]); diff != "" {
		t.Errorf("first score mismatch (-want +got):\n%s", diff)
	}
}

// TestReadGzip: compressed input is recognised by its magic bytes.
func TestReadGzip(t *testing.T) {
	scores, meta, err := readAll(t, readTestdata(t, "sample.csv.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if meta.Rows != 20 || scores[0].CVE != "CVE-2022-46781" || scores[0].EPSS != 0.00219 {
		t.Errorf("meta %+v, first score %+v", meta, scores[0])
	}
	// The same bytes compressed again read the same.
	plain, _ := io.ReadAll(mustGunzip(t, readTestdata(t, "sample.csv.gz")))
	again, _, err := readAll(t, plain)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(scores, again); diff != "" {
		t.Errorf("gzip and plain differ:\n%s", diff)
	}
}

func mustGunzip(t testing.TB, data []byte) io.Reader {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return zr
}

func gz(s string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

const head = "#model_version:v2025.03.14,score_date:2025-03-16T00:00:00+0000\ncve,epss,percentile\n"

func TestReadFormats(t *testing.T) {
	tests := []struct {
		name string
		data string
		meta epss.Meta
	}{
		{"CRLF line endings", strings.ReplaceAll(head+"CVE-2024-0001,0.5,0.5\n", "\n", "\r\n"), epss.Meta{ModelVersion: "v2025.03.14", ScoreDate: time.Date(2025, 3, 16, 0, 0, 0, 0, time.UTC), Rows: 1}},
		{"no final newline", head + "CVE-2024-0001,0.5,0.5", epss.Meta{ModelVersion: "v2025.03.14", ScoreDate: time.Date(2025, 3, 16, 0, 0, 0, 0, time.UTC), Rows: 1}},
		{"no rows", head, epss.Meta{ModelVersion: "v2025.03.14", ScoreDate: time.Date(2025, 3, 16, 0, 0, 0, 0, time.UTC)}},
		{"RFC 3339 date, extra key", "#model_version:v2023.03.01,score_date:2024-04-15T12:55:00Z,note:x\ncve,epss,percentile\nCVE-2024-0001,1,0\n", epss.Meta{ModelVersion: "v2023.03.01", ScoreDate: time.Date(2024, 4, 15, 12, 55, 0, 0, time.UTC), Rows: 1}},
		{"date only, exponent", "#model_version:v1,score_date:2024-04-15\ncve,epss,percentile\nCVE-2024-12345678,1.5e-05,1E-1\n", epss.Meta{ModelVersion: "v1", ScoreDate: time.Date(2024, 4, 15, 0, 0, 0, 0, time.UTC), Rows: 1}},
		{"gzip", gz(head + "CVE-2024-0001,0.5,0.5\n"), epss.Meta{ModelVersion: "v2025.03.14", ScoreDate: time.Date(2025, 3, 16, 0, 0, 0, 0, time.UTC), Rows: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, meta, err := readAll(t, []byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.meta, meta); diff != "" {
				t.Errorf("meta mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadBadInput(t *testing.T) {
	good := gz(head + "CVE-2024-0001,0.5,0.5\nCVE-2024-0002,0.25,0.75\n")
	corrupt := []byte(good)
	corrupt[len(corrupt)-10] ^= 0xff // in the deflate data or checksum
	tests := []struct {
		name     string
		data     string
		location string
		message  string
	}{
		{"empty", "", "line 1", "expected the metadata line"},
		{"no metadata line", "cve,epss,percentile\nCVE-2024-0001,0.5,0.5\n", "line 1", `expected the metadata line "#model_version:...,score_date:...", found "cve,epss,percentile"`},
		{"no score date", "#model_version:v1\ncve,epss,percentile\n", "line 1", "expected a score_date"},
		{"no model version", "#score_date:2024-01-01\ncve,epss,percentile\n", "line 1", "expected a model_version"},
		{"bad score date", "#model_version:v1,score_date:16/08/2026\ncve,epss,percentile\n", "line 1", `expected a score_date such as "2026-08-16T00:00:00+0000", found "16/08/2026"`},
		{"no header", "#model_version:v1,score_date:2024-01-01\n", "line 2", "expected the header \"cve,epss,percentile\", found the end of the file"},
		{"old two-column header", "#model_version:v1,score_date:2024-01-01\ncve,epss\nCVE-2024-0001,0.5\n", "line 2", `expected the header "cve,epss,percentile", found "cve,epss"`},
		{"header in another order", "#model_version:v1,score_date:2024-01-01\ncve,percentile,epss\n", "line 2", "expected the header"},
		{"too few fields", head + "CVE-2024-0001,0.5\n", "line 3", "expected 3 fields (cve,epss,percentile), found 2"},
		{"too many fields", head + "CVE-2024-0001,0.5,0.5,0.5\n", "line 3", "found 4"},
		{"bad CVE ID", head + "CVE-2024-1,0.5,0.5\n", "line 3", `cve: expected a CVE ID such as "CVE-2024-3400", found "CVE-2024-1"`},
		{"lower-case CVE ID", head + "cve-2024-0001,0.5,0.5\n", "line 3", "cve: expected a CVE ID"},
		{"quoted CVE ID", head + "\"CVE-2024-0001\",0.5,0.5\n", "line 3", "cve: expected a CVE ID"},
		{"score above 1", head + "CVE-2024-0001,1.5,0.5\n", "line 3", `epss: expected a number from 0 to 1, found "1.5"`},
		{"negative score", head + "CVE-2024-0001,-0.1,0.5\n", "line 3", `epss: expected a decimal number from 0 to 1, found "-0.1"`},
		{"percentile above 1", head + "CVE-2024-0001,0.5,100\n", "line 3", `percentile: expected a number from 0 to 1, found "100"`},
		{"NaN", head + "CVE-2024-0001,NaN,0.5\n", "line 3", "epss: expected a decimal number"},
		{"infinity", head + "CVE-2024-0001,0.5,Inf\n", "line 3", "percentile: expected a decimal number"},
		{"hexadecimal", head + "CVE-2024-0001,0x1p-2,0.5\n", "line 3", "epss: expected a decimal number"},
		{"empty score", head + "CVE-2024-0001,,0.5\n", "line 3", `epss: expected a decimal number from 0 to 1, found ""`},
		{"space in score", head + "CVE-2024-0001, 0.5,0.5\n", "line 3", "epss: expected a decimal number"},
		{"huge exponent", head + "CVE-2024-0001,1e999,0.5\n", "line 3", "epss: expected"},
		{"blank line", head + "CVE-2024-0001,0.5,0.5\n\nCVE-2024-0002,0.5,0.5\n", "line 4", "found an empty line"},
		{"line too long", head + "CVE-2024-0001,0.5," + strings.Repeat("5", 5000) + "\n", "line 3", "at most 4096 bytes"},
		{"no newline in 64 KiB", head + strings.Repeat("x", 70000), "line 3", "at most 4096 bytes"},
		{"truncated gzip", good[:len(good)-12], "line ", "cut short"},
		{"corrupt gzip", string(corrupt), "line ", "gzip"},
		{"gzip magic only", "\x1f\x8b", "line 1", "expected a gzip stream"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readAll(t, []byte(tt.data))
			var e *cradle.Error
			if !errors.As(err, &e) || e.Code != cradle.EInvalid || len(e.Problems) != 1 {
				t.Fatalf("error = %v, want EInvalid with one problem", err)
			}
			p := e.Problems[0]
			if !strings.HasPrefix(p.Location, tt.location) || (!strings.HasSuffix(tt.location, " ") && p.Location != tt.location) {
				t.Errorf("location = %q, want %q", p.Location, tt.location)
			}
			if !strings.Contains(p.Message, tt.message) {
				t.Errorf("message = %q, want it to contain %q", p.Message, tt.message)
			}
		})
	}
}

func TestReadStopsOnCallbackError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	meta, err := epss.Read(bytes.NewReader(readTestdata(t, "sample.csv")), func(epss.Score) error {
		if n++; n == 3 {
			return stop
		}
		return nil
	})
	if err != stop || meta.Rows != 2 {
		t.Errorf("Read = %+v, %v; want 2 rows and the callback's error", meta, err)
	}
}

// failingReader gives n bytes of data, then an error that is not about the
// data.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestReadPassesReaderErrors(t *testing.T) {
	broken := errors.New("connection reset")
	_, err := epss.Read(&failingReader{data: []byte(head + "CVE-2024-0001,0.5,0.5\n"), err: broken}, func(epss.Score) error { return nil })
	if !errors.Is(err, broken) || cradle.ErrorCode(err) != cradle.EInternal {
		t.Errorf("error = %v, want the reader's error wrapped", err)
	}
}

// TestConformanceReal reads FIRST's file of 2026-08-16 and checks every
// value against strconv.ParseFloat.
func TestConformanceReal(t *testing.T) {
	path := filepath.Join(corpus(t), "epss", "epss_scores-2026-08-16.csv.gz")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var scores []epss.Score
	meta, err := epss.Read(bytes.NewReader(data), func(s epss.Score) error {
		scores = append(scores, s)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if meta.Rows != 360142 || meta.ModelVersion != "unknown" || !meta.ScoreDate.Equal(time.Date(2026, 8, 16, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("meta = %+v, want 360,142 rows of model unknown on 2026-08-16", meta)
	}
	sc := bufio.NewScanner(mustGunzip(t, data))
	for i := -2; sc.Scan(); i++ {
		if i < 0 {
			continue
		}
		f := strings.Split(sc.Text(), ",")
		e, _ := strconv.ParseFloat(f[1], 64)
		p, _ := strconv.ParseFloat(f[2], 64)
		if want := (epss.Score{CVE: f[0], EPSS: e, Percentile: p}); scores[i] != want {
			t.Fatalf("row %d: got %+v, want %+v", i, scores[i], want)
		}
	}
}

// BenchmarkReadReal reads FIRST's file of 2026-08-16: 360,142 rows,
// 2.6 MB compressed.
//
//	CRADLE_TEST_DATA=../../shared/data go test -run='^$' -bench=Read -benchmem ./epss
func BenchmarkReadReal(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(corpus(b), "epss", "epss_scores-2026-08-16.csv.gz"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		meta, err := epss.Read(bytes.NewReader(data), func(epss.Score) error { return nil })
		if err != nil || meta.Rows != 360142 {
			b.Fatal(meta, err)
		}
	}
	b.ReportMetric(float64(360142*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkReadRealPlain reads the same file decompressed beforehand, to
// tell parsing from inflating.
func BenchmarkReadRealPlain(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(corpus(b), "epss", "epss_scores-2026-08-16.csv.gz"))
	if err != nil {
		b.Fatal(err)
	}
	plain, err := io.ReadAll(mustGunzip(b, data))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(plain)))
	for b.Loop() {
		meta, err := epss.Read(bytes.NewReader(plain), func(epss.Score) error { return nil })
		if err != nil || meta.Rows != 360142 {
			b.Fatal(meta, err)
		}
	}
	b.ReportMetric(float64(360142*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// FuzzEPSS feeds Read mutations of real score files, plain and compressed.
// It must never panic, and must either reject the input with an EInvalid
// error located by line or deliver scores that hold together.
//
//	go test -run='^$' -fuzz=FuzzEPSS -fuzztime=45s -fuzzminimizetime=3s ./epss
func FuzzEPSS(f *testing.F) {
	f.Add(readTestdata(f, "sample.csv"))
	f.Add(readTestdata(f, "sample.csv.gz"))
	f.Add([]byte(head + "CVE-2024-12345678,1.5e-05,1\r\n"))
	if dir := os.Getenv("CRADLE_TEST_DATA"); dir != "" {
		if data, err := os.ReadFile(filepath.Join(dir, "epss", "epss_scores-2026-08-16.csv.gz")); err == nil {
			plain, _ := io.ReadAll(mustGunzip(f, data))
			var lines []string
			for i, l := range strings.SplitAfter(string(plain), "\n") {
				if i < 2 || i%3000 == 0 {
					lines = append(lines, l)
				}
			}
			f.Add([]byte(strings.Join(lines, "")))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n := 0
		meta, err := epss.Read(bytes.NewReader(data), func(s epss.Score) error {
			n++
			if !strings.HasPrefix(s.CVE, "CVE-") || s.EPSS < 0 || s.EPSS > 1 || s.Percentile < 0 || s.Percentile > 1 {
				t.Fatalf("score %+v does not hold together", s)
			}
			return nil
		})
		if err != nil {
			var e *cradle.Error
			if !errors.As(err, &e) || (e.Code != cradle.EInvalid && e.Code != cradle.ETooLarge) {
				t.Fatalf("error %v is not a *cradle.Error", err)
			}
			if e.Code == cradle.EInvalid && (len(e.Problems) != 1 || !strings.HasPrefix(e.Problems[0].Location, "line ")) {
				t.Fatalf("error %v is not located by line", err)
			}
			return
		}
		if meta.Rows != n || meta.ModelVersion == "" || meta.ScoreDate.IsZero() {
			t.Fatalf("meta %+v after %d rows", meta, n)
		}
	})
}
