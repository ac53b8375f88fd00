package cvss

import (
	"bufio"
	"math"
	"os"
	"strings"
	"testing"
)

func TestZZEdges(t *testing.T) {
	dir := "/work/shared/data/conformance/cvss/redhat-cvss/tests/"
	for _, name := range []string{"vectors_simple4", "vectors_supplemental4", "vectors_security4", "vectors_threat4"} {
		f, _ := os.Open(dir + name)
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			vs, _, _ := strings.Cut(sc.Text(), " - ")
			v, err := parse(vs)
			if err != nil {
				t.Fatal(err)
			}
			raw := unrounded4(v)
			if plain := math.Floor(raw*10+0.5) / 10; plain != roundV4(raw) {
				t.Logf("%s: %s raw %.17g", name, sc.Text(), raw)
			}
		}
		f.Close()
	}
}
