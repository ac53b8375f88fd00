package threatmodel

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"unicode/utf8"
)

// Diagram layout, in SVG user units (pixels).
const (
	nodeW    = 180.0
	nodeH    = 56.0
	ifaceH   = 16.0
	rowGap   = 36.0
	colGap   = 60.0
	pad      = 24.0
	labelH   = 28.0
	margin   = 20.0
	maxRows  = 6 // elements per column inside one boundary
	legendH  = 40.0
	maxChars = 26
	// maxBendCheck is the most elements for which flows bend around
	// the elements in their way.
	maxBendCheck = 300
)

type pt struct{ x, y float64 }

type diagram struct {
	m        *Model
	ix       *index
	children map[string][]string // boundary → child boundaries ("" = top level)
	elems    map[string][]string // boundary → elements ("" = outside)
	size     map[string]pt
	placed   map[string]bool
	centers  map[string]pt // element → centre of its shape
	out      bytes.Buffer
	boxes    bytes.Buffer // boundaries, drawn first
	nodes    bytes.Buffer
	labels   bytes.Buffer // flow labels, drawn last
}

// Diagram draws the model's data-flow diagram as a standalone SVG document
// (no scripts, no external references): trust boundaries as dashed,
// labelled rectangles with nested boundaries inside their parents,
// processes as rounded shapes, data stores as open-ended parallel lines,
// external entities as rectangles, flows as arrows labelled with their
// protocol (red when they cross a boundary unencrypted), and interfaces as
// tags under their element (debug ones in red). The layout is a column of
// elements per boundary (wrapping every six), boundaries side by side.
func Diagram(m *Model) []byte { return render(m).out.Bytes() }

func render(m *Model) *diagram {
	if m == nil {
		m = &Model{}
	}
	d := &diagram{m: m, ix: buildIndex(m), children: map[string][]string{}, elems: map[string][]string{},
		size: map[string]pt{}, placed: map[string]bool{}, centers: map[string]pt{}}
	var roots []string
	for _, b := range m.Boundaries {
		if d.placed[b.ID] {
			continue
		}
		d.placed[b.ID] = true
		p := b.Parent
		if p == b.ID || d.ix.boundaries[p] == nil || d.inCycle(b.ID) {
			roots = append(roots, b.ID)
			continue
		}
		d.children[p] = append(d.children[p], b.ID)
	}
	for _, e := range m.Elements {
		b := e.Boundary
		if d.ix.boundaries[b] == nil {
			b = ""
		}
		d.elems[b] = append(d.elems[b], e.ID)
	}
	clear(d.placed)

	// Top level: the elements outside every boundary, then the boundaries.
	x := margin
	height := 0.0
	if n := len(d.elems[""]); n > 0 {
		w, h := d.column("", x, margin+labelH)
		x += w + colGap
		height = max(height, h+labelH)
		fmt.Fprintf(&d.boxes, `<text x="%.0f" y="%.0f" class="outside">outside all trust boundaries</text>`+"\n", margin, margin+16)
	}
	for _, r := range roots {
		s := d.measure(r, 0)
		d.place(r, x, margin, 0)
		x += s.x + colGap
		height = max(height, s.y)
	}
	width := max(x-colGap+margin, 560)
	height += 2*margin + legendH

	d.out.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(&d.out, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&d.out, "<title>%s</title>\n", esc("Data-flow diagram: "+or(m.Product.Name, "threat model")))
	d.out.WriteString(`<defs>
<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker>
<marker id="arrow-red" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#c00"/></marker>
</defs>
<style>
.boundary{fill:none;stroke:#c00;stroke-width:1.5;stroke-dasharray:8 5}
.blabel{fill:#c00;font-weight:bold}
.outside{fill:#666;font-style:italic}
.process{fill:#e8f0fe;stroke:#1a56c4;stroke-width:1.5}
.store{stroke:#1a7f37;stroke-width:2}
.storebg{fill:#eaf7ee}
.external{fill:#f6f6f6;stroke:#333;stroke-width:2}
.name{font-weight:bold;text-anchor:middle}
.id{fill:#666;font-size:10px;text-anchor:middle}
.iface{font-size:10px;text-anchor:middle;fill:#333}
.debug{fill:#c00;font-weight:bold}
.flow{fill:none;stroke:#333;stroke-width:1.3}
.flow.risky{stroke:#c00;stroke-dasharray:5 3}
.flabel{font-size:11px;text-anchor:middle;paint-order:stroke;stroke:#fff;stroke-width:4px;stroke-linejoin:round}
</style>
`)
	d.out.Write(d.boxes.Bytes())
	d.flows()
	d.out.Write(d.nodes.Bytes())
	d.out.Write(d.labels.Bytes())
	d.legend(height - legendH)
	d.out.WriteString("</svg>\n")
	return d
}

