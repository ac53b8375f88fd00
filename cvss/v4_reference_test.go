package cvss

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The v4.0 score has no closed formula: it is defined by FIRST's reference
// calculator. These tests compare score4 with that calculator's output,
// produced by testdata/v4-reference.js (which says how) from Red Hat's
// cvss40.js at commit d1eafe0 (November 2024), the code of FIRST's
// calculator at first.org.

// The SHA-256 digests of the calculator's scores (one byte, score × 10) and
// unrounded scores (float64 bits, little-endian) over every combination of
// the values that enter a v4.0 score, in the order of the loops below.
const (
	v4ReferenceCount     = 15116544
	v4ReferenceScores    = "9ec672a0dce831563dd70e87d9c43ad286f900ea38358b16be7dcf554ca7bf30"
	v4ReferenceUnrounded = "221ee2065c94233886c9c925440e119d3a9249f87d672fdfb9cb047741737623"
)

// TestV4MatchesReferenceCalculator scores every combination of effective
// values: base metrics, Safety through MSI and MSA, E, CR, IR and AR (other
// modified metrics only replace a base value, and Not Defined weighs like
// A or H). Both the rounded and the unrounded scores must be those of the
// calculator to the bit.
func TestV4MatchesReferenceCalculator(t *testing.T) {
	if testing.Short() {
		t.Skip("scores 15 million vectors")
	}
	t.Parallel()
	v := &vec{spec: spec40, version: V40}
	set := func(i int, value byte) {
		for j, x := range spec40.metrics[i].values {
			if x[0] == value {
				v.vals[i] = uint8(j + 1)
				return
			}
		}
		t.Fatalf("no value %c for %s", value, spec40.metrics[i].name)
	}
	scores, unrounded := sha256.New(), sha256.New()
	var raw [8]byte
	n := 0
	for _, av := range []byte("NALP") {
		set(v4AV, av)
		for _, ac := range []byte("LH") {
			set(v4AC, ac)
			for _, at := range []byte("NP") {
				set(v4AT, at)
				for _, pr := range []byte("NLH") {
					set(v4PR, pr)
					for _, ui := range []byte("NPA") {
						set(v4UI, ui)
						for _, vc := range []byte("HLN") {
							set(v4VC, vc)
							for _, vi := range []byte("HLN") {
								set(v4VI, vi)
								for _, va := range []byte("HLN") {
									set(v4VA, va)
									for _, sc := range []byte("HLN") {
										set(v4SC, sc)
										for _, si := range []byte("HLNS") {
											setSafety(v, set, v4SI, v4MSI, si)
											for _, sa := range []byte("HLNS") {
												setSafety(v, set, v4SA, v4MSA, sa)
												for _, e := range []byte("APU") {
													set(v4E, e)
													for _, cr := range []byte("HML") {
														set(v4CR, cr)
														for _, ir := range []byte("HML") {
															set(v4IR, ir)
															for _, ar := range []byte("HML") {
																set(v4AR, ar)
																x := unrounded4(v)
																scores.Write([]byte{byte(math.Round(roundV4(x) * 10))}) // score4(v)
																binary.LittleEndian.PutUint64(raw[:], math.Float64bits(x))
																unrounded.Write(raw[:])
																n++
															}
														}
													}
												}
											}
										}
									}
								}
							}
						}
					}
				}
			}
		}
	}
	if n != v4ReferenceCount {
		t.Fatalf("%d vectors, want %d", n, v4ReferenceCount)
	}
	if got := hex.EncodeToString(scores.Sum(nil)); got != v4ReferenceScores {
		t.Errorf("digest of the scores %s, want %s: some score differs from FIRST's calculator", got, v4ReferenceScores)
	}
	if got := hex.EncodeToString(unrounded.Sum(nil)); got != v4ReferenceUnrounded {
		t.Errorf("digest of the unrounded scores %s, want %s: some score is computed differently from FIRST's calculator", got, v4ReferenceUnrounded)
	}
}

// setSafety sets base metric b to value, or, for Safety (S), which only the
// modified metric m can take, b to N and m to S.
func setSafety(v *vec, set func(int, byte), b, m int, value byte) {
	if value == 'S' {
		set(b, 'N')
		set(m, 'S')
		return
	}
	set(b, value)
	v.vals[m] = 0
}

// TestV4ReferenceSample checks random vectors over every metric, modified
// ones included, against the calculator's scores and unrounded scores.
func TestV4ReferenceSample(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "v4-reference-sample.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 3 {
			t.Fatalf("line %q", sc.Text())
		}
		want, err1 := strconv.ParseFloat(fields[1], 64)
		wantRaw, err2 := strconv.ParseFloat(fields[2], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("line %q", sc.Text())
		}
		v, err := parse(fields[0])
		if err != nil {
			t.Fatal(err)
		}
		if got, raw := score4(v), unrounded4(v); got != want || raw != wantRaw {
			t.Errorf("%s: score %v (unrounded %v), want %v (%v)", fields[0], got, raw, want, wantRaw)
		}
		n++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 300 {
		t.Errorf("%d vectors, want 300", n)
	}
}
