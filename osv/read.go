package osv

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/internal/locate"
)

// Limits bound what the readers accept. A zero field means its default.
type Limits struct {
	// MaxRecordSize is the largest record, in bytes (uncompressed). A
	// larger record is skipped and reported. Default 16 MiB: the largest
	// real OSV records (Linux kernel and distribution advisories with
	// thousands of versions) are a few hundred KiB.
	MaxRecordSize int64
	// MaxTotalSize is the most data one archive or folder may hold, in
	// bytes (uncompressed); more fails the whole read. Default 8 GiB,
	// several times the largest per-ecosystem all.zip the OSV project
	// publishes.
	MaxTotalSize int64
	// MaxRecords is the most entries one archive or folder may hold; more
	// fails the whole read before anything is decoded. Default 2,000,000,
	// about three times every record OSV holds. It also bounds the memory
	// archive/zip spends on the central directory.
	MaxRecords int
	// MaxSkips is how many skipped records Stats keeps with their reasons
	// (all are counted). Default 100.
	MaxSkips int
	// Filter, when set, selects records by their affected packages: a
	// record none of whose packages (ecosystem, name) it accepts is counted
	// in Stats.Filtered and neither validated nor decoded in full. A scan
	// uses it to read only the advisories of the packages it has.
	Filter func(ecosystem, name string) bool
}

// defaults are the limits a zero Limits stands for.
var defaults = Limits{
	MaxRecordSize: 16 << 20,
	MaxTotalSize:  8 << 30,
	MaxRecords:    2_000_000,
	MaxSkips:      100,
}

func (l Limits) withDefaults() Limits {
	if l.MaxRecordSize <= 0 {
		l.MaxRecordSize = defaults.MaxRecordSize
	}
	if l.MaxTotalSize <= 0 {
		l.MaxTotalSize = defaults.MaxTotalSize
	}
	if l.MaxRecords <= 0 {
		l.MaxRecords = defaults.MaxRecords
	}
	if l.MaxSkips <= 0 {
		l.MaxSkips = defaults.MaxSkips
	}
	return l
}

// Stats tells what a read found.
type Stats struct {
	Records   int // records decoded and passed to fn, withdrawn ones included
	Withdrawn int // of Records, those withdrawn
	// GitOnly counts, of Records, those that name affected code only by
	// commit (GIT ranges, no package versions): matching them needs the
	// commits a product was built from, not its package versions.
	GitOnly int
	Skipped int    // records that could not be used, all counted
	Skips   []Skip // the first Limits.MaxSkips of them, with the reason
	Ignored int    // entries that are not records: folders, files not ending in .json
	// Filtered counts the records Limits.Filter left out.
	Filtered int
}

// Skip is one record that was skipped: the entry or file name, and why (an
// EInvalid or ETooLarge *cradle.Error whose problems are located in it).
type Skip struct {
	Name string
	Err  error
}

func (s *Stats) skip(l Limits, name string, err error) {
	s.Skipped++
	if len(s.Skips) < l.MaxSkips {
		s.Skips = append(s.Skips, Skip{Name: name, Err: err})
	}
}

// reader holds the state of one read: limits, counts, and the IDs seen,
// so that a record given twice is reported rather than imported twice.
type reader struct {
	limits Limits
	stats  Stats
	ids    map[string]string // record ID → name of the entry that had it
	fn     func(*cradle.Vulnerability) error
}

func newReader(limits Limits, fn func(*cradle.Vulnerability) error) *reader {
	return &reader{limits: limits.withDefaults(), ids: map[string]string{}, fn: fn}
}

// record decodes one record and hands it to fn. Only fn's error stops the
// read; a bad record is counted and skipped.
func (r *reader) record(name string, data []byte) error {
	if r.limits.Filter != nil && !r.wanted(data) {
		r.stats.Filtered++
		return nil
	}
	v, err := Decode(name, data)
	if err != nil {
		if cradle.ErrorCode(err) == cradle.EInternal {
			return err
		}
		r.stats.skip(r.limits, name, err)
		return nil
	}
	if first, ok := r.ids[v.ID]; ok {
		r.stats.skip(r.limits, name, cradle.Invalid(name+" repeats a record", cradle.Problem{
			Location: locate.AtPath(name, "/id"),
			Message:  fmt.Sprintf("expected each record ID once, found %s again (first in %s)", locate.Quote(v.ID), first),
		}))
		return nil
	}
	r.ids[v.ID] = name
	if err := r.fn(v); err != nil {
		return err
	}
	r.stats.Records++
	if !v.Withdrawn.IsZero() {
		r.stats.Withdrawn++
	}
	if gitOnly(v) {
		r.stats.GitOnly++
	}
	return nil
}

