// Package sbomgen generates large, valid CycloneDX 1.6 JSON SBOMs for
// benchmarks, load tests and crash tests: a root application, n library
// components with distinct npm, maven, golang and pypi purls, and an
// acyclic dependency graph with exactly the requested number of edges.
package sbomgen

import (
	"encoding/json"
	"fmt"
)

// CycloneDX returns a CycloneDX 1.6 JSON document with n components (plus
// the root) and edges dependency edges (at least n, at most about 50n).
// tag makes names and purls distinct between documents (e.g. a release).
func CycloneDX(n, edges int, tag string) []byte {
	type hash struct {
		Alg     string `json:"alg"`
		Content string `json:"content"`
	}
	type lic struct {
		License struct {
			ID string `json:"id"`
		} `json:"license"`
	}
	type comp struct {
		Ref      string `json:"bom-ref"`
		Type     string `json:"type"`
		Group    string `json:"group,omitempty"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		PURL     string `json:"purl,omitempty"`
		Licenses []lic  `json:"licenses,omitempty"`
		Hashes   []hash `json:"hashes,omitempty"`
	}
	type dep struct {
		Ref       string   `json:"ref"`
		DependsOn []string `json:"dependsOn"`
	}
	ecos := []func(i int) (group, name, purl string){
		func(i int) (string, string, string) {
			name := fmt.Sprintf("pkg%s-%d", tag, i)
			return "", name, fmt.Sprintf("pkg:npm/%s@1.%d.%d", name, i%10, i%7)
		},
		func(i int) (string, string, string) {
			name := fmt.Sprintf("artifact%s-%d", tag, i)
			return "org.example.g" + fmt.Sprint(i%50), name, fmt.Sprintf("pkg:maven/org.example.g%d/%s@2.%d.0", i%50, name, i%9)
		},
		func(i int) (string, string, string) {
			name := fmt.Sprintf("mod%s-%d", tag, i)
			return "github.com/example", name, fmt.Sprintf("pkg:golang/github.com/example/%s@v0.%d.1", name, i%11)
		},
		func(i int) (string, string, string) {
			name := fmt.Sprintf("py%s-%d", tag, i)
			return "", name, fmt.Sprintf("pkg:pypi/%s@3.%d", name, i%13)
		},
	}
	comps := make([]comp, n)
	for i := range comps {
		g, name, purl := ecos[i%len(ecos)](i)
		c := comp{Ref: fmt.Sprintf("c%d", i), Type: "library", Group: g, Name: name, Version: "1.0." + fmt.Sprint(i%100), PURL: purl,
			Hashes: []hash{{"SHA-256", fmt.Sprintf("%064x", i+1)}}}
		var l lic
		l.License.ID = []string{"MIT", "Apache-2.0", "BSD-3-Clause", "ISC"}[i%4]
		c.Licenses = []lic{l}
		comps[i] = c
	}
	// Edges only go from a lower to a higher index: the graph is acyclic.
	out := make(map[int][]string)
	count := 0
	rootDeps := []string{}
	for i := 0; i < n && i < 20; i++ {
		rootDeps = append(rootDeps, comps[i].Ref)
		count++
	}
	seen := make(map[[2]int]bool)
	for k := 1; count < edges && k < 60; k++ {
		for i := 0; i < n-1 && count < edges; i++ {
			span := n - i - 1
			j := i + 1 + int((uint64(i)*2654435761+uint64(k)*40503)%uint64(min(span, 2000)))
			if seen[[2]int{i, j}] {
				continue
			}
			seen[[2]int{i, j}] = true
			out[i] = append(out[i], comps[j].Ref)
			count++
		}
	}
	deps := []dep{{Ref: "root", DependsOn: rootDeps}}
	for i := range comps {
		deps = append(deps, dep{Ref: comps[i].Ref, DependsOn: nonNil(out[i])})
	}
	doc := map[string]any{
		"bomFormat":    "CycloneDX",
		"specVersion":  "1.6",
		"serialNumber": fmt.Sprintf("urn:uuid:00000000-0000-4000-8000-%012d", n),
		"version":      1,
		"metadata": map[string]any{
			"timestamp": "2026-01-01T00:00:00Z",
			"component": map[string]any{"bom-ref": "root", "type": "application", "name": "generated-app" + tag, "version": "1.0.0"},
		},
		"components":   comps,
		"dependencies": deps,
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return b
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
