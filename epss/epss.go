// Package epss owns reading the Exploit Prediction Scoring System scores
// that FIRST publishes daily as CSV (https://www.first.org/epss/): for every
// CVE, the probability of exploitation activity in the next 30 days and its
// percentile among all scored CVEs.
//
// Read streams a file in FIRST's layout, plain or gzip-compressed (told
// apart by the first bytes, not the name):
//
//	#model_version:v2025.03.14,score_date:2025-03-16T00:00:00+0000
//	cve,epss,percentile
//	CVE-1999-0001,0.01141,0.77693
//
// It is strict: a missing metadata line, another header, a CVE ID that is
// not one, a score that is not a decimal number from 0 to 1, a row with
// another number of fields or a blank line fails the whole read with an
// EInvalid [cradle.Error] located by line number. Scores are handed to fn
// as they are read, so a file that fails half-way has already given fn the
// rows before the bad one: callers import inside one transaction.
package epss

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	cradle "github.com/cradle-sdl/cradle"
)

// Meta is what the file says about itself, and how many rows it had.
type Meta struct {
	// ModelVersion names the EPSS model, "v2025.03.14"; mirrors that did
	// not record it write "unknown".
	ModelVersion string
	ScoreDate    time.Time // UTC
	Rows         int       // scores read
}

// Score is one row.
type Score struct {
	CVE        string  // "CVE-2024-3400"
	EPSS       float64 // probability of exploitation activity in the next 30 days, 0 to 1
	Percentile float64 // share of scored CVEs with an equal or lower score, 0 to 1
}

// Header is the column header FIRST's files have.
const Header = "cve,epss,percentile"

const (
	// MaxRows bounds the rows of one file, so that a small compressed file
	// cannot make cradle import without end: about 360,000 CVEs have a
	// score in 2026, and some 40,000 are added a year.
	MaxRows = 10_000_000
	// maxLine bounds one line; real lines are under 40 bytes.
	maxLine = 4 << 10
)

// Read reads an EPSS score file from r and calls fn with each score in file
// order. It returns the metadata and row count; an error from fn stops the
// read and is returned as it is.
func Read(r io.Reader, fn func(Score) error) (Meta, error) {
	var meta Meta
	br := bufio.NewReaderSize(r, 64<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return meta, cradle.Invalid("the EPSS file is not valid", cradle.Problem{Location: "line 1", Message: "expected a gzip stream after the gzip magic bytes: " + err.Error()})
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 64<<10)
	}
	lines := lineReader{r: br}

	line, err := lines.next()
	if err != nil {
		return meta, lines.fail(err, "expected the metadata line \"#model_version:...,score_date:...\", found the end of the file")
	}
	if err := parseMeta(line, &meta); err != "" {
		return meta, lines.invalid(err)
	}
	line, err = lines.next()
	if err != nil {
		return meta, lines.fail(err, "expected the header "+strconv.Quote(Header)+", found the end of the file")
	}
	if string(line) != Header {
		return meta, lines.invalid(fmt.Sprintf("expected the header %q, found %s", Header, quote(line)))
	}
	for {
		line, err := lines.next()
		if err == io.EOF {
			return meta, nil
		}
		if err != nil {
			return meta, lines.fail(err, "")
		}
		s, msg := parseRow(line)
		if msg != "" {
			return meta, lines.invalid(msg)
		}
		if meta.Rows == MaxRows {
			return meta, cradle.Errorf(cradle.ETooLarge, "the EPSS file has more than the limit of %d rows", MaxRows)
		}
		if err := fn(s); err != nil {
			return meta, err
		}
		meta.Rows++
	}
}

// parseMeta reads "#model_version:X,score_date:Y". Both keys are required;
// other keys FIRST may add are ignored.
func parseMeta(line []byte, meta *Meta) string {
	rest, ok := bytes.CutPrefix(line, []byte("#"))
	if !ok {
		return fmt.Sprintf("expected the metadata line \"#model_version:...,score_date:...\", found %s", quote(line))
	}
	var date string
	for _, field := range strings.Split(string(rest), ",") {
		k, v, _ := strings.Cut(field, ":")
		switch strings.TrimSpace(k) {
		case "model_version":
			meta.ModelVersion = strings.TrimSpace(v)
		case "score_date":
			date = strings.TrimSpace(v)
		}
	}
	if meta.ModelVersion == "" {
		return fmt.Sprintf("expected a model_version in the metadata line, found %s", quote(line))
	}
	if date == "" {
		return fmt.Sprintf("expected a score_date in the metadata line, found %s", quote(line))
	}
	// FIRST writes "2026-08-16T00:00:00+0000"; RFC 3339 and plain dates
	// are accepted too.
	for _, layout := range []string{"2006-01-02T15:04:05-0700", time.RFC3339Nano, time.DateOnly} {
		if t, err := time.Parse(layout, date); err == nil {
			meta.ScoreDate = t.UTC()
			return ""
		}
	}
	return fmt.Sprintf("expected a score_date such as \"2026-08-16T00:00:00+0000\", found %q", date)
}

