package compliance

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/text/encoding/charmap"
)

// Page geometry of the PDF rendering, in millimetres (A4 portrait).
const (
	pdfMarginLeft   = 18.0
	pdfMarginRight  = 18.0
	pdfMarginTop    = 20.0
	pdfMarginBottom = 20.0
	pdfLine         = 5.0 // body text line height
	pdfCellLine     = 4.0 // table text line height
	pdfCellPad      = 1.0 // vertical padding in table cells
)

// PDF renders d as a PDF (A4): a title block, headings (also as the
// document outline), wrapped paragraphs and lists, and tables whose cells
// wrap and whose header row is repeated on every page they run onto; each
// page has the title at the top and "Page X of Y" with the generation date
// at the bottom. The text uses the core font Helvetica in Windows-1252;
// characters outside that code page print as "?".
func (d *Document) PDF() ([]byte, error) {
	d = d.clean()
	r := &pdfRenderer{f: fpdf.New("P", "mm", "A4", "")}
	f := r.f
	f.SetMargins(pdfMarginLeft, pdfMarginTop, pdfMarginRight)
	f.SetAutoPageBreak(true, pdfMarginBottom)
	f.AliasNbPages("{nb}")
	f.SetTitle(d.Title, true)
	if d.Subtitle != "" {
		f.SetSubject(d.Subtitle, true)
	}
	f.SetCreator("cradle", false)
	f.SetCatalogSort(true) // the same document gives the same bytes
	f.SetCreationDate(d.Generated)
	f.SetModificationDate(d.Generated)
	generated := d.Generated.UTC().Format("2006-01-02 15:04 UTC")
	runningTitle := truncate(d.Title, 90)
	f.SetHeaderFuncMode(func() {
		if f.PageNo() == 1 {
			return
		}
		f.SetY(10)
		r.font("", 8)
		f.SetTextColor(90, 90, 90)
		f.CellFormat(0, 5, r.tr(runningTitle), "", 0, "L", false, 0, "")
		f.SetDrawColor(180, 180, 180)
		f.Line(pdfMarginLeft, 15.5, r.pageWidth()-pdfMarginRight, 15.5)
		f.SetTextColor(0, 0, 0)
		f.SetDrawColor(0, 0, 0)
	}, true)
	f.SetFooterFunc(func() {
		f.SetY(-14)
		r.font("", 8)
		f.SetTextColor(90, 90, 90)
		f.CellFormat(0, 5, r.tr("Generated "+generated+" by cradle"), "", 0, "L", false, 0, "")
		f.SetX(pdfMarginLeft)
		f.CellFormat(0, 5, fmt.Sprintf("Page %d of {nb}", f.PageNo()), "", 0, "R", false, 0, "")
		f.SetTextColor(0, 0, 0)
	})
	f.AddPage()
	r.titleBlock(d)
	for _, s := range d.Sections {
		r.section(s)
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("render %s as pdf: %w", d.Title, err)
	}
	return buf.Bytes(), nil
}

type pdfRenderer struct {
	f *fpdf.Fpdf
}

func (r *pdfRenderer) font(style string, size float64) { r.f.SetFont("Helvetica", style, size) }

func (r *pdfRenderer) pageWidth() float64 { w, _ := r.f.GetPageSize(); return w }

// limit is the lowest y text may reach on a page.
func (r *pdfRenderer) limit() float64 { _, h := r.f.GetPageSize(); return h - pdfMarginBottom }

func (r *pdfRenderer) width() float64 { return r.pageWidth() - pdfMarginLeft - pdfMarginRight }

// pdfSubstitutes spell out common characters Windows-1252 lacks.
var pdfSubstitutes = strings.NewReplacer("≥", ">=", "≤", "<=", "→", "->", "←", "<-", "≠", "!=", "✓", "yes", "✔", "yes",
	"✗", "x", "\t", "    ", "\u00a0", " ", "\u2009", " ", "\u202f", " ", "\u2011", "-", "\u2010", "-")

// tr converts UTF-8 text to the Windows-1252 bytes the core fonts use.
func (r *pdfRenderer) tr(s string) string {
	s = pdfSubstitutes.Replace(s)
	b := make([]byte, 0, len(s))
	for _, c := range s {
		if c < 0x80 {
			b = append(b, byte(c))
			continue
		}
		if x, ok := charmap.Windows1252.EncodeRune(c); ok {
			b = append(b, x)
		} else {
			b = append(b, '?')
		}
	}
	return string(b)
}

