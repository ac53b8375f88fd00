package cradle

import (
	"strings"
	"time"
	"unicode/utf8"
)

// CRAClass is the product's class under the Cyber Resilience Act (Art. 7,
// 8; Annex III and IV). The core functionality decides the class.
type CRAClass string

const (
	ClassDefault     CRAClass = "default"
	ClassImportantI  CRAClass = "important-class-i"
	ClassImportantII CRAClass = "important-class-ii"
	ClassCritical    CRAClass = "critical"
)

// CRAClasses lists the classes in order of increasing assurance.
var CRAClasses = []CRAClass{ClassDefault, ClassImportantI, ClassImportantII, ClassCritical}

// Label is the class as a person reads it.
func (c CRAClass) Label() string {
	switch c {
	case ClassDefault:
		return "Default"
	case ClassImportantI:
		return "Important, class I"
	case ClassImportantII:
		return "Important, class II"
	case ClassCritical:
		return "Critical"
	}
	return string(c)
}

// Valid reports whether c is one of CRAClasses.
func (c CRAClass) Valid() bool {
	for _, k := range CRAClasses {
		if c == k {
			return true
		}
	}
	return false
}

// Product is a product with digital elements that the manufacturer places
// on the market. Dates are calendar dates "YYYY-MM-DD" or empty.
type Product struct {
	ID              int64    `json:"id"`
	Name            string   `json:"name"`
	Description     string   `json:"description"`
	Manufacturer    string   `json:"manufacturer"`
	IntendedPurpose string   `json:"intended_purpose"`
	Class           CRAClass `json:"cra_class"`
	// Support period (CRA Art. 13(8), (19)): at least five years unless the
	// expected use is shorter; the rationale is part of the technical
	// documentation (Annex VII (4)).
	SupportStart     string `json:"support_start,omitempty"`
	SupportEnd       string `json:"support_end,omitempty"`
	SupportRationale string `json:"support_rationale,omitempty"`
	// MemberStates where the product is made available (ISO 3166-1
	// alpha-2): the Art. 14 early warning names them.
	MemberStates []string `json:"member_states,omitempty"`
	// ModelNumbers identify the hardware models the product is sold as;
	// advisories name them in the product identification helper.
	ModelNumbers []string  `json:"model_numbers,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`

	// Read-only summary filled by list queries.
	ReleaseCount int `json:"release_count"`
}

// DateLayout is the layout of calendar dates in the domain.
const DateLayout = "2006-01-02"

// Validate checks p and normalises whitespace. It returns an EInvalid
// error naming every bad field.
func (p *Product) Validate() error {
	p.Name = strings.TrimSpace(p.Name)
	var probs []Problem
	if p.Name == "" {
		probs = append(probs, Problem{"name", "is required"})
	} else if err := checkName(p.Name); err != "" {
		probs = append(probs, Problem{"name", err})
	} else if strings.EqualFold(p.Name, "new") {
		probs = append(probs, Problem{"name", `"new" is reserved (it names the new-product form)`})
	}
	if p.Class == "" {
		p.Class = ClassDefault
	}
	if !p.Class.Valid() {
		probs = append(probs, Problem{"cra_class", "must be one of default, important-class-i, important-class-ii, critical; found " + quote(string(p.Class))})
	}
	probs = checkLen(probs, "description", p.Description, 10000)
	probs = checkLen(probs, "manufacturer", p.Manufacturer, 500)
	probs = checkLen(probs, "intended_purpose", p.IntendedPurpose, 10000)
	probs = checkLen(probs, "support_rationale", p.SupportRationale, 10000)
	var msProbs []Problem
	p.MemberStates, msProbs = NormalizeMemberStates(p.MemberStates, "member_states")
	probs = append(probs, msProbs...)
	var models []string
	for i, m := range p.ModelNumbers {
		m = strings.TrimSpace(m)
		if m == "" {
			continue
		}
		if strings.Contains(m, ",") || len(m) > 100 {
			probs = append(probs, Problem{"model_numbers", "model number " + itoa(i+1) + " must be at most 100 characters without commas"})
		}
		models = append(models, m)
	}
	p.ModelNumbers = models
	start, ok1 := checkDate(&probs, "support_start", p.SupportStart)
	end, ok2 := checkDate(&probs, "support_end", p.SupportEnd)
	if ok1 && ok2 && !start.IsZero() && !end.IsZero() && end.Before(start) {
		probs = append(probs, Problem{"support_end", "is before support_start"})
	}
	if len(probs) > 0 {
		return Invalid("invalid product", probs...)
	}
	return nil
}

// SupportEndTime returns the end of the support period, or the zero time.
func (p *Product) SupportEndTime() time.Time {
	t, _ := time.Parse(DateLayout, p.SupportEnd)
	return t
}

// SupportYears returns the length of the declared support period in years,
// or 0 when it is not declared.
func (p *Product) SupportYears() float64 {
	s, err1 := time.Parse(DateLayout, p.SupportStart)
	e, err2 := time.Parse(DateLayout, p.SupportEnd)
	if err1 != nil || err2 != nil {
		return 0
	}
	return e.Sub(s).Hours() / 24 / 365.25
}

func checkDate(probs *[]Problem, field, v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, true
	}
	t, err := time.Parse(DateLayout, v)
	if err != nil {
		*probs = append(*probs, Problem{field, "must be a date YYYY-MM-DD; found " + quote(v)})
		return t, false
	}
	return t, true
}

func checkLen(probs []Problem, field, v string, max int) []Problem {
	if utf8.RuneCountInString(v) > max {
		return append(probs, Problem{field, "is longer than " + itoa(max) + " characters"})
	}
	if !utf8.ValidString(v) {
		return append(probs, Problem{field, "is not valid UTF-8"})
	}
	if strings.ContainsRune(v, 0) {
		return append(probs, Problem{field, "must not contain NUL characters"})
	}
	return probs
}

// checkName returns why s is not acceptable as a name, or "".
func checkName(s string) string {
	if utf8.RuneCountInString(s) > 200 {
		return "is longer than 200 characters"
	}
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == '/' {
			return "must not contain control characters or '/'"
		}
	}
	if s == "." || s == ".." {
		return `must not be "." or ".." (they cannot appear in a URL path)`
	}
	return ""
}