func (d *diagram) inCycle(b string) bool {
	seen := map[string]bool{}
	for cur := b; cur != ""; {
		if seen[cur] {
			return true
		}
		seen[cur] = true
		bb := d.ix.boundaries[cur]
		if bb == nil {
			return false
		}
		cur = bb.Parent
	}
	return false
}

// elemH is the height an element takes in its column.
func (d *diagram) elemH(id string) float64 {
	return nodeH + ifaceH*float64(len(d.ix.elemIfs[id])) + rowGap
}

// columns splits a boundary's elements into columns of at most maxRows.
func (d *diagram) columns(b string) [][]string {
	var cols [][]string
	es := d.elems[b]
	for len(es) > 0 {
		n := min(len(es), maxRows)
		cols = append(cols, es[:n])
		es = es[n:]
	}
	return cols
}

// column places the element columns of boundary b with their top-left
// corner at x, y and returns their size.
func (d *diagram) column(b string, x, y float64) (w, h float64) {
	for _, col := range d.columns(b) {
		cy := y
		for _, id := range col {
			d.node(id, x+nodeW/2, cy+nodeH/2)
			cy += d.elemH(id)
		}
		h = max(h, cy-y)
		x += nodeW + colGap
		w += nodeW + colGap
	}
	if w > 0 {
		w -= colGap
	}
	return w, h
}

// measure computes the size of a boundary's box.
func (d *diagram) measure(b string, depth int) pt {
	if s, ok := d.size[b]; ok {
		return s
	}
	d.size[b] = pt{} // guards against cycles
	w, h := 0.0, 0.0
	for _, col := range d.columns(b) {
		ch := 0.0
		for _, id := range col {
			ch += d.elemH(id)
		}
		w += nodeW + colGap
		h = max(h, ch)
	}
	if depth < 50 {
		for _, c := range d.children[b] {
			s := d.measure(c, depth+1)
			w += s.x + colGap
			h = max(h, s.y)
		}
	}
	if w > 0 {
		w -= colGap
	}
	labelW := float64(utf8.RuneCountInString(truncate(d.ix.name(b), 40)))*7 + 10
	s := pt{max(w, labelW, nodeW) + 2*pad, h + labelH + pad}
	d.size[b] = s
	return s
}

// place draws boundary b with its top-left corner at x, y.
func (d *diagram) place(b string, x, y float64, depth int) {
	if d.placed[b] || depth > 50 {
		return
	}
	d.placed[b] = true
	s := d.measure(b, depth)
	bd := d.ix.boundaries[b]
	fmt.Fprintf(&d.boxes, `<g><title>%s</title><rect class="boundary" x="%.0f" y="%.0f" width="%.0f" height="%.0f" rx="6"/><text class="blabel" x="%.0f" y="%.0f">%s</text></g>`+"\n",
		esc("trust boundary "+b+": "+bd.Description), x, y, s.x, s.y, x+8, y+18, esc(truncate(d.ix.name(b), 40)))
	cx := x + pad
	w, _ := d.column(b, cx, y+labelH+pad/2)
	if w > 0 {
		cx += w + colGap
	}
	for _, c := range d.children[b] {
		d.place(c, cx, y+labelH, depth+1)
		cx += d.measure(c, depth+1).x + colGap
	}
}