func (r *pdfRenderer) titleBlock(d *Document) {
	f := r.f
	r.font("B", 20)
	f.MultiCell(0, 9, r.tr(d.Title), "", "L", false)
	f.Bookmark(r.tr(d.Title), 0, -1)
	if d.Subtitle != "" {
		r.font("", 12)
		f.SetTextColor(60, 60, 60)
		f.MultiCell(0, 6, r.tr(d.Subtitle), "", "L", false)
		f.SetTextColor(0, 0, 0)
	}
	f.Ln(3)
	const labelW = 48.0
	for _, m := range d.Meta {
		y := f.GetY()
		if y+pdfLine > r.limit() {
			f.AddPage()
			y = f.GetY()
		}
		page := f.PageNo()
		r.font("B", 9.5)
		f.SetXY(pdfMarginLeft, y)
		label := r.f.SplitLines([]byte(r.tr(m[0])), labelW)
		for i, l := range label {
			f.SetXY(pdfMarginLeft, y+float64(i)*pdfLine)
			f.CellFormat(labelW, pdfLine, string(l), "", 0, "L", false, 0, "")
		}
		r.font("", 9.5)
		f.SetXY(pdfMarginLeft+labelW, y)
		f.MultiCell(r.width()-labelW, pdfLine, r.tr(m[1]), "", "L", false)
		if end := y + float64(len(label))*pdfLine; f.PageNo() == page && f.GetY() < end {
			f.SetY(end)
		}
	}
	f.Ln(2)
	f.SetLineWidth(0.5)
	f.Line(pdfMarginLeft, f.GetY(), r.pageWidth()-pdfMarginRight, f.GetY())
	f.SetLineWidth(0.2)
	f.Ln(4)
}

func (r *pdfRenderer) section(s Section) {
	f := r.f
	size, before := 13.0, 6.0
	if s.Level > 0 {
		size, before = 11, 4
	}
	// Keep a heading with the first lines of its content.
	if f.GetY()+before+22 > r.limit() {
		f.AddPage()
	} else {
		f.Ln(before)
	}
	r.font("B", size)
	f.Bookmark(r.tr(s.Heading), 1+s.Level, -1)
	f.MultiCell(0, size*0.5, r.tr(s.Heading), "", "L", false)
	if s.Level == 0 {
		f.SetDrawColor(160, 160, 160)
		f.Line(pdfMarginLeft, f.GetY()+0.5, r.pageWidth()-pdfMarginRight, f.GetY()+0.5)
		f.SetDrawColor(0, 0, 0)
	}
	f.Ln(2)
	r.font("", 10)
	for _, p := range s.Paragraphs {
		f.MultiCell(0, pdfLine, r.tr(p), "", "L", false)
		f.Ln(1.5)
	}
	if s.Table != nil {
		r.table(s.Table)
	}
	r.font("", 10)
	for _, it := range s.Items {
		r.bullet(it)
	}
	for _, l := range s.Links {
		r.bullet(l.Text + ": " + l.Href)
	}
}

func (r *pdfRenderer) bullet(text string) {
	f := r.f
	if f.GetY()+pdfLine > r.limit() {
		f.AddPage()
	}
	f.SetX(pdfMarginLeft + 2)
	f.CellFormat(4, pdfLine, "\x95", "", 0, "L", false, 0, "")
	f.MultiCell(r.width()-6, pdfLine, r.tr(text), "", "L", false)
	f.Ln(0.8)
}

// table draws t with wrapped cells. Automatic page breaks are off while
// it draws: it breaks pages itself, between rows or, for a row taller than
// a page, between lines of the row, and repeats the header each time.
func (r *pdfRenderer) table(t *Table) {
	f := r.f
	if len(t.Header) == 0 && len(t.Rows) == 0 {
		return
	}
	f.SetAutoPageBreak(false, pdfMarginBottom)
	defer f.SetAutoPageBreak(true, pdfMarginBottom)
	const size = 8.5
	n := len(t.Header)
	if n == 0 {
		n = len(t.Rows[0]) // clean gave every row the same number of cells
	}
	header := make([]string, n)
	for i, h := range t.Header {
		header[i] = r.tr(h)
	}
	rows := make([][]string, len(t.Rows))
	for i, row := range t.Rows {
		rows[i] = make([]string, len(row))
		for j, c := range row {
			rows[i][j] = r.tr(c)
		}
	}
	widths := r.columnWidths(header, rows, size)
	split := func(cells []string) ([][][]byte, int) {
		out := make([][][]byte, len(cells))
		n := 1
		for i, c := range cells {
			out[i] = f.SplitLines([]byte(c), widths[i])
			if len(out[i]) > n {
				n = len(out[i])
			}
		}
		return out, n
	}
	r.font("B", size)
	headLines, headN := split(header)
	drawHeader := func() {
		if len(t.Header) == 0 {
			r.font("", size)
			return
		}
		r.font("B", size)
		f.SetFillColor(232, 232, 232)
		r.rowChunk(headLines, widths, 0, headN, true)
		r.font("", size)
	}
	// Start on a new page when not even the header and one line fit.
	if f.GetY()+float64(headN+1)*pdfCellLine+4*pdfCellPad > r.limit() {
		f.AddPage()
	}
	drawHeader()
	for _, row := range rows {
		lines, n := split(row)
		for from := 0; from < n; {
			room := int((r.limit() - f.GetY() - 2*pdfCellPad) / pdfCellLine)
			need := min(n-from, 3) // do not leave a row's first line or two alone at a page end
			if room < need {
				f.AddPage()
				drawHeader()
				room = max(int((r.limit()-f.GetY()-2*pdfCellPad)/pdfCellLine), 1)
			}
			k := min(room, n-from)
			r.rowChunk(lines, widths, from, k, false)
			from += k
		}
	}
	f.Ln(3)
}

