package threatmodel

import (
	"strings"
	"testing"
	"time"

	"github.com/cradle-sdl/cradle"
)

// TestBigInputs: documents at the size limit are handled in bounded time;
// more than 100,000 list entries are rejected before decoding.
func TestBigInputs(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	for _, c := range []struct {
		name, doc, code string
	}{
		{"long flow list", head + "flows:\n  - id: f1\n    from: e2\n    to: e1\n    data: [" + strings.Repeat("a1, ", (MaxSize-400)/4) + "a1]\n", cradle.ETooLarge},
		{"long block list", head + "    assets:\n" + strings.Repeat("      - a1\n", (MaxSize-400)/11), cradle.ETooLarge},
		{"long description", head + "    description: " + strings.Repeat("x", MaxSize-400) + "\n", ""},
	} {
		start := time.Now()
		_, err := Parse("big.yaml", []byte(c.doc))
		d := time.Since(start)
		t.Logf("%s: %d bytes, %v", c.name, len(c.doc), d)
		if code := cradle.ErrorCode(err); code != c.code {
			t.Errorf("%s: code %q, want %q (%v)", c.name, code, c.code, err)
		}
		if d > 30*time.Second { // generous: shared CI machines
			t.Errorf("%s took %v", c.name, d)
		}
	}
}