// wanted reports whether a record names a package the filter accepts,
// from a light decode of its affected packages only. A record that does
// not decode that far is wanted, so that the full decode reports why.
func (r *reader) wanted(data []byte) bool {
	var peek struct {
		Affected []struct {
			Package struct {
				Ecosystem string `json:"ecosystem"`
				Name      string `json:"name"`
			} `json:"package"`
		} `json:"affected"`
	}
	if err := json.Unmarshal(data, &peek); err != nil {
		return true
	}
	for _, a := range peek.Affected {
		if r.limits.Filter(a.Package.Ecosystem, a.Package.Name) {
			return true
		}
	}
	return false
}

func (r *reader) tooLarge(name string, size int64) {
	r.stats.skip(r.limits, name, cradle.Errorf(cradle.ETooLarge, "%s is %s, larger than the limit of %s for one record", name, byteSize(size), byteSize(r.limits.MaxRecordSize)))
}

// gitOnly reports whether v names affected code only by commit.
func gitOnly(v *cradle.Vulnerability) bool {
	git := false
	for _, a := range v.Affected {
		if len(a.Versions) > 0 {
			return false
		}
		for _, r := range a.Ranges {
			if r.Type != cradle.RangeGit {
				return false
			}
			git = true
		}
	}
	return git
}

// ReadZip reads an archive in the layout of the OSV project's per-ecosystem
// all.zip (one JSON record per entry, at any depth) and calls fn with each
// record it accepts, in archive order. Entries not ending in .json are
// ignored. A bad record is skipped and reported in Stats; a bad archive
// fails the whole read with an EInvalid or ETooLarge *cradle.Error, and an
// error from fn stops the read and is returned as it is. Nothing is written
// to disk.
func ReadZip(r io.ReaderAt, size int64, limits Limits, fn func(*cradle.Vulnerability) error) (Stats, error) {
	return readZip("the archive", r, size, limits, fn)
}

// readZip is ReadZip with a name for the archive in error messages.
func readZip(archive string, r io.ReaderAt, size int64, limits Limits, fn func(*cradle.Vulnerability) error) (Stats, error) {
	rd := newReader(limits, fn)
	l := rd.limits
	// The entry count is read from the end of the archive before
	// archive/zip reads the whole central directory into memory.
	if n, ok := zipEntries(r, size); ok && n > uint64(l.MaxRecords) {
		return rd.stats, cradle.Errorf(cradle.ETooLarge, "%s has %d entries, more than the limit of %d", archive, n, l.MaxRecords)
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return rd.stats, cradle.Errorf(cradle.EInvalid, "%s is not a readable zip file: %v", archive, err)
	}
	if len(zr.File) > l.MaxRecords {
		return rd.stats, cradle.Errorf(cradle.ETooLarge, "%s has %d entries, more than the limit of %d", archive, len(zr.File), l.MaxRecords)
	}

	// The whole central directory is checked before any record is read:
	// a name that would escape the folder the archive were extracted to
	// marks an archive made to attack, not a download gone wrong, and more
	// declared data than the limit is refused before it is inflated.
	var declared uint64
	var problems []cradle.Problem
	for _, f := range zr.File {
		if msg := unsafeName(f.Name); msg != "" {
			if len(problems) < maxProblems {
				problems = append(problems, cradle.Problem{Location: "entry " + locate.Quote(f.Name), Message: msg})
			}
			continue
		}
		if !isRecordName(f) {
			continue
		}
		// An entry over the per-record limit is skipped unread, so it
		// counts for no more than the limit.
		declared += min(f.UncompressedSize64, uint64(l.MaxRecordSize)+1)
	}
	if len(problems) > 0 {
		return rd.stats, cradle.Invalid(archive+" has entries whose names are not safe folder-relative paths", problems...)
	}
	if declared > uint64(l.MaxTotalSize) {
		return rd.stats, cradle.Errorf(cradle.ETooLarge, "%s holds more than the limit of %s of records", archive, byteSize(l.MaxTotalSize))
	}

	var buf bytes.Buffer
	var total int64
	for _, f := range zr.File {
		if !isRecordName(f) {
			rd.stats.Ignored++
			continue
		}
		name := displayName(f.Name)
		if !f.Mode().IsRegular() {
			rd.stats.skip(l, name, cradle.Invalid(name+" is not a regular file", cradle.Problem{Location: "entry " + locate.Quote(f.Name), Message: fmt.Sprintf("expected a regular file, found mode %v", f.Mode())}))
			continue
		}
		if f.UncompressedSize64 > uint64(l.MaxRecordSize) {
			rd.tooLarge(name, int64(min(f.UncompressedSize64, 1<<62)))
			continue
		}
		n, err := readEntry(archive, f, &buf, l.MaxRecordSize)
		total += n
		if err != nil {
			return rd.stats, err
		}
		if total > l.MaxTotalSize {
			return rd.stats, cradle.Errorf(cradle.ETooLarge, "%s holds more than the limit of %s of records", archive, byteSize(l.MaxTotalSize))
		}
		if err := rd.record(name, buf.Bytes()); err != nil {
			return rd.stats, err
		}
	}
	return rd.stats, nil
}

