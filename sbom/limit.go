package sbom

import (
	"errors"
	"fmt"
	"io"
	"math"

	cradle "github.com/cradle-sdl/cradle"
)

// DefaultMaxSize is the largest SBOM cradle accepts unless configured
// otherwise. The largest real SBOMs we know of (container images with
// thousands of packages and file listings) are tens of megabytes.
const DefaultMaxSize = 256 << 20

// ReadLimited reads r to the end but fails with a cradle.ETooLarge error as
// soon as more than limit bytes arrive. It never holds more than limit+1
// bytes: the buffer grows by doubling but is capped at limit+1, so a hostile
// upload cannot make it allocate more than the limit allows.
func ReadLimited(r io.Reader, limit int64) ([]byte, error) {
	if limit < 0 {
		limit = 0
	}
	max := limit + 1
	if limit == math.MaxInt64 || max > math.MaxInt {
		max = math.MaxInt
	}
	buf := make([]byte, 0, min(max, 64<<10))
	for {
		if len(buf) == cap(buf) {
			if int64(len(buf)) >= max {
				return nil, tooLarge(limit)
			}
			grown := make([]byte, len(buf), min(max, int64(cap(buf))*2))
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, tooLarge(limit)
		}
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read sbom: %w", err)
		}
	}
}

func tooLarge(limit int64) *cradle.Error {
	return cradle.Errorf(cradle.ETooLarge, "the SBOM is larger than the limit of %s", byteSize(limit))
}

// byteSize formats n for people: "256 MiB", "1.5 KiB", "12 bytes".
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	v := float64(n) / float64(div)
	s := fmt.Sprintf("%.1f", v)
	if v == math.Trunc(v) {
		s = fmt.Sprintf("%.0f", v)
	}
	return s + " " + string("KMGTPE"[exp]) + "iB"
}
