// Command cwegen writes csaf/cwedata.go, the CWE list that test 6.1.11
// checks names against, from the list that BSI's reference validator
// @secvisogram/csaf-validator-lib ships and uses for its test 6.1.11
// (lib/shared/cwec.js, imported by lib/mandatoryTests/mandatoryTest_6_1_11.js).
// It is run by hand, not at build time: the generated file is committed.
//
//	dir=$(mktemp -d) && (cd "$dir" && npm init -y >/dev/null &&
//	    npm install @secvisogram/csaf-validator-lib@2.0.10)
//	go run ./csaf/internal/cwegen -o csaf/cwedata.go "$dir/node_modules/@secvisogram/csaf-validator-lib"
//
// lib/shared/cwec.js states no version of the CWE list. The package also
// ships each CWE release by itself (lib/cwec/<version>.js, with the
// release date); cwegen names the release whose ID → name pairs are exactly
// those of lib/shared/cwec.js, and stops if none is (unless -version says
// which it is). Names are copied byte for byte, white space included.
//
// The .js files are prettier-formatted JavaScript modules holding one
// object literal; cwegen reads that literal with the small parser below
// (strings, numbers, identifiers as keys, objects, arrays, comments), so
// node is not needed.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"log"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

const pkgName = "@secvisogram/csaf-validator-lib"

func main() {
	log.SetFlags(0)
	log.SetPrefix("cwegen: ")
	out := flag.String("o", "csaf/cwedata.go", "the Go file to write")
	version := flag.String("version", "", "the CWE list version of lib/shared/cwec.js, when no lib/cwec/<version>.js matches it")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: go run ./csaf/internal/cwegen [-o csaf/cwedata.go] [-version V] node_modules/%s\n", pkgName)
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	src, err := generate(flag.Arg(0), *version)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatal(err)
	}
}

// release is one CWE list of the package.
type release struct {
	version, date string
	names         map[string]string // "CWE-79" → name
}

