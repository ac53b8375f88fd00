package match_test

import (
	"path/filepath"
	"testing"

	"github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/match"
)

// benchCorpus loads the affected packages of the Go, PyPI and crates.io
// exports, and for each a version to ask about: an event version of its
// first evaluable range, so every ask walks real breakpoints.
func benchCorpus(b *testing.B) (affected []cradle.Affected, versions []string) {
	b.Helper()
	dir := filepath.Join(testData(b), "osv")
	for _, eco := range []string{"Go", "PyPI", "crates.io"} {
		for _, r := range readZip(b, filepath.Join(dir, eco, "all.zip")) {
			for i := range r.Affected {
				a := r.affected(i)
				v := ""
				for _, rg := range a.Ranges {
					if rg.Type == cradle.RangeGit {
						continue
					}
					for _, e := range rg.Events {
						if e.Fixed != "" {
							v = e.Fixed
						} else if e.Introduced != "" && e.Introduced != "0" {
							v = e.Introduced
						}
					}
					break
				}
				if v != "" {
					affected = append(affected, a)
					versions = append(versions, v)
				}
			}
		}
	}
	if len(affected) == 0 {
		b.Fatal("no affected packages")
	}
	return affected, versions
}

// BenchmarkCompile compiles one affected package of the corpus per
// operation.
func BenchmarkCompile(b *testing.B) {
	affected, _ := benchCorpus(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := match.Compile(affected[i%len(affected)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAffectsCompiled evaluates one (version, affected package) pair
// per operation against packages compiled once: the matcher's steady
// state.
func BenchmarkAffectsCompiled(b *testing.B) {
	affected, versions := benchCorpus(b)
	compiled := make([]*match.Compiled, len(affected))
	for i, a := range affected {
		c, err := match.Compile(a)
		if err != nil {
			b.Fatal(err)
		}
		compiled[i] = c
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		n := i % len(compiled)
		if _, err := compiled[n].Affects(versions[n]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAffectsUncompiled is the same work through Affects, which
// parses and sorts the events on every call: the cost Compile saves.
func BenchmarkAffectsUncompiled(b *testing.B) {
	affected, versions := benchCorpus(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		n := i % len(affected)
		if _, err := match.Affects(affected[n], versions[n]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAffectsParsedOnce asks every compiled affected package of the
// corpus about one parsed version per operation, as the matcher does for
// a component with several advisories: the version is parsed once.
func BenchmarkAffectsParsedOnce(b *testing.B) {
	affected, versions := benchCorpus(b)
	compiled := make([]*match.Compiled, len(affected))
	parsed := make([]*match.Version, len(affected))
	for i, a := range affected {
		c, err := match.Compile(a)
		if err != nil {
			b.Fatal(err)
		}
		compiled[i], parsed[i] = c, match.ParseVersion(a.Ecosystem, versions[i])
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		n := i % len(compiled)
		if _, err := compiled[n].AffectsVersion(parsed[n]); err != nil {
			b.Fatal(err)
		}
	}
}
