package compliance

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Documents: the compliance documents (self-assessment, statement of
// applicability, EU declaration of conformity, Annex II user information,
// the Annex VII technical documentation) are built once as a Document and
// rendered two ways, as a self-contained HTML page and as a PDF, so the two
// never say different things.

// Document is a compliance document: a title block and sections.
type Document struct {
	Title    string
	Subtitle string
	// Meta are the label/value pairs of the title block (product,
	// manufacturer, scope ...).
	Meta     [][2]string
	Sections []Section
	// Generated is when the document was built; the footer shows it.
	Generated time.Time
}

// Section is a heading with, in this order, paragraphs, a table, a list
// and links.
type Section struct {
	Heading string
	// Level 0 is a main section, 1 a sub-section.
	Level      int
	Paragraphs []string
	Table      *Table
	Items      []string
	// Links are relative links to other files of a bundle (the index of
	// the technical documentation).
	Links []Link
}

// Table is a table with a header row (none when every header cell is
// empty); a cell may hold several lines.
type Table struct {
	Header []string
	Rows   [][]string
}

// Link is a link to a file next to the document.
type Link struct {
	Text string
	Href string
}

//go:embed doctemplates/*.html
var docTemplateFS embed.FS

// docTemplate is parsed once; a missing or broken template fails at start.
var docTemplate = template.Must(template.New("document.html").Funcs(template.FuncMap{
	"datetime": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"heading":  func(level int) bool { return level <= 0 },
}).ParseFS(docTemplateFS, "doctemplates/document.html"))

// HTML renders d as a complete HTML5 page with its style inline (the file
// is downloaded and opened without the server's stylesheet). Every value is
// escaped by html/template; the markup is also well-formed XML.
func (d *Document) HTML() ([]byte, error) {
	var buf bytes.Buffer
	if err := docTemplate.Execute(&buf, d.clean()); err != nil {
		return nil, fmt.Errorf("render %s as html: %w", d.Title, err)
	}
	return buf.Bytes(), nil
}

// clean returns a copy of d whose text carries no control characters
// (other than line breaks and tabs) and no invalid UTF-8, and whose tables
// have as many cells per row as headers: neither HTML nor PDF can show
// the rest, and XML parsers refuse it.
func (d *Document) clean() *Document {
	c := &Document{Title: printable(d.Title), Subtitle: printable(d.Subtitle), Generated: d.Generated}
	if c.Generated.IsZero() {
		c.Generated = time.Now().UTC()
	}
	for _, m := range d.Meta {
		c.Meta = append(c.Meta, [2]string{printable(m[0]), printable(m[1])})
	}
	for _, s := range d.Sections {
		cs := Section{Heading: printable(s.Heading), Level: s.Level}
		if cs.Level < 0 {
			cs.Level = 0
		} else if cs.Level > 1 {
			cs.Level = 1
		}
		for _, p := range s.Paragraphs {
			cs.Paragraphs = append(cs.Paragraphs, printable(p))
		}
		for _, it := range s.Items {
			cs.Items = append(cs.Items, printable(it))
		}
		for _, l := range s.Links {
			cs.Links = append(cs.Links, Link{Text: printable(l.Text), Href: printable(l.Href)})
		}
		if s.Table != nil {
			t := &Table{}
			for _, h := range s.Table.Header {
				t.Header = append(t.Header, printable(h))
			}
			n := len(t.Header)
			for _, r := range s.Table.Rows {
				if len(r) > n {
					n = len(r)
				}
			}
			if strings.TrimSpace(strings.Join(t.Header, "")) == "" {
				t.Header = nil // a table of label/value rows
			} else {
				for len(t.Header) < n {
					t.Header = append(t.Header, "")
				}
			}
			for _, r := range s.Table.Rows {
				row := make([]string, n)
				for i, v := range r {
					row[i] = printable(v)
				}
				t.Rows = append(t.Rows, row)
			}
			cs.Table = t
		}
		c.Sections = append(c.Sections, cs)
	}
	return c
}

// printable drops invalid UTF-8 and control characters except newline and
// tab, and normalises line ends.
func printable(s string) string {
	ok := true
	for _, r := range s {
		if r == utf8.RuneError || (unicode.IsControl(r) && r != '\n' && r != '\t') || r == '\uFFFE' || r == '\uFFFF' {
			ok = false
			break
		}
	}
	if ok && !strings.Contains(s, "\r") {
		return s
	}
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == utf8.RuneError, r == '\uFFFE', r == '\uFFFF':
			b.WriteRune('\uFFFD')
		case unicode.IsControl(r) && r != '\n' && r != '\t':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
