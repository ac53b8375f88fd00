package cradle_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestDependencyDirection keeps the layering written in
// docs/architecture.md: command → web/jobs/demo → monitor → store and the
// format packages → domain. Siblings do not import each other.
func TestDependencyDirection(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not available")
	}
	const mod = "github.com/cradle-sdl/cradle"
	formats := []string{"", "sbom", "osv", "kev", "epss", "cvss", "match", "feeds", "internal/locate", "internal/csafspec", "csaf", "vex", "publish", "mail", "mail/smtptest", "catalog", "quality", "threatmodel", "results", "gate"}
	monitor := append([]string{"store", "monitor"}, formats...)
	psirt := append([]string{"store", "psirt"}, formats...)
	above := append(slices.Clone(monitor), "psirt", "compliance", "engineering")
	eng := append([]string{"store", "engineering"}, formats...)
	comp := append([]string{"store", "compliance"}, formats...)
	allowed := map[string][]string{
		"":                  {},
		"store":             {""},
		"sbom":              {"", "internal/locate"},
		"osv":               {"", "internal/locate"},
		"internal/locate":   {},
		"kev":               {""},
		"epss":              {""},
		"cvss":              {""},
		"match":             {""},
		"feeds":             {""},
		"csaf":              {"", "cvss", "internal/csafspec", "internal/locate"},
		"internal/csafspec": {},
		"vex":               {"", "internal/locate"},
		"publish":           {"", "internal/csafspec"},
		"mail":              {},
		"monitor":           monitor,
		"psirt":             psirt,
		"compliance":        comp,
		"catalog":           {"", "internal/locate"},
		"quality":           {"", "internal/locate"},
		"threatmodel":       {"", "cvss", "internal/locate"},
		"results":           {"", "internal/locate"},
		"gate":              {"", "internal/locate"},
		"engineering":       eng,
		"jobs":              above,
		"web":               above,
		"demo":              above,
	}
	for pkg, ok := range allowed {
		path := mod
		if pkg != "" {
			path += "/" + pkg
		}
		out, err := exec.Command("go", "list", "-deps", path).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", path, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep == path || (dep != mod && !strings.HasPrefix(dep, mod+"/")) {
				continue
			}
			rel := strings.TrimPrefix(strings.TrimPrefix(dep, mod), "/")
			if !slices.Contains(ok, rel) {
				t.Errorf("%s imports %s; allowed: %q", path, dep, ok)
			}
		}
	}
}
