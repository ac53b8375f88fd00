package match_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/cradle-sdl/cradle/match"
)

// purlInText finds purls in SBOM files of any format: JSON strings,
// XML elements, tag-value lines.
var purlInText = regexp.MustCompile(`pkg:[a-zA-Z][a-zA-Z0-9.+-]*/[^\s"'<>\\]+`)

// TestPackageOfRealSBOMs maps every purl in the shared SBOM corpus. A
// purl of a type we support must map; the others must be reported
// unsupported or invalid, never mapped to a wrong ecosystem.
func TestPackageOfRealSBOMs(t *testing.T) {
	root := filepath.Join(testData(t), "sbom")
	seen := map[string]bool{}
	supported, unsupported, invalid := map[string]int{}, map[string]int{}, map[string]int{}
	var invalidSamples []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := strings.NewReplacer("&amp;", "&", `\u0026`, "&").Replace(string(b))
		for _, purl := range purlInText.FindAllString(text, -1) {
			if seen[purl] {
				continue
			}
			seen[purl] = true
			typ := strings.ToLower(strings.SplitN(strings.TrimPrefix(purl, "pkg:"), "/", 2)[0])
			p, err := match.PackageOf(purl)
			switch {
			case err == nil:
				supported[p.Ecosystem]++
				if p.Name == "" || p.Ecosystem == "" {
					t.Errorf("PackageOf(%q) = %+v", purl, p)
				}
			case errors.Is(err, match.ErrUnsupported):
				unsupported[typ]++
			default:
				invalid[typ]++
				if len(invalidSamples) < 10 {
					invalidSamples = append(invalidSamples, err.Error())
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d distinct purls", len(seen))
	for _, c := range []struct {
		what string
		m    map[string]int
	}{{"mapped, by ecosystem", supported}, {"unsupported, by purl type", unsupported}, {"invalid, by purl type", invalid}} {
		var keys []string
		for k := range c.m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, k+" "+strconv.Itoa(c.m[k]))
		}
		t.Logf("%s: %s", c.what, strings.Join(parts, ", "))
	}
	for _, s := range invalidSamples {
		t.Logf("invalid: %s", s)
	}
}
