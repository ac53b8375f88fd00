package cvss

// TEMPORARY scratch comparison against FIRST/Red Hat's reference JavaScript
// (run outside the repository); deleted before handing over.

import (
	"bufio"
	"encoding/binary"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestZZJSExhaustive(t *testing.T) {
	scores, err := os.ReadFile("/tmp/cvss-scratch/ref40.scores")
	if err != nil {
		t.Skip(err)
	}
	raws, err := os.ReadFile("/tmp/cvss-scratch/ref40.raws")
	if err != nil {
		t.Skip(err)
	}
	v := &vec{spec: spec40, version: V40}
	set := func(i int, val string) {
		v.vals[i] = uint8(indexOf(spec40.metrics[i].values, val) + 1)
	}
	k := 0
	bad, rawBad, noEps, noEpsExamples := 0, 0, 0, 0
	for _, AV := range []string{"N", "A", "L", "P"} {
		for _, AC := range []string{"L", "H"} {
			for _, AT := range []string{"N", "P"} {
				for _, PR := range []string{"N", "L", "H"} {
					for _, UI := range []string{"N", "P", "A"} {
						for _, VC := range []string{"H", "L", "N"} {
							for _, VI := range []string{"H", "L", "N"} {
								for _, VA := range []string{"H", "L", "N"} {
									for _, SC := range []string{"H", "L", "N"} {
										for _, SI := range []string{"H", "L", "N", "S"} {
											for _, SA := range []string{"H", "L", "N", "S"} {
												for _, E := range []string{"A", "P", "U"} {
													for _, CR := range []string{"H", "M", "L"} {
														for _, IR := range []string{"H", "M", "L"} {
															for _, AR := range []string{"H", "M", "L"} {
																set(v4AV, AV)
																set(v4AC, AC)
																set(v4AT, AT)
																set(v4PR, PR)
																set(v4UI, UI)
																set(v4VC, VC)
																set(v4VI, VI)
																set(v4VA, VA)
																set(v4SC, SC)
																if SI == "S" {
																	set(v4SI, "N")
																	set(v4MSI, "S")
																} else {
																	set(v4SI, SI)
																	v.vals[v4MSI] = 0
																}
																if SA == "S" {
																	set(v4SA, "N")
																	set(v4MSA, "S")
																} else {
																	set(v4SA, SA)
																	v.vals[v4MSA] = 0
																}
																set(v4E, E)
																set(v4CR, CR)
																set(v4IR, IR)
																set(v4AR, AR)
																raw := unrounded4(v)
																got := score4(v)
																want := float64(scores[k]) / 10
																wantRaw := math.Float64frombits(binary.LittleEndian.Uint64(raws[8*k:]))
																if got != want {
																	bad++
																	if bad < 10 {
																		t.Errorf("%s: %v want %v", v, got, want)
																	}
																}
																if raw != wantRaw {
																	rawBad++
																	if rawBad < 10 {
																		t.Errorf("%s: raw %v want %v", v, raw, wantRaw)
																	}
																}
																if plain := math.Floor(raw*10+0.5) / 10; plain != got {
																	noEps++
																	if noEpsExamples < 20 {
																		noEpsExamples++
																		t.Logf("no-epsilon differs: %s raw %.17g eps %.1f plain %.1f", v, raw, got, plain)
																	}
																}
																k++
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
	t.Logf("%d vectors, %d score differences, %d raw differences, %d where rounding without epsilon differs", k, bad, rawBad, noEps)
}

func TestZZJSRandom(t *testing.T) {
	f, err := os.Open("/tmp/cvss-scratch/rand40.txt")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n, bad, rawBad := 0, 0, 0
	for sc.Scan() {
		parts := strings.Fields(sc.Text())
		want, _ := strconv.ParseFloat(parts[1], 64)
		wantRaw, _ := strconv.ParseFloat(parts[2], 64)
		s, err := Parse(parts[0])
		if err != nil {
			t.Fatalf("%s: %v", parts[0], err)
		}
		v, _ := parse(parts[0])
		n++
		if s.Overall != want {
			bad++
			if bad < 10 {
				t.Errorf("%s: %v want %v", parts[0], s.Overall, want)
			}
		}
		if raw := unrounded4(v); raw != wantRaw {
			rawBad++
		}
		// canonical form round trip
		s2, err := Parse(s.Vector)
		if err != nil || *s2 != *s {
			t.Errorf("round trip %s", parts[0])
		}
	}
	t.Logf("%d random vectors, %d score differences, %d raw differences", n, bad, rawBad)
}
