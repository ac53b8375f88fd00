package cradle

import "strconv"

func itoa(i int) string     { return strconv.Itoa(i) }
func quote(s string) string { return strconv.Quote(s) }

// Page is a request for one page of a list.
type Page struct {
	Number  int // 1-based
	PerPage int
}

// Page size limits.
const (
	DefaultPerPage = 50
	MaxPerPage     = 500
)

// Normalize clamps the page to sane values.
func (p Page) Normalize() Page {
	if p.Number < 1 {
		p.Number = 1
	}
	if p.PerPage < 1 {
		p.PerPage = DefaultPerPage
	}
	if p.PerPage > MaxPerPage {
		p.PerPage = MaxPerPage
	}
	return p
}

// Offset is the number of rows before the page.
func (p Page) Offset() int { return (p.Number - 1) * p.PerPage }
