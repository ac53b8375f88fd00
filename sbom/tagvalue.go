package sbom

import (
	"bytes"
	"regexp"
	"sort"
	"strings"
	"unicode"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/internal/locate"
	"github.com/spdx/tools-golang/spdx/common"
	tvreader "github.com/spdx/tools-golang/tagvalue/reader"

	v21reader "github.com/spdx/tools-golang/spdx/v2/v2_1/tagvalue/reader"
	v22reader "github.com/spdx/tools-golang/spdx/v2/v2_2/tagvalue/reader"
	v23reader "github.com/spdx/tools-golang/spdx/v2/v2_3/tagvalue/reader"
)

// The SPDX library parses tag-value in two steps, text to (tag, value)
// pairs and pairs to a model, and neither step keeps line numbers. This
// file finds the lines so that problems can be located; the parsing itself
// is the library's.

type tvPair struct {
	tag, value string
	line       int // where the tag starts, 1-based
}

// maxTagValueLine is the longest line the library's bufio.Scanner accepts.
const maxTagValueLine = 64 << 10

// lexTagValue splits data (lines ending in \n) into pairs the way the
// library's reader does, so that pair i here is pair i there, and reports
// the reader's lexical errors with their line.
func lexTagValue(name string, data []byte) ([]tvPair, *cradle.Problem) {
	var pairs []tvPair
	var text *tvPair // a <text> value spanning lines
	line := 0
	for len(data) > 0 {
		line++
		l := data
		if i := bytes.IndexByte(data[:min(len(data), maxTagValueLine+1)], '\n'); i >= 0 {
			l, data = data[:i], data[i+1:]
		} else if len(data) > maxTagValueLine {
			return nil, &cradle.Problem{Location: locate.AtLine(name, line), Message: "expected lines of at most 64 KiB, found a longer one"}
		} else {
			data = nil
		}
		if len(l) > maxTagValueLine {
			return nil, &cradle.Problem{Location: locate.AtLine(name, line), Message: "expected lines of at most 64 KiB, found a longer one"}
		}
		s := strings.TrimSuffix(string(l), "\r")
		if text != nil {
			if before, _, ok := strings.Cut(s, "</text>"); ok {
				text.value += before
				pairs = append(pairs, *text)
				text = nil
			} else {
				text.value += s + "\n"
			}
			continue
		}
		t := strings.TrimLeftFunc(s, unicode.IsSpace)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		tag, value, ok := strings.Cut(t, ":")
		if !ok {
			return nil, &cradle.Problem{Location: locate.AtLine(name, line),
				Message: "expected \"Tag: value\", found " + locate.Quote(t)}
		}
		p := tvPair{tag: strings.TrimSpace(tag), line: line}
		if _, after, ok := strings.Cut(value, "<text>"); ok {
			if v, _, ok := strings.Cut(after, "</text>"); ok {
				p.value = v
			} else {
				p.value = after + "\n"
				text = &p
				continue
			}
		} else {
			p.value = strings.TrimSpace(value)
		}
		pairs = append(pairs, p)
	}
	if text != nil {
		return nil, &cradle.Problem{Location: locate.AtLine(name, text.line),
			Message: "expected </text> to close the <text> of " + text.tag + ", found the end of the file"}
	}
	return pairs, nil
}

type tagValueParse func([]tvreader.TagValuePair) (common.AnyDocument, error)

func tagValueParser(spec string) tagValueParse {
	switch spec {
	case "2.1":
		return func(p []tvreader.TagValuePair) (common.AnyDocument, error) { return v21reader.ParseTagValues(p) }
	case "2.2":
		return func(p []tvreader.TagValuePair) (common.AnyDocument, error) { return v22reader.ParseTagValues(p) }
	}
	return func(p []tvreader.TagValuePair) (common.AnyDocument, error) { return v23reader.ParseTagValues(p) }
}

var missingID = regexp.MustCompile(`^(?:file|package) with (FileName|PackageName) (.*) does not have SPDX identifier$`)

// locateError finds the line of the pair the library's parser failed on.
// The parser consumes pairs in order and stops at the first bad one, so
// "parsing the first k pairs fails" is monotonic in k, and a binary search
// finds the smallest such k in O(log n) parses. Only errors raised at the
// end of parsing (a package or file left without an SPDXID) break that
// property; those name the package or file, which is then looked up.
func (tv *tagValue) locateError(pairs []tvreader.TagValuePair, parse tagValueParse, err error) cradle.Problem {
	msg := err.Error()
	if m := missingID.FindStringSubmatch(msg); m != nil {
		for _, p := range tv.pairs {
			if p.tag == m[1] && p.value == m[2] {
				return cradle.Problem{Location: locate.AtLine(tv.name, p.line), Message: "expected an SPDXID for " + m[2] + ", found none"}
			}
		}
		return cradle.Problem{Location: atFile(tv.name), Message: msg}
	}
	k := failingPair(pairs, parse)
	if k < 0 || len(pairs) != len(tv.pairs) {
		return cradle.Problem{Location: atFile(tv.name), Message: msg}
	}
	p := tv.pairs[k]
	return cradle.Problem{Location: locate.AtLine(tv.name, p.line), Message: p.tag + ": " + msg}
}

// failingPair returns the index of the pair the parser fails on, or -1.
func failingPair(pairs []tvreader.TagValuePair, parse tagValueParse) int {
	fails := func(k int) bool {
		_, err := parse(pairs[:k])
		return err != nil && !missingID.MatchString(err.Error())
	}
	k := sort.Search(len(pairs)+1, fails)
	if k == 0 || k > len(pairs) {
		return -1
	}
	return k - 1
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// index finds the pairs that locate packages and relationships.
func (tv *tagValue) index() {
	tv.pkgs, tv.rels = nil, nil
	for i, p := range tv.pairs {
		switch p.tag {
		case "PackageName":
			tv.pkgs = append(tv.pkgs, i)
		case "Relationship":
			tv.rels = append(tv.rels, i)
		}
	}
}

// snippetTags are the tags of an SPDX snippet section; no other section
// uses them.
var snippetTags = map[string]bool{
	"SnippetSPDXID": true, "SnippetFromFileSPDXID": true, "SnippetByteRange": true,
	"SnippetLineRange": true, "SnippetLicenseConcluded": true, "LicenseInfoInSnippet": true,
	"SnippetLicenseComments": true, "SnippetCopyrightText": true, "SnippetComment": true,
	"SnippetName": true, "SnippetAttributionText": true,
}