func generate(dir, version string) ([]byte, error) {
	var pkg struct{ Name, Version, License string }
	if err := readJSON(filepath.Join(dir, "package.json"), &pkg); err != nil {
		return nil, err
	}
	if pkg.Name != pkgName {
		return nil, fmt.Errorf("%s is %q, not %s", dir, pkg.Name, pkgName)
	}
	// The list test 6.1.11 (CSAF 2.0) uses is the one its module imports.
	test, err := os.ReadFile(filepath.Join(dir, "lib", "mandatoryTests", "mandatoryTest_6_1_11.js"))
	if err != nil {
		return nil, err
	}
	if !regexp.MustCompile(`(?m)^import cwec from '\.\./shared/cwec\.js'$`).Match(test) {
		return nil, errors.New("mandatoryTest_6_1_11.js does not import ../shared/cwec.js: look again which list it uses")
	}
	list, err := readList(filepath.Join(dir, "lib", "shared", "cwec.js"))
	if err != nil {
		return nil, err
	}
	date := ""
	if version == "" {
		files, _ := filepath.Glob(filepath.Join(dir, "lib", "cwec", "*.js"))
		for _, f := range files {
			r, err := readList(f)
			if err != nil {
				return nil, err
			}
			if maps.Equal(r.names, list.names) {
				version, date = strings.TrimSuffix(filepath.Base(f), ".js"), r.date
			}
		}
		if version == "" {
			return nil, errors.New("no lib/cwec/<version>.js has the IDs and names of lib/shared/cwec.js: give -version")
		}
	}
	return render(pkg.Name, pkg.Version, pkg.License, version, date, list.names)
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

var idPattern = regexp.MustCompile(`^CWE-[1-9][0-9]{0,5}$`) // the CSAF 2.0 schema's

// readList reads a module "export default ({ date?: ..., weaknesses: [{ id, name, ... }] })".
func readList(path string) (*release, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	p := &parser{src: string(data), path: path}
	v, err := p.module()
	if err != nil {
		return nil, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: the default export is not an object", path)
	}
	r := &release{names: map[string]string{}}
	if d, ok := obj["date"].(string); ok {
		r.date = d
	}
	ws, ok := obj["weaknesses"].([]any)
	if !ok || len(ws) == 0 {
		return nil, fmt.Errorf("%s: no weaknesses array", path)
	}
	for i, w := range ws {
		o, _ := w.(map[string]any)
		id, _ := o["id"].(string)
		name, _ := o["name"].(string)
		if !idPattern.MatchString(id) || name == "" {
			return nil, fmt.Errorf("%s: weakness %d: id %q, name %q", path, i, id, name)
		}
		if _, dup := r.names[id]; dup {
			return nil, fmt.Errorf("%s: %s twice", path, id)
		}
		r.names[id] = name
	}
	return r, nil
}

func render(pkg, pkgVersion, license, version, date string, names map[string]string) ([]byte, error) {
	ids := slices.SortedFunc(maps.Keys(names), func(a, b string) int {
		x, _ := strconv.Atoi(a[4:])
		y, _ := strconv.Atoi(b[4:])
		return x - y
	})
	released := ""
	if date != "" {
		released = " (" + date + ")"
	}
	var spaced []string
	for _, id := range ids {
		if n := names[id]; strings.TrimSpace(n) != n {
			spaced = append(spaced, id)
		}
	}
	year := "2025"
	if len(date) >= 4 {
		year = date[:4]
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `// Code generated by "go run ./csaf/internal/cwegen -o csaf/cwedata.go node_modules/%[1]s"; DO NOT EDIT.
//
// Source: the npm package %[1]s %[2]s, BSI's CSAF
// reference validator (licence %[3]s; Copyright (c) 2022-present Bundesamt
// für Sicherheit in der Informationstechnik (BSI)): lib/shared/cwec.js, the
// list its test 6.1.11 checks against. That file states no version; its IDs
// and names are exactly those of the package's lib/cwec/%[4]s.js, which is
// CWE list version %[4]s%[5]s. It holds the list's weaknesses only (no
// categories, no views). Names are copied byte for byte.
//
// The CWE list: Copyright © 2006–%[6]s, The MITRE Corporation. CWE, CWSS,
// CWRAF, and the CWE logo are trademarks of The MITRE Corporation.
// CWE Terms of Use (https://cwe.mitre.org/about/termsofuse.html): "CWE™ is
// free to use by any organization or individual for any research,
// development, and/or commercial purposes, per these CWE Terms of Use.
// Accordingly, The MITRE Corporation hereby grants you a non-exclusive,
// royalty-free license to use CWE for research, development, and commercial
// purposes. Any copy you make for such purposes is authorized on the
// condition that you reproduce MITRE’s copyright designation and this
// license in any such copy. CWE is a trademark of The MITRE Corporation."
// MITRE provides the CWE list "as is", without warranty of any kind (see the
// disclaimers of the Terms of Use).

package csaf

// cweListVersion is the version of the CWE list in cweNames.
const cweListVersion = %[7]q

// cweNames maps the ID of each weakness of CWE list %[4]s (%[8]d weaknesses)
// to its name.
`, pkg, pkgVersion, license, version, released, year, version, len(ids))
	if len(spaced) > 0 {
		fmt.Fprintf(&b, "// These names begin or end with white space, as the list gives them: %s.\n", strings.Join(spaced, ", "))
	}
	b.WriteString("var cweNames = map[string]string{\n")
	for _, id := range ids {
		fmt.Fprintf(&b, "\t%q: %q,\n", id, names[id])
	}
	b.WriteString("}\n")
	return format.Source(b.Bytes())
}

// parser reads the JavaScript subset of the package's data modules.
type parser struct {
	src  string
	pos  int
	path string
}

func (p *parser) errorf(format string, args ...any) error {
	line := 1 + strings.Count(p.src[:p.pos], "\n")
	return fmt.Errorf("%s:%d: %s", p.path, line, fmt.Sprintf(format, args...))
}

// skip passes white space and comments.
func (p *parser) skip() {
	for p.pos < len(p.src) {
		switch {
		case strings.ContainsRune(" \t\r\n", rune(p.src[p.pos])):
			p.pos++
		case strings.HasPrefix(p.src[p.pos:], "//"):
			end := strings.IndexByte(p.src[p.pos:], '\n')
			if end < 0 {
				end = len(p.src) - p.pos
			}
			p.pos += end
		case strings.HasPrefix(p.src[p.pos:], "/*"):
			end := strings.Index(p.src[p.pos+2:], "*/")
			if end < 0 {
				p.pos = len(p.src)
				return
			}
			p.pos += 2 + end + 2
		default:
			return
		}
	}
}

func (p *parser) eat(tok string) bool {
	p.skip()
	if strings.HasPrefix(p.src[p.pos:], tok) {
		p.pos += len(tok)
		return true
	}
	return false
}

// module reads "export default VALUE" or "export default (VALUE)", with an
// optional semicolon, and nothing after it.
func (p *parser) module() (any, error) {
	if !p.eat("export") || !p.eat("default") {
		return nil, p.errorf("expected export default")
	}
	paren := p.eat("(")
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	if paren && !p.eat(")") {
		return nil, p.errorf("expected )")
	}
	p.eat(";")
	p.skip()
	if p.pos != len(p.src) {
		return nil, p.errorf("unexpected text after the value")
	}
	return v, nil
}

func (p *parser) value() (any, error) {
	p.skip()
	if p.pos >= len(p.src) {
		return nil, p.errorf("unexpected end")
	}
	switch c := p.src[p.pos]; {
	case c == '{':
		p.pos++
		obj := map[string]any{}
		for !p.eat("}") {
			p.skip()
			var key string
			var err error
			if p.pos < len(p.src) && (p.src[p.pos] == '\'' || p.src[p.pos] == '"') {
				key, err = p.str()
			} else {
				key, err = p.ident()
			}
			if err != nil {
				return nil, err
			}
			if !p.eat(":") {
				return nil, p.errorf("expected : after %s", key)
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			obj[key] = v
			if !p.eat(",") {
				if !p.eat("}") {
					return nil, p.errorf("expected , or }")
				}
				break
			}
		}
		return obj, nil
	case c == '[':
		p.pos++
		var arr []any
		for !p.eat("]") {
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
			if !p.eat(",") {
				if !p.eat("]") {
					return nil, p.errorf("expected , or ]")
				}
				break
			}
		}
		return arr, nil
	case c == '\'' || c == '"':
		return p.str()
	case c == '-' || c >= '0' && c <= '9':
		start := p.pos
		p.pos++
		for p.pos < len(p.src) && strings.IndexByte("0123456789.eE+-", p.src[p.pos]) >= 0 {
			p.pos++
		}
		f, err := strconv.ParseFloat(p.src[start:p.pos], 64)
		if err != nil {
			return nil, p.errorf("bad number %q", p.src[start:p.pos])
		}
		return f, nil
	default:
		id, err := p.ident()
		if err != nil {
			return nil, err
		}
		switch id {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null", "undefined":
			return nil, nil
		}
		return nil, p.errorf("unexpected identifier %s", id)
	}
}

func (p *parser) ident() (string, error) {
	start := p.pos
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || p.pos > start && c >= '0' && c <= '9' {
			p.pos++
			continue
		}
		break
	}
	if p.pos == start {
		return "", p.errorf("unexpected %q", p.src[p.pos:min(p.pos+10, len(p.src))])
	}
	return p.src[start:p.pos], nil
}

// str reads a single- or double-quoted JavaScript string literal.
func (p *parser) str() (string, error) {
	quote := p.src[p.pos]
	p.pos++
	var b strings.Builder
	for {
		if p.pos >= len(p.src) {
			return "", p.errorf("unterminated string")
		}
		c := p.src[p.pos]
		switch {
		case c == quote:
			p.pos++
			return b.String(), nil
		case c == '\n' || c == '\r':
			return "", p.errorf("newline in string")
		case c != '\\':
			b.WriteByte(c)
			p.pos++
			continue
		}
		p.pos++ // the backslash
		if p.pos >= len(p.src) {
			return "", p.errorf("unterminated string")
		}
		e := p.src[p.pos]
		p.pos++
		switch e {
		case '\\', '\'', '"', '/':
			b.WriteByte(e)
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case '0':
			b.WriteByte(0)
		case 'u':
			r, err := p.unicodeEscape()
			if err != nil {
				return "", err
			}
			if r >= 0xD800 && r < 0xDC00 && strings.HasPrefix(p.src[p.pos:], `\u`) { // a surrogate pair
				p.pos += 2
				lo, err := p.unicodeEscape()
				if err != nil {
					return "", err
				}
				r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
			}
			if !utf8.ValidRune(r) {
				return "", p.errorf("invalid \\u escape")
			}
			b.WriteRune(r)
		default:
			return "", p.errorf("unsupported escape \\%c", e)
		}
	}
}

// unicodeEscape reads the "XXXX" or "{X...}" of a \u escape.
func (p *parser) unicodeEscape() (rune, error) {
	var hex string
	if strings.HasPrefix(p.src[p.pos:], "{") {
		end := strings.IndexByte(p.src[p.pos:], '}')
		if end < 0 {
			return 0, p.errorf("bad \\u{...} escape")
		}
		hex, p.pos = p.src[p.pos+1:p.pos+end], p.pos+end+1
	} else {
		if p.pos+4 > len(p.src) {
			return 0, p.errorf("bad \\u escape")
		}
		hex, p.pos = p.src[p.pos:p.pos+4], p.pos+4
	}
	n, err := strconv.ParseUint(hex, 16, 32)
	if err != nil {
		return 0, p.errorf("bad \\u escape %q", hex)
	}
	return rune(n), nil
}