// rowChunk draws lines [from, from+k) of a row's cells at the current y.
func (r *pdfRenderer) rowChunk(lines [][][]byte, widths []float64, from, k int, fill bool) {
	f := r.f
	y0 := f.GetY()
	h := float64(k)*pdfCellLine + 2*pdfCellPad
	x := pdfMarginLeft
	style := "D"
	if fill {
		style = "FD"
	}
	f.SetDrawColor(150, 150, 150)
	for i, w := range widths {
		f.Rect(x, y0, w, h, style)
		for j := from; j < from+k && j < len(lines[i]); j++ {
			f.SetXY(x, y0+pdfCellPad+float64(j-from)*pdfCellLine)
			f.CellFormat(w, pdfCellLine, string(lines[i][j]), "", 0, "L", false, 0, "")
		}
		x += w
	}
	f.SetDrawColor(0, 0, 0)
	f.SetXY(pdfMarginLeft, y0+h)
}

// columnWidths sizes the columns like a browser's automatic table layout:
// each column gets at least its longest word (up to a cap; longer words
// break) and the rest of the width in proportion to how much wider its
// content would like to be.
func (r *pdfRenderer) columnWidths(header []string, rows [][]string, size float64) []float64 {
	f := r.f
	avail := r.width()
	n := len(header)
	pad := 2*f.GetCellMargin() + 0.5
	natural := make([]float64, n)
	minimum := make([]float64, n)
	measure := func(col int, s string) {
		for _, line := range strings.Split(s, "\n") {
			if w := f.GetStringWidth(line) + pad; w > natural[col] {
				natural[col] = w
			}
			for _, word := range strings.Fields(line) {
				if w := f.GetStringWidth(word) + pad; w > minimum[col] {
					minimum[col] = w
				}
			}
		}
	}
	r.font("B", size)
	for i, h := range header {
		measure(i, h)
	}
	r.font("", size)
	for _, row := range rows {
		for i := 0; i < n && i < len(row); i++ {
			measure(i, row[i])
		}
	}
	var sumNat, sumMin float64
	for i := range n {
		minimum[i] = min(max(minimum[i], 10), 38)
		natural[i] = max(natural[i], minimum[i])
		sumNat += natural[i]
		sumMin += minimum[i]
	}
	out := make([]float64, n)
	if sumNat <= avail {
		for i := range n {
			out[i] = natural[i] * avail / sumNat
		}
		return out
	}
	// Narrow columns (IDs, statuses, dates) keep their natural width so
	// they do not wrap, unless they would take most of the page; the wide
	// ones share the rest.
	const narrow = 32.0
	var sumFixed float64
	fixed := make([]bool, n)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(natural[a], natural[b]) })
	for _, i := range order {
		if natural[i] > narrow || sumFixed+natural[i] > avail*0.7 {
			break
		}
		fixed[i], sumFixed = true, sumFixed+natural[i]
	}
	if sumFixed == avail || !slices.Contains(fixed, false) {
		clear(fixed)
		sumFixed = 0
	}
	rest := avail - sumFixed
	sumNat, sumMin = 0, 0
	for i := range n {
		if fixed[i] {
			out[i] = natural[i]
			continue
		}
		sumNat += natural[i]
		sumMin += minimum[i]
	}
	for i := range n {
		switch {
		case fixed[i]:
		case sumMin >= rest:
			out[i] = minimum[i] * rest / sumMin
		default:
			out[i] = minimum[i] + (rest-sumMin)*(natural[i]-minimum[i])/(sumNat-sumMin)
		}
	}
	return out
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
