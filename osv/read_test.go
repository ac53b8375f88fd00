package osv_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/osv"
	"github.com/google/go-cmp/cmp"
)

// entry is one file of a zip archive built for a test.
type entry struct {
	name string
	data []byte
}

func buildZip(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, e := range entries {
		f, err := w.Create(e.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// records returns the real records of testdata/records as zip entries.
func records(t testing.TB) []entry {
	t.Helper()
	var out []entry
	for _, name := range []string{"GO-2020-0001.json", "GO-2024-2442.json", "PYSEC-2013-10.json", "RUSTSEC-2024-0445.json", "HSEC-2023-0001.json", "PSF-2023-3.json"} {
		out = append(out, entry{name, readTestdata(t, "records/"+name)})
	}
	return out
}

func readZip(t testing.TB, data []byte, limits osv.Limits) ([]string, osv.Stats, error) {
	t.Helper()
	var ids []string
	stats, err := osv.ReadZip(bytes.NewReader(data), int64(len(data)), limits, func(v *cradle.Vulnerability) error {
		ids = append(ids, v.ID)
		return nil
	})
	return ids, stats, err
}

func TestReadZip(t *testing.T) {
	entries := append(records(t),
		entry{"broken/PYSEC-2019-155.json", readTestdata(t, "records/PYSEC-2019-155.json")},
		entry{"again/GO-2020-0001.json", readTestdata(t, "records/GO-2020-0001.json")},
		entry{"README.txt", []byte("not a record")},
		entry{"sub/", nil},
	)
	ids, stats, err := readZip(t, buildZip(t, entries...), osv.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	wantIDs := []string{"GO-2020-0001", "GO-2024-2442", "PYSEC-2013-10", "RUSTSEC-2024-0445", "HSEC-2023-0001", "PSF-2023-3"}
	if diff := cmp.Diff(wantIDs, ids); diff != "" {
		t.Errorf("records mismatch (-want +got):\n%s", diff)
	}
	if stats.Records != 6 || stats.Withdrawn != 1 || stats.GitOnly != 1 || stats.Skipped != 2 || stats.Ignored != 2 {
		t.Errorf("stats = %+v, want 6 records, 1 withdrawn, 1 GIT-only, 2 skipped, 2 ignored", stats)
	}
	if len(stats.Skips) != 2 {
		t.Fatalf("skips = %v, want 2", stats.Skips)
	}
	if s := stats.Skips[0]; s.Name != "broken/PYSEC-2019-155.json" || !strings.Contains(s.Err.Error(), "broken/PYSEC-2019-155.json:/affected/0/ranges/0/events/1/fixed: expected a full-length commit hash") {
		t.Errorf("first skip = %s: %v, want the broken record located", s.Name, s.Err)
	}
	if s := stats.Skips[1]; s.Name != "again/GO-2020-0001.json" || !strings.Contains(s.Err.Error(), `found "GO-2020-0001" again (first in GO-2020-0001.json)`) {
		t.Errorf("second skip = %s: %v, want the repeated record", s.Name, s.Err)
	}
}

func TestReadZipStopsOnCallbackError(t *testing.T) {
	data := buildZip(t, records(t)...)
	stop := errors.New("stop")
	n := 0
	stats, err := osv.ReadZip(bytes.NewReader(data), int64(len(data)), osv.Limits{}, func(*cradle.Vulnerability) error {
		if n++; n == 2 {
			return stop
		}
		return nil
	})
	if err != stop {
		t.Errorf("error = %v, want the callback's", err)
	}
	if stats.Records != 1 {
		t.Errorf("Records = %d, want 1", stats.Records)
	}
}

func TestReadZipKeepsFirstSkips(t *testing.T) {
	var entries []entry
	for i := range 10 {
		entries = append(entries, entry{name: "bad" + string(rune('0'+i)) + ".json", data: []byte("{")})
	}
	_, stats, err := readZip(t, buildZip(t, entries...), osv.Limits{MaxSkips: 3})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Skipped != 10 || len(stats.Skips) != 3 || stats.Skips[0].Name != "bad0.json" {
		t.Errorf("stats = %+v, want 10 skipped of which the first 3 kept", stats)
	}
}

// TestReadZipBadArchive: an archive that cannot be trusted fails as a
// whole, with a clear error, and fn never sees a record from it.
func TestReadZipBadArchive(t *testing.T) {
	good := buildZip(t, records(t)...)
	tests := []struct {
		name    string
		data    []byte
		limits  osv.Limits
		code    string
		message string
	}{
		{"not a zip", []byte("this is not a zip file at all, just some text"), osv.Limits{}, cradle.EInvalid, "not a readable zip file"},
		{"empty", nil, osv.Limits{}, cradle.EInvalid, "not a readable zip file"},
		{"truncated", good[:len(good)/2], osv.Limits{}, cradle.EInvalid, "not a readable zip file"},
		{"parent directory", buildZip(t, entry{"../GO-2020-0001.json", readTestdata(t, "records/GO-2020-0001.json")}), osv.Limits{}, cradle.EInvalid, `entry "../GO-2020-0001.json": expected a path inside the archive's folder`},
		{"parent directory deeper", buildZip(t, entry{"a/../../x.json", []byte("{}")}), osv.Limits{}, cradle.EInvalid, `entry "a/../../x.json"`},
		{"absolute path", buildZip(t, entry{"/etc/x.json", []byte("{}")}), osv.Limits{}, cradle.EInvalid, "found an absolute one"},
		{"windows path", buildZip(t, entry{`..\x.json`, []byte("{}")}), osv.Limits{}, cradle.EInvalid, `found "\"`},
		{"drive letter", buildZip(t, entry{"C:x.json", []byte("{}")}), osv.Limits{}, cradle.EInvalid, "drive letter"},
		{"too many entries", good, osv.Limits{MaxRecords: 2}, cradle.ETooLarge, "the archive has 6 entries, more than the limit of 2"},
		{"too much data", good, osv.Limits{MaxTotalSize: 4096}, cradle.ETooLarge, "more than the limit of 4 KiB"},
		{"checksum mismatch", corruptCRC(t), osv.Limits{}, cradle.EInvalid, "checksum error"},
		{"inflates beyond its declared size", lyingSize(t), osv.Limits{}, cradle.EInvalid, "the archive is corrupt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids, _, err := readZip(t, tt.data, tt.limits)
			if got := cradle.ErrorCode(err); got != tt.code {
				t.Fatalf("error = %v (code %q), want code %q", err, got, tt.code)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("error = %q, want it to contain %q", err, tt.message)
			}
			if len(ids) > 0 && tt.name != "checksum mismatch" && tt.name != "inflates beyond its declared size" {
				t.Errorf("fn saw %v before the archive was refused", ids)
			}
		})
	}
}

// corruptCRC returns an archive whose second entry is stored (not
// compressed) with one byte changed, so that only its checksum tells.
func corruptCRC(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, e := range records(t)[:2] {
		f, err := w.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		f.Write(e.data)
	}
	w.Close()
	data := buf.Bytes()
	i := bytes.LastIndex(data, []byte(`"GO-2024-2442"`))
	data[i+1] = 'X'
	return data
}

// lyingSize returns an archive whose only entry declares 100 bytes but
// inflates to a megabyte.
func lyingSize(t *testing.T) []byte {
	t.Helper()
	plain := bytes.Repeat([]byte(" "), 1<<20)
	var compressed bytes.Buffer
	fw, _ := flate.NewWriter(&compressed, flate.BestCompression)
	fw.Write(plain)
	fw.Close()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, err := w.CreateRaw(&zip.FileHeader{
		Name:               "bomb.json",
		Method:             zip.Deflate,
		CRC32:              crc32.ChecksumIEEE(plain),
		CompressedSize64:   uint64(compressed.Len()),
		UncompressedSize64: 100,
	})
	if err != nil {
		t.Fatal(err)
	}
	f.Write(compressed.Bytes())
	w.Close()
	return buf.Bytes()
}

// TestReadZipBomb: an entry that honestly declares that it inflates beyond
// the per-record limit is skipped without being inflated; the rest of the
// archive is read.
func TestReadZipBomb(t *testing.T) {
	bomb := bytes.Repeat([]byte(" "), 64<<20)
	data := buildZip(t, append(records(t)[:1], entry{"bomb.json", bomb})...)
	if len(data) > 1<<20 {
		t.Fatalf("test archive is %d bytes, want a small one", len(data))
	}
	ids, stats, err := readZip(t, data, osv.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 || stats.Skipped != 1 {
		t.Fatalf("read %v, stats %+v; want 1 record and 1 skipped", ids, stats)
	}
	s := stats.Skips[0]
	if s.Name != "bomb.json" || cradle.ErrorCode(s.Err) != cradle.ETooLarge || !strings.Contains(s.Err.Error(), "bomb.json is 64 MiB, larger than the limit of 16 MiB") {
		t.Errorf("skip = %s: %v", s.Name, s.Err)
	}
}

func TestReadDir(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range records(t) {
		write("advisories/"+e.name, e.data)
	}
	write("advisories/2019/PYSEC-2019-155.json", readTestdata(t, "records/PYSEC-2019-155.json"))
	write(".git/objects/x.json", []byte("{"))
	write("README.md", []byte("# advisories"))
	write("big/large.json", bytes.Repeat([]byte(" "), 2048))
	if err := os.Symlink(filepath.Join(dir, "advisories", "GO-2020-0001.json"), filepath.Join(dir, "link.json")); err != nil {
		t.Fatal(err)
	}

	var ids []string
	stats, err := osv.ReadDir(dir, osv.Limits{MaxRecordSize: 1024 * 3}, func(v *cradle.Vulnerability) error {
		ids = append(ids, v.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(ids)
	if diff := cmp.Diff([]string{"GO-2020-0001", "GO-2024-2442", "HSEC-2023-0001", "PSF-2023-3", "PYSEC-2013-10", "RUSTSEC-2024-0445"}, ids); diff != "" {
		t.Errorf("records mismatch (-want +got):\n%s", diff)
	}
	var skipped []string
	for _, s := range stats.Skips {
		skipped = append(skipped, s.Name)
	}
	if diff := cmp.Diff([]string{"advisories/2019/PYSEC-2019-155.json", "big/large.json", "link.json"}, skipped); diff != "" {
		t.Errorf("skipped mismatch (-want +got):\n%s", diff)
	}
	if stats.Ignored != 1 || stats.GitOnly != 1 || stats.Withdrawn != 1 {
		t.Errorf("stats = %+v, want 1 ignored, 1 GIT-only, 1 withdrawn", stats)
	}
	if !strings.Contains(stats.Skips[0].Err.Error(), "advisories/2019/PYSEC-2019-155.json:/affected/0/ranges/0/events/1/fixed") {
		t.Errorf("skip not located in its file: %v", stats.Skips[0].Err)
	}

	// A file over the per-record limit is skipped, too much data in all
	// fails the read.
	stats, err = osv.ReadDir(dir, osv.Limits{MaxRecordSize: 1024}, func(*cradle.Vulnerability) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if stats.Records != 1 || cradle.ErrorCode(stats.Skips[0].Err) != cradle.ETooLarge {
		t.Errorf("stats = %+v, want the records over 1 KiB skipped as too large", stats)
	}
	if _, err := osv.ReadDir(dir, osv.Limits{MaxTotalSize: 4096}, func(*cradle.Vulnerability) error { return nil }); cradle.ErrorCode(err) != cradle.ETooLarge {
		t.Errorf("error = %v, want %s", err, cradle.ETooLarge)
	}
}

// TestRead: the one entry point tells a folder, a zip and a record apart
// by content, not by name.
func TestRead(t *testing.T) {
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "download.bin")
	if err := os.WriteFile(zipPath, buildZip(t, records(t)...), 0o644); err != nil {
		t.Fatal(err)
	}
	jsonPath := filepath.Join(dir, "one.json")
	if err := os.WriteFile(jsonPath, readTestdata(t, "records/PSF-2023-3.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	badPath := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(badPath, []byte(`{"id":`), 0o644); err != nil {
		t.Fatal(err)
	}
	count := func(*cradle.Vulnerability) error { return nil }
	for _, tt := range []struct {
		path             string
		records, skipped int
	}{
		{zipPath, 6, 0},
		{jsonPath, 1, 0},
		{badPath, 0, 1},
		{dir, 1, 1}, // download.bin is not a .json file
	} {
		stats, err := osv.Read(tt.path, osv.Limits{}, count)
		if err != nil {
			t.Fatalf("Read(%s): %v", tt.path, err)
		}
		if stats.Records != tt.records || stats.Skipped != tt.skipped {
			t.Errorf("Read(%s) = %+v, want %d records and %d skipped", tt.path, stats, tt.records, tt.skipped)
		}
	}
	if s, _ := osv.Read(badPath, osv.Limits{}, count); !strings.Contains(s.Skips[0].Err.Error(), badPath+":1:") {
		t.Errorf("skip %v is not located in %s", s.Skips[0].Err, badPath)
	}
	if _, err := osv.Read(filepath.Join(dir, "missing"), osv.Limits{}, count); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error = %v, want not-exist", err)
	}
}

func TestReadFile(t *testing.T) {
	v, err := osv.ReadFile(filepath.Join("testdata", "records", "GO-2020-0001.json"), osv.Limits{})
	if err != nil || v.ID != "GO-2020-0001" {
		t.Fatalf("ReadFile = %v, %v", v, err)
	}
	_, err = osv.ReadFile(filepath.Join("testdata", "records", "GO-2020-0001.json"), osv.Limits{MaxRecordSize: 100})
	if cradle.ErrorCode(err) != cradle.ETooLarge {
		t.Errorf("error = %v, want %s", err, cradle.ETooLarge)
	}
}

// TestReadZipHostileNames: an entry name with control characters shows
// escaped, never raw, in Stats and error locations.
func TestReadZipHostileNames(t *testing.T) {
	_, stats, err := readZip(t, buildZip(t, entry{"\x1b[2J\x1b[31mGO-1.json", []byte("{")}), osv.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	s := stats.Skips[0]
	if strings.ContainsRune(s.Name, 0x1b) || strings.ContainsRune(s.Err.Error(), 0x1b) || !strings.Contains(s.Name, `\x1b[2J`) {
		t.Errorf("skip %q: %q shows the raw name", s.Name, s.Err)
	}
}
