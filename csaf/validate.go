package csaf

import (
	"slices"
	"strings"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/internal/locate"
)

// TestSchema is the Test of findings from the CSAF JSON schema (outside
// CVSS objects, which are test 6.1.8's). The schema allows members it does
// not define; optional test 6.2.20 warns about them.
const TestSchema = "schema"

// MandatoryTests lists the IDs of the mandatory tests of CSAF 2.0 section
// 6.1 in the order of the standard; Validate runs all of them.
var MandatoryTests = []string{
	"6.1.1", "6.1.2", "6.1.3", "6.1.4", "6.1.5", "6.1.6", "6.1.7", "6.1.8", "6.1.9", "6.1.10",
	"6.1.11", "6.1.12", "6.1.13", "6.1.14", "6.1.15", "6.1.16", "6.1.17", "6.1.18", "6.1.19", "6.1.20",
	"6.1.21", "6.1.22", "6.1.23", "6.1.24", "6.1.25", "6.1.26",
	"6.1.27.1", "6.1.27.2", "6.1.27.3", "6.1.27.4", "6.1.27.5", "6.1.27.6", "6.1.27.7", "6.1.27.8",
	"6.1.27.9", "6.1.27.10", "6.1.27.11",
	"6.1.28", "6.1.29", "6.1.30", "6.1.31", "6.1.32", "6.1.33",
}

// OptionalTests lists the IDs of the optional tests of section 6.2 that
// Validate runs; their failures are warnings. 6.2.13 (keys sorted) and
// 6.2.19 (CVSS for fixed products) are not run.
var OptionalTests = []string{
	"6.2.1", "6.2.2", "6.2.3", "6.2.4", "6.2.5", "6.2.6", "6.2.7", "6.2.8", "6.2.9", "6.2.10",
	"6.2.11", "6.2.12", "6.2.14", "6.2.15", "6.2.16", "6.2.17", "6.2.18", "6.2.20",
}

// Finding is one failed test at one place in the document.
type Finding struct {
	// Test is the test's number in CSAF 2.0 section 6 ("6.1.2",
	// "6.1.27.9", "6.2.1"), or TestSchema.
	Test string `json:"test"`
	// Path is a JSON pointer into the document, such as
	// "/product_tree/branches/0/product/product_id"; "" is the whole
	// document.
	Path    string `json:"path"`
	Message string `json:"message"`
}

func (f Finding) String() string {
	p := f.Path
	if p == "" {
		p = "/"
	}
	return p + ": [" + f.Test + "] " + f.Message
}

// Report is the outcome of validating one document.
type Report struct {
	// Name is the name Validate was given, used in error locations.
	Name string
	// Document is the decoded document, also when it is not valid.
	Document *Document
	// Errors are the failures of the schema and of the mandatory tests:
	// the document is a valid CSAF document only when there are none.
	// They are ordered by test, then by place in the document.
	Errors []Finding
	// Warnings are the failures of the optional tests.
	Warnings []Finding
	// Tested is false when a value has the wrong JSON type for the
	// schema (an object where a string belongs, ...): the document then
	// cannot be read into Document faithfully and only the schema check
	// was run. The schema errors say why.
	Tested bool
}

// Valid reports whether the document passed the schema and every
// mandatory test.
func (r *Report) Valid() bool { return len(r.Errors) == 0 }

// Failed reports whether the document failed the given test (a test ID
// or TestSchema), as an error or as a warning.
func (r *Report) Failed(test string) bool {
	for _, f := range r.Errors {
		if f.Test == test {
			return true
		}
	}
	for _, f := range r.Warnings {
		if f.Test == test {
			return true
		}
	}
	return false
}

// FailedTests returns the IDs of the tests that have errors, in the order
// of the standard, each once.
func (r *Report) FailedTests() []string {
	var ids []string
	for _, f := range r.Errors {
		if !slices.Contains(ids, f.Test) {
			ids = append(ids, f.Test)
		}
	}
	slices.SortFunc(ids, compareTestIDs)
	return ids
}

// Err returns nil for a valid document and otherwise an EInvalid
// *cradle.Error listing the errors with their locations.
func (r *Report) Err() error {
	if r.Valid() {
		return nil
	}
	ps := make([]cradle.Problem, len(r.Errors))
	for i, f := range r.Errors {
		ps[i] = cradle.Problem{Location: locate.AtPath(r.Name, f.Path), Message: "[" + f.Test + "] " + f.Message}
	}
	what := "test"
	if n := len(r.FailedTests()); n > 1 {
		what = "tests"
	}
	msg := "not a valid CSAF 2.0 document: failed " + what + " " + strings.Join(r.FailedTests(), ", ")
	if r.Name != "" {
		msg = r.Name + ": " + msg
	}
	return cradle.Invalid(msg, ps...)
}

// Validate reads a CSAF 2.0 document and runs the JSON schema check, every
// mandatory test of section 6.1 and the optional tests in OptionalTests.
// name is used in error locations (a file name; it may be empty).
//
// The error is non-nil only when data is not one JSON value that can be
// read at all (bad UTF-8, a syntax error, a key twice in one object): an
// EInvalid *cradle.Error with the location. A document that is JSON but
// not valid CSAF gives a Report with Errors; Report.Err turns them into an
// error.
func Validate(name string, data []byte) (*Report, error) {
	doc := &Document{}
	tree, typed, p := parse(name, data, doc)
	if p != nil {
		msg := "not a CSAF document: invalid JSON"
		if name != "" {
			msg = name + ": " + msg
		}
		return nil, cradle.Invalid(msg, *p)
	}
	s, err := compiled()
	if err != nil {
		return nil, cradle.Errorf(cradle.EInternal, "csaf schema: %v", err)
	}
	r := &Report{Name: name, Document: doc}
	// A value of the wrong JSON type (or a document that is not an object)
	// leaves the model unfaithful: the tests are not run, and the schema
	// errors, CVSS objects' included, say what is wrong.
	_, isObject := tree.(map[string]any)
	r.Tested = typed && isObject
	schemaErrs, err := validateSchema(s, tree, !r.Tested)
	if err != nil {
		return nil, cradle.Errorf(cradle.EInternal, "%v", err)
	}
	r.Errors = schemaErrs
	if !r.Tested {
		return r, nil
	}
	c := newChecker(r.Document, tree, s)
	c.run()
	r.Errors = append(r.Errors, c.errors...)
	r.Warnings = c.warnings
	sortFindings(r.Errors)
	sortFindings(r.Warnings)
	return r, nil
}

// Decode reads and validates a CSAF 2.0 document and returns it when it is
// valid: it is Validate for callers that accept nothing less.
func Decode(name string, data []byte) (*Document, error) {
	r, err := Validate(name, data)
	if err != nil {
		return nil, err
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	return r.Document, nil
}

// sortFindings orders findings by test (schema first, then the standard's
// order), keeping each test's findings in document order.
func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return compareTestIDs(a.Test, b.Test)
	})
}

// compareTestIDs orders "schema" before any number and numbers part by
// part ("6.1.9" before "6.1.10").
func compareTestIDs(a, b string) int {
	if a == b {
		return 0
	}
	if a == TestSchema {
		return -1
	}
	if b == TestSchema {
		return 1
	}
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := range min(len(as), len(bs)) {
		if as[i] == bs[i] {
			continue
		}
		if len(as[i]) != len(bs[i]) {
			return len(as[i]) - len(bs[i])
		}
		return strings.Compare(as[i], bs[i])
	}
	return len(as) - len(bs)
}