// parseRow reads "CVE-2024-3400,0.95732,0.99721".
func parseRow(line []byte) (Score, string) {
	if len(line) == 0 {
		return Score{}, "expected a row \"CVE-...,epss,percentile\", found an empty line"
	}
	cve, rest, ok1 := bytes.Cut(line, []byte(","))
	epss, pct, ok2 := bytes.Cut(rest, []byte(","))
	if !ok1 || !ok2 || bytes.IndexByte(pct, ',') >= 0 {
		return Score{}, fmt.Sprintf("expected 3 fields (cve,epss,percentile), found %d", bytes.Count(line, []byte(","))+1)
	}
	if !isCVE(cve) {
		return Score{}, fmt.Sprintf("cve: expected a CVE ID such as \"CVE-2024-3400\", found %s", quote(cve))
	}
	s := Score{CVE: string(cve)}
	var msg string
	if s.EPSS, msg = probability(epss); msg != "" {
		return Score{}, "epss: " + msg
	}
	if s.Percentile, msg = probability(pct); msg != "" {
		return Score{}, "percentile: " + msg
	}
	return s, ""
}

// isCVE checks "CVE-", a four-digit year, "-" and 4 to 19 digits, the
// pattern of the CVE JSON schema.
func isCVE(b []byte) bool {
	if len(b) < 13 || len(b) > 28 || string(b[:4]) != "CVE-" || b[8] != '-' {
		return false
	}
	return digits(b[4:8]) && digits(b[9:])
}

func digits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}

// probability parses a plain decimal number from 0 to 1 ("0.03351",
// "1", "1.5e-05"). strconv.ParseFloat alone would also take "NaN", "Inf",
// hexadecimal and underscores.
func probability(b []byte) (float64, string) {
	if !isDecimal(b) {
		return 0, fmt.Sprintf("expected a decimal number from 0 to 1, found %s", quote(b))
	}
	f, ok := fastDecimal(b)
	if !ok {
		var err error
		if f, err = strconv.ParseFloat(string(b), 64); err != nil {
			return 0, fmt.Sprintf("expected a decimal number from 0 to 1, found %s", quote(b))
		}
	}
	if f < 0 || f > 1 || math.IsNaN(f) {
		return 0, fmt.Sprintf("expected a number from 0 to 1, found %s", quote(b))
	}
	return f, ""
}

// isDecimal matches digits, optionally "." and digits, optionally an
// exponent.
func isDecimal(b []byte) bool {
	i := 0
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	if i == 0 {
		return false
	}
	if i < len(b) && b[i] == '.' {
		j := i + 1
		for j < len(b) && '0' <= b[j] && b[j] <= '9' {
			j++
		}
		if j == i+1 {
			return false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := i
		for j < len(b) && '0' <= b[j] && b[j] <= '9' {
			j++
		}
		if j == i {
			return false
		}
		i = j
	}
	return i == len(b)
}

// pow10 holds the powers of ten a float64 represents exactly.
var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// fastDecimal parses "d.ddddd" (at most 15 digits, no exponent) as an
// integer divided by a power of ten. Both are exact in a float64, so the
// one division rounds correctly and the result equals strconv.ParseFloat's,
// without the string ParseFloat needs; a test checks this on every real
// value.
func fastDecimal(b []byte) (float64, bool) {
	var mant uint64
	n, scale, dot := 0, 0, false
	for _, c := range b {
		switch {
		case c == '.':
			dot = true
		case '0' <= c && c <= '9':
			if n++; n > 15 {
				return 0, false
			}
			mant = mant*10 + uint64(c-'0')
			if dot {
				scale++
			}
		default:
			return 0, false
		}
	}
	return float64(mant) / pow10[scale], true
}

// lineReader hands out lines without their line ending and counts them.
type lineReader struct {
	r    *bufio.Reader
	line int
}

// next returns the next line (valid until the following call), or io.EOF
// after the last one. A final line without a newline is a line.
func (l *lineReader) next() ([]byte, error) {
	b, err := l.r.ReadSlice('\n')
	if len(b) > 0 || err == nil {
		l.line++
	}
	switch {
	case err == bufio.ErrBufferFull || len(b) > maxLine:
		return nil, errLong
	case err == io.EOF && len(b) == 0:
		return nil, io.EOF
	case err != nil && err != io.EOF:
		return nil, err
	}
	b = bytes.TrimSuffix(b, []byte("\n"))
	b = bytes.TrimSuffix(b, []byte("\r"))
	return b, nil
}

var errLong = errors.New("line too long")

func (l *lineReader) invalid(msg string) error {
	return cradle.Invalid("the EPSS file is not valid", cradle.Problem{Location: "line " + strconv.Itoa(l.line), Message: msg})
}

// fail turns a read error into the error Read returns: a truncated or
// corrupt gzip stream is invalid data, a failing reader is passed on.
func (l *lineReader) fail(err error, atEOF string) error {
	switch {
	case err == io.EOF:
		l.line++
		return l.invalid(atEOF)
	case err == errLong:
		return l.invalid(fmt.Sprintf("expected a line of at most %d bytes, found a longer one", maxLine))
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader), errors.Is(err, io.ErrUnexpectedEOF):
		return l.invalid("expected more of the gzip stream, found it corrupt or cut short: " + err.Error())
	}
	var corrupt flate.CorruptInputError
	if errors.As(err, &corrupt) {
		return l.invalid("expected a valid gzip stream: " + err.Error())
	}
	return fmt.Errorf("read epss line %d: %w", l.line+1, err)
}

// quote shows a piece of a line in a message, shortened and with invalid
// UTF-8 escaped.
func quote(b []byte) string {
	if len(b) > 80 {
		b = b[:80]
		for len(b) > 0 && !utf8.Valid(b) {
			b = b[:len(b)-1]
		}
		return strconv.Quote(string(b)) + "…"
	}
	return strconv.Quote(string(b))
}