// node draws an element centred on cx, cy, with its interfaces below.
func (d *diagram) node(id string, cx, cy float64) {
	e := d.ix.elements[id]
	d.centers[id] = pt{cx, cy}
	x, y := cx-nodeW/2, cy-nodeH/2
	fmt.Fprintf(&d.nodes, `<g><title>%s</title>`, esc(e.Kind+" "+e.ID+": "+e.Description))
	switch e.Kind {
	case Process:
		fmt.Fprintf(&d.nodes, `<rect class="process" x="%.0f" y="%.0f" width="%.0f" height="%.0f" rx="%.0f"/>`, x, y, nodeW, nodeH, nodeH/2)
	case Datastore:
		fmt.Fprintf(&d.nodes, `<rect class="storebg" x="%.0f" y="%.0f" width="%.0f" height="%.0f"/><line class="store" x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f"/><line class="store" x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f"/>`,
			x, y, nodeW, nodeH, x, y, x+nodeW, y, x, y+nodeH, x+nodeW, y+nodeH)
	default:
		fmt.Fprintf(&d.nodes, `<rect class="external" x="%.0f" y="%.0f" width="%.0f" height="%.0f"/>`, x, y, nodeW, nodeH)
	}
	fmt.Fprintf(&d.nodes, `<text class="name" x="%.0f" y="%.0f">%s</text><text class="id" x="%.0f" y="%.0f">%s</text></g>`+"\n",
		cx, cy-2, esc(truncate(or(e.Name, e.ID), maxChars)), cx, cy+14, esc(truncate(e.ID, 32)))
	ty := y + nodeH + 13
	for _, it := range d.ix.elemIfs[id] {
		label := it.Kind + ": " + truncate(or(it.Name, it.ID), 22)
		class := "iface"
		switch {
		case it.Debug && it.DisabledInProduction:
			label = "⚠ " + label + " [disabled]"
			class += " debug"
		case it.Debug:
			label = "⚠ " + label + " [ENABLED]"
			class += " debug"
		}
		fmt.Fprintf(&d.nodes, `<text class="%s" x="%.0f" y="%.0f"><title>%s</title>%s</text>`+"\n",
			class, cx, ty, esc("interface "+it.ID+": "+it.Description), esc(truncate(label, 48)))
		ty += ifaceH
	}
}

// flows draws the flows, spreading out those between the same two elements.
func (d *diagram) flows() {
	pairs := map[[2]string]int{}
	for i := range d.m.Flows {
		f := &d.m.Flows[i]
		a, okA := d.centers[f.From]
		b, okB := d.centers[f.To]
		if !okA || !okB || f.From == f.To {
			continue
		}
		key := [2]string{min(f.From, f.To), max(f.From, f.To)}
		n := pairs[key]
		pairs[key]++
		dx, dy := b.x-a.x, b.y-a.y
		l := math.Hypot(dx, dy)
		if l == 0 {
			continue
		}
		// Offset parallel flows sideways: 0, +14, -14, +28, ...
		off := float64((n+1)/2) * 14
		if n%2 == 1 {
			off = -off
		}
		if f.From > f.To {
			off = -off // same side whatever the direction
		}
		nx, ny := -dy/l*off, dx/l*off
		a, b = pt{a.x + nx, a.y + ny}, pt{b.x + nx, b.y + ny}
		// Flows whose straight line would cross another element bend
		// around it.
		c := pt{(a.x + b.x) / 2, (a.y + b.y) / 2}
		curved := d.blocked(a, b, f.From, f.To)
		if curved {
			bend := 2 * (nodeW/2 + 30)
			if math.Abs(dx) > math.Abs(dy) {
				bend = 2 * (nodeH/2 + 30)
			}
			c.x += -dy / l * (bend + off)
			c.y += dx / l * (bend + off)
		}
		a1, b1 := clip(a, c), clip(b, c)
		if !curved {
			a1, b1 = clip(a, b), clip(b, a)
		}
		class, marker := "flow", "arrow"
		if len(d.ix.crossed(f)) > 0 && !f.Encrypted {
			class, marker = "flow risky", "arrow-red"
		}
		start := ""
		if f.Bidirectional {
			start = fmt.Sprintf(` marker-start="url(#%s)"`, marker)
		}
		sec := "unencrypted"
		if f.Encrypted {
			sec = "encrypted"
		}
		if f.Authenticated {
			sec += ", authenticated"
		} else {
			sec += ", unauthenticated"
		}
		title := esc("flow " + f.ID + ": " + d.ix.name(f.From) + " → " + d.ix.name(f.To) + " (" + sec + ") " + names(d.ix, f.Data))
		mx, my := (a1.x+b1.x)/2, (a1.y+b1.y)/2
		if curved {
			fmt.Fprintf(&d.out, `<path class="%s" d="M%.1f,%.1f Q%.1f,%.1f %.1f,%.1f" marker-end="url(#%s)"%s><title>%s</title></path>`+"\n",
				class, a1.x, a1.y, c.x, c.y, b1.x, b1.y, marker, start, title)
			mx, my = 0.25*a1.x+0.5*c.x+0.25*b1.x, 0.25*a1.y+0.5*c.y+0.25*b1.y
		} else {
			fmt.Fprintf(&d.out, `<line class="%s" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" marker-end="url(#%s)"%s><title>%s</title></line>`+"\n",
				class, a1.x, a1.y, b1.x, b1.y, marker, start, title)
		}
		fmt.Fprintf(&d.labels, `<text class="flabel" x="%.1f" y="%.1f"><title>%s</title>%s</text>`+"\n", mx, my+4, title, esc(truncate(or(f.Protocol, or(f.Name, f.ID)), 32)))
	}
}