// displayName is a file or entry name as it may appear in messages and
// Stats: as it is when it is printable, quoted with escapes otherwise, so
// that a hostile name cannot send control sequences to a terminal or log.
func displayName(name string) string {
	for _, r := range name {
		if r == utf8.RuneError || !unicode.IsGraphic(r) {
			return strconv.Quote(name)
		}
	}
	return name
}

func isRecordName(f *zip.File) bool {
	return !f.FileInfo().IsDir() && strings.HasSuffix(strings.ToLower(f.Name), ".json")
}

// readEntry inflates one entry into buf. archive/zip already fails when an
// entry inflates to more than its declared size or fails its checksum; the
// read is bounded here as well, so that no entry can make it allocate more
// than the limit whatever its header says.
func readEntry(archive string, f *zip.File, buf *bytes.Buffer, limit int64) (int64, error) {
	buf.Reset()
	rc, err := f.Open()
	if err != nil {
		return 0, cradle.Errorf(cradle.EInvalid, "%s is corrupt: entry %s: %v", archive, locate.Quote(f.Name), err)
	}
	defer rc.Close()
	n, err := buf.ReadFrom(io.LimitReader(rc, limit+1))
	if err != nil {
		return n, cradle.Errorf(cradle.EInvalid, "%s is corrupt: entry %s: %v", archive, locate.Quote(f.Name), err)
	}
	if n > limit {
		return n, cradle.Errorf(cradle.EInvalid, "%s is corrupt: entry %s inflates to more than its declared %d bytes", archive, locate.Quote(f.Name), f.UncompressedSize64)
	}
	return n, nil
}

// unsafeName returns why an entry name is not a safe relative path, or "".
// cradle never extracts archives, but a name that would escape the folder it
// were extracted to (../x, /etc/x, C:\x) has no place in an OSV download.
func unsafeName(name string) string {
	switch {
	case name == "":
		return "expected a file name, found an empty one"
	case strings.ContainsRune(name, 0):
		return "expected a file name, found one with a NUL byte"
	case strings.Contains(name, `\`):
		return `expected "/" as the path separator, found "\" (a Windows path could escape the target folder)`
	case strings.HasPrefix(name, "/"):
		return "expected a relative path, found an absolute one"
	case len(name) >= 2 && name[1] == ':' && ('a' <= name[0]|0x20 && name[0]|0x20 <= 'z'):
		return "expected a relative path, found one with a drive letter"
	}
	for _, elem := range strings.Split(strings.TrimSuffix(name, "/"), "/") {
		if elem == ".." {
			return `expected a path inside the archive's folder, found ".." (it would escape the target folder)`
		}
	}
	return ""
}

// zipEntries returns the entry count the archive's end-of-central-directory
// record declares (the ZIP64 one when the classic count overflowed), or
// false if it cannot be found: then archive/zip reports the archive broken.
func zipEntries(r io.ReaderAt, size int64) (uint64, bool) {
	const (
		endLen       = 22
		endSig       = "PK\x05\x06"
		locatorLen   = 20
		locatorSig   = "PK\x06\x07"
		zip64EndSig  = "PK\x06\x06"
		maxCommentLn = 65535
	)
	tail := min(size, endLen+maxCommentLn)
	if tail < endLen {
		return 0, false
	}
	buf := make([]byte, tail)
	if _, err := r.ReadAt(buf, size-tail); err != nil && !errors.Is(err, io.EOF) {
		return 0, false
	}
	// The record is the last signature whose comment length fits the
	// remaining bytes. (archive/zip gives up at a last signature whose
	// length does not fit; such an archive is refused by it afterwards,
	// and this count only guards memory until then.)
	end := -1
	for i := len(buf) - endLen; i >= 0; i-- {
		if string(buf[i:i+4]) == endSig {
			if comment := int(le16(buf[i+20:])); i+endLen+comment <= len(buf) {
				end = i
				break
			}
		}
	}
	if end < 0 {
		return 0, false
	}
	n := uint64(le16(buf[end+10:]))
	if n != 0xffff {
		return n, true
	}
	// ZIP64: the locator sits just before the record and points at the
	// ZIP64 end record, which has the 64-bit count.
	locAt := size - tail + int64(end) - locatorLen
	if locAt < 0 {
		return n, true
	}
	loc := make([]byte, locatorLen)
	if _, err := r.ReadAt(loc, locAt); err != nil || string(loc[:4]) != locatorSig {
		return n, true
	}
	off := int64(le64(loc[8:]))
	rec := make([]byte, 56)
	if off < 0 || off > size-56 {
		return 0, false
	}
	if _, err := r.ReadAt(rec, off); err != nil || string(rec[:4]) != zip64EndSig {
		return 0, false
	}
	return le64(rec[32:]), true
}

func le16(b []byte) uint16 { return uint16(b[0]) | uint16(b[1])<<8 }

func le64(b []byte) uint64 {
	var v uint64
	for i := 7; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

// ReadDir reads every *.json file under dir (an advisory database checked
// out from git, say) in lexical order and calls fn with each record it
// accepts. Folders whose names start with "." (.git) are not entered and
// symbolic links are not followed (they are reported as skipped). Names in
// Stats and in error locations are slash-separated paths relative to dir.
// Policies as for ReadZip: a bad record is skipped, too much data fails the
// read, an error from fn stops it.
func ReadDir(dir string, limits Limits, fn func(*cradle.Vulnerability) error) (Stats, error) {
	rd := newReader(limits, fn)
	l := rd.limits
	var total int64
	entries := 0
	var buf bytes.Buffer
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		name := displayName(filepath.ToSlash(rel))
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if entries++; entries > l.MaxRecords {
			return cradle.Errorf(cradle.ETooLarge, "%s has more than the limit of %d files", dir, l.MaxRecords)
		}
		if !strings.HasSuffix(strings.ToLower(d.Name()), ".json") {
			rd.stats.Ignored++
			return nil
		}
		if !d.Type().IsRegular() {
			rd.stats.skip(l, name, cradle.Invalid(name+" is not a regular file", cradle.Problem{Location: name, Message: fmt.Sprintf("expected a regular file, found mode %v (symbolic links are not followed)", d.Type())}))
			return nil
		}
		n, err := readFileInto(p, &buf, l.MaxRecordSize)
		total += n
		if total > l.MaxTotalSize {
			return cradle.Errorf(cradle.ETooLarge, "%s holds more than the limit of %s of records", dir, byteSize(l.MaxTotalSize))
		}
		if errors.Is(err, errTooLarge) {
			rd.tooLarge(name, n)
			return nil
		}
		if err != nil {
			return err
		}
		return rd.record(name, buf.Bytes())
	})
	return rd.stats, err
}

