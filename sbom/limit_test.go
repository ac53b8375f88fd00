package sbom_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/sbom"
)

func TestReadLimited(t *testing.T) {
	tests := []struct {
		name    string
		size    int
		limit   int64
		tooMuch bool
	}{
		{"empty", 0, 10, false},
		{"under", 9, 10, false},
		{"at the limit", 10, 10, false},
		{"one over", 11, 10, true},
		{"far over", 1 << 20, 1000, true},
		{"larger than the first buffer", 200 << 10, 300 << 10, false},
		{"zero limit", 1, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := bytes.Repeat([]byte("x"), tt.size)
			// One byte at a time, to check the limit holds across reads.
			got, err := sbom.ReadLimited(iotest.OneByteReader(bytes.NewReader(in)), tt.limit)
			if tt.tooMuch {
				var e *cradle.Error
				if !errors.As(err, &e) || e.Code != cradle.ETooLarge {
					t.Fatalf("ReadLimited error = %v, want ETooLarge", err)
				}
				if got != nil {
					t.Errorf("ReadLimited returned %d bytes with the error", len(got))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, in) {
				t.Errorf("ReadLimited returned %d bytes, want %d", len(got), len(in))
			}
		})
	}
}

// countingReader is an endless stream that counts what is taken from it.
type countingReader struct{ n int64 }

func (r *countingReader) Read(p []byte) (int, error) {
	r.n += int64(len(p))
	return len(p), nil
}

// TestReadLimitedStops checks that an endless upload is cut off after
// limit+1 bytes, not read to the end.
func TestReadLimitedStops(t *testing.T) {
	r := &countingReader{}
	_, err := sbom.ReadLimited(r, 1<<20)
	if cradle.ErrorCode(err) != cradle.ETooLarge {
		t.Fatalf("error = %v, want ETooLarge", err)
	}
	if r.n > 1<<20+1 {
		t.Errorf("read %d bytes, want at most limit+1 = %d", r.n, 1<<20+1)
	}
	if !strings.Contains(err.Error(), "1 MiB") {
		t.Errorf("message %q does not give the limit", err)
	}
}

func TestReadLimitedReadError(t *testing.T) {
	boom := errors.New("connection reset")
	_, err := sbom.ReadLimited(io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(boom)), 10)
	if !errors.Is(err, boom) {
		t.Errorf("error = %v, want it to wrap %v", err, boom)
	}
}