// blocked reports whether the segment a–b crosses an element other than
// from and to.
func (d *diagram) blocked(a, b pt, from, to string) bool {
	if len(d.centers) > maxBendCheck {
		return false // quadratic: large diagrams get straight lines
	}
	for id, c := range d.centers {
		if id == from || id == to {
			continue
		}
		if segmentHitsRect(a, b, c.x-nodeW/2-4, c.y-nodeH/2-4, c.x+nodeW/2+4, c.y+nodeH/2+4) {
			return true
		}
	}
	return false
}

// segmentHitsRect clips the segment to the rectangle (Liang–Barsky).
func segmentHitsRect(a, b pt, x0, y0, x1, y1 float64) bool {
	t0, t1 := 0.0, 1.0
	dx, dy := b.x-a.x, b.y-a.y
	for _, e := range [4][2]float64{{-dx, a.x - x0}, {dx, x1 - a.x}, {-dy, a.y - y0}, {dy, y1 - a.y}} {
		p, q := e[0], e[1]
		if p == 0 {
			if q < 0 {
				return false
			}
			continue
		}
		r := q / p
		if p < 0 {
			t0 = max(t0, r)
		} else {
			t1 = min(t1, r)
		}
		if t0 > t1 {
			return false
		}
	}
	return true
}

// clip moves from a towards b to the edge of the node shape around a.
func clip(a, b pt) pt {
	dx, dy := b.x-a.x, b.y-a.y
	t := math.Inf(1)
	if dx != 0 {
		t = min(t, (nodeW/2)/math.Abs(dx))
	}
	if dy != 0 {
		t = min(t, (nodeH/2+2)/math.Abs(dy))
	}
	if t > 1 || math.IsInf(t, 1) {
		return a
	}
	return pt{a.x + dx*t, a.y + dy*t}
}

func (d *diagram) legend(y float64) {
	x := margin
	fmt.Fprintf(&d.out, `<g class="legend"><rect class="process" x="%.0f" y="%.0f" width="40" height="18" rx="9"/><text x="%.0f" y="%.0f">process</text>`, x, y+6, x+46, y+19)
	x += 120
	fmt.Fprintf(&d.out, `<line class="store" x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f"/><line class="store" x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f"/><text x="%.0f" y="%.0f">data store</text>`, x, y+6, x+40, y+6, x, y+24, x+40, y+24, x+46, y+19)
	x += 130
	fmt.Fprintf(&d.out, `<rect class="external" x="%.0f" y="%.0f" width="40" height="18"/><text x="%.0f" y="%.0f">external entity</text>`, x, y+6, x+46, y+19)
	x += 150
	fmt.Fprintf(&d.out, `<text class="debug" x="%.0f" y="%.0f">⚠ debug interface</text></g>`+"\n", x, y+19)
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func esc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s)) // writes to memory: cannot fail
	return b.String()
}