var errTooLarge = errors.New("too large")

// readFileInto reads a file into buf, but no more than limit bytes: a file
// can grow between a stat and a read, so its size is not trusted. On
// errTooLarge the size returned is what the file's stat says.
func readFileInto(p string, buf *bytes.Buffer, limit int64) (int64, error) {
	buf.Reset()
	f, err := os.Open(p)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.Size() > limit {
		return info.Size(), errTooLarge
	}
	n, err := buf.ReadFrom(io.LimitReader(f, limit+1))
	if err != nil {
		return n, fmt.Errorf("read %s: %w", p, err)
	}
	if n > limit {
		return n, errTooLarge
	}
	return n, nil
}

// ReadFile reads one record from a file of at most limits.MaxRecordSize
// bytes; its path is the name in error locations.
func ReadFile(name string, limits Limits) (*cradle.Vulnerability, error) {
	l := limits.withDefaults()
	var buf bytes.Buffer
	n, err := readFileInto(name, &buf, l.MaxRecordSize)
	if errors.Is(err, errTooLarge) {
		return nil, cradle.Errorf(cradle.ETooLarge, "%s is %s, larger than the limit of %s for one record", name, byteSize(n), byteSize(l.MaxRecordSize))
	}
	if err != nil {
		return nil, err
	}
	return Decode(name, buf.Bytes())
}

// Read reads OSV records from a path of any of the three kinds: a folder
// (ReadDir), a zip archive (ReadZip, recognised by its first bytes, not its
// name) or a single JSON record.
func Read(p string, limits Limits, fn func(*cradle.Vulnerability) error) (Stats, error) {
	info, err := os.Stat(p)
	if err != nil {
		return Stats{}, err
	}
	if info.IsDir() {
		return ReadDir(p, limits, fn)
	}
	f, err := os.Open(p)
	if err != nil {
		return Stats{}, err
	}
	defer f.Close()
	magic := make([]byte, 4)
	if _, err := io.ReadFull(f, magic); err == nil && (string(magic) == "PK\x03\x04" || string(magic) == "PK\x05\x06") {
		return readZip(p, f, info.Size(), limits, fn)
	}
	rd := newReader(limits, fn)
	var buf bytes.Buffer
	n, err := readFileInto(p, &buf, rd.limits.MaxRecordSize)
	if errors.Is(err, errTooLarge) {
		rd.tooLarge(p, n)
		return rd.stats, nil
	}
	if err != nil {
		return rd.stats, err
	}
	err = rd.record(p, buf.Bytes())
	return rd.stats, err
}
