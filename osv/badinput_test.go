package osv_test

import (
	"strings"
	"testing"

	"github.com/cradle-sdl/cradle/osv"
)

// minimal builds a small valid record with one affected package and lets a
// test case replace parts of it.
func minimal(affected string) string {
	return `{"id":"GHSA-aaaa-bbbb-cccc","modified":"2024-01-01T00:00:00Z","affected":[` + affected + `]}`
}

const pkg = `"package":{"ecosystem":"PyPI","name":"x"}`

// TestDecodeBadInput: every kind of bad record gives an EInvalid error
// whose first problem names the place and says what was expected.
func TestDecodeBadInput(t *testing.T) {
	tests := []struct {
		name     string
		data     string
		location string // of the first problem
		message  string // a part of the first problem's message
	}{
		{"empty", ``, "r.json", "found an empty document"},
		{"syntax error", "{\n  \"id\": \"x\",\n  \"modified\" \"2024\"\n}", "r.json:3:14", "invalid JSON: invalid character '\"' after object key"},
		{"truncated", `{"id": "GHSA-aaaa-bbbb-cccc", "modified": "20`, "r.json:1:46", "ends inside a value"},
		{"trailing data", minimal(`{`+pkg+`}`) + ` {}`, "r.json:1:", "found more data"},
		{"byte order mark", "\xef\xbb\xbf" + minimal(`{`+pkg+`}`), "r.json:1:1", "byte order mark"},
		{"invalid UTF-8", `{"id":"GHSA-aaaa-bbbb-cccc","summary":"caf` + "\xe9" + `"}`, "r.json:1:43", "invalid byte 0xe9"},
		{"duplicate key", `{"id":"GHSA-aaaa-bbbb-cccc","modified":"2024-01-01T00:00:00Z","id":"GHSA-xxxx-yyyy-zzzz"}`, "r.json:/id", `found "id" twice`},
		{"duplicate key escaped", `{"id":"GHSA-aaaa-bbbb-cccc","modified":"2024-01-01T00:00:00Z","affected":[{` + pkg + `,"versions":[],"vers\u0069ons":["1"]}]}`, "r.json:/affected/0/versions", `found "versions" twice`},
		{"not an object", `[]`, "r.json", "expected object, found array"},
		{"missing id", `{"modified":"2024-01-01T00:00:00Z"}`, "r.json", `required property "id"`},
		{"missing modified", `{"id":"GHSA-aaaa-bbbb-cccc"}`, "r.json", `required property "modified"`},
		{"unknown id prefix", `{"id":"NOPE-1","modified":"2024-01-01T00:00:00Z"}`, "r.json:/id", "known database prefix"},
		{"unknown top-level field", `{"id":"GHSA-aaaa-bbbb-cccc","modified":"2024-01-01T00:00:00Z","cvss":"high"}`, "r.json:/cvss", `no property "cvss"`},
		{"wrong type", `{"id":"GHSA-aaaa-bbbb-cccc","modified":"2024-01-01T00:00:00Z","aliases":"CVE-2024-1"}`, "r.json:/aliases", "expected null or array, found string"},
		{"unknown ecosystem", minimal(`{"package":{"ecosystem":"Cargo","name":"x"}}`), "r.json:/affected/0/package/ecosystem", `unknown ecosystem "Cargo"`},
		{"ecosystem in the wrong case", minimal(`{"package":{"ecosystem":"pypi","name":"x"}}`), "r.json:/affected/0/package/ecosystem", `did you mean "PyPI"?`},
		{"ecosystem with an empty suffix", minimal(`{"package":{"ecosystem":"Debian:","name":"x"}}`), "r.json:/affected/0/package/ecosystem", "expected a release after the colon"},
		{"package without name", minimal(`{"package":{"ecosystem":"PyPI"}}`), "r.json:/affected/0/package", `required property "name"`},
		{"unknown range type", minimal(`{` + pkg + `,"ranges":[{"type":"PEP440","events":[{"introduced":"0"}]}]}`), "r.json:/affected/0/ranges/0/type", `expected one of "GIT", "SEMVER", "ECOSYSTEM", found "PEP440"`},
		{"range without introduced", minimal(`{` + pkg + `,"ranges":[{"type":"ECOSYSTEM","events":[{"fixed":"1.0"}]}]}`), "r.json:/affected/0/ranges/0/events", `expected an "introduced" event`},
		{"range without events", minimal(`{` + pkg + `,"ranges":[{"type":"ECOSYSTEM","events":[]}]}`), "r.json:/affected/0/ranges/0/events", `expected an "introduced" event`},
		{"fixed and last_affected", minimal(`{` + pkg + `,"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1"},{"last_affected":"2"}]}]}`), "r.json:/affected/0/ranges/0", "found both"},
		{"event with two fields", minimal(`{` + pkg + `,"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0","fixed":"1"}]}]}`), "r.json:/affected/0/ranges/0/events/0", "exactly one of introduced, fixed, last_affected or limit, found several"},
		{"GIT range without repo", minimal(`{"ranges":[{"type":"GIT","events":[{"introduced":"0"}]}]}`), "r.json:/affected/0/ranges/0", `required property "repo"`},
		{"GIT range with a short hash", minimal(`{"ranges":[{"type":"GIT","repo":"https://example.com/r","events":[{"introduced":"0"},{"fixed":"abc1234"}]}]}`), "r.json:/affected/0/ranges/0/events/1/fixed", `full-length commit hash`},
		{"ECOSYSTEM range without package", minimal(`{"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]}`), "r.json:/affected/0/ranges/0/type", "expected a package for a ECOSYSTEM range"},
		{"versions without package", minimal(`{"versions":["1.0"]}`), "r.json:/affected/0/versions", "expected a package for the explicit versions"},
		{"affected entry that names nothing", minimal(`{}`), "r.json:/affected/0", "expected a package or a GIT range"},
		{"no affected", `{"id":"GHSA-aaaa-bbbb-cccc","modified":"2024-01-01T00:00:00Z"}`, "r.json", `expected the property "affected"`},
		{"empty affected", minimal(``), "r.json:/affected", "expected at least one affected package or range"},
		{"timestamp with offset", `{"id":"GHSA-aaaa-bbbb-cccc","modified":"2024-01-01T00:00:00+01:00","affected":[{` + pkg + `}]}`, "r.json:/modified", "RFC 3339 UTC timestamp"},
		{"timestamp inside junk", `{"id":"GHSA-aaaa-bbbb-cccc","modified":"x2024-01-01T00:00:00Zx","affected":[{` + pkg + `}]}`, "r.json:/modified", "RFC 3339 UTC timestamp"},
		{"bad CVSS v3 vector", `{"id":"GHSA-aaaa-bbbb-cccc","modified":"2024-01-01T00:00:00Z","severity":[{"type":"CVSS_V3","score":"9.8"}],"affected":[{` + pkg + `}]}`, "r.json:/severity/0/score", "expected a CVSS v3.0 or v3.1 vector"},
		{"bad CVSS v4 vector", `{"id":"GHSA-aaaa-bbbb-cccc","modified":"2024-01-01T00:00:00Z","severity":[{"type":"CVSS_V4","score":"CVSS:3.1/AV:N"}],"affected":[{` + pkg + `}]}`, "r.json:/severity/0/score", "expected a CVSS v4.0 vector"},
		{"severity twice", `{"id":"GHSA-aaaa-bbbb-cccc","modified":"2024-01-01T00:00:00Z","severity":[{"type":"Ubuntu","score":"low"}],"affected":[{` + pkg + `,"severity":[{"type":"Ubuntu","score":"low"}]}]}`, "r.json:/affected/0/severity", "top-level severity"},
		{"relative reference URL", `{"id":"GHSA-aaaa-bbbb-cccc","modified":"2024-01-01T00:00:00Z","references":[{"type":"WEB","url":"/advisories/1"}],"affected":[{` + pkg + `}]}`, "r.json:/references/0/url", "expected an absolute URL"},
		{"unknown reference type", `{"id":"GHSA-aaaa-bbbb-cccc","modified":"2024-01-01T00:00:00Z","references":[{"type":"LINK","url":"https://example.com"}],"affected":[{` + pkg + `}]}`, "r.json:/references/0/type", `found "LINK"`},
		{"deeply nested", `{"id":"GHSA-aaaa-bbbb-cccc","modified":"2024-01-01T00:00:00Z","database_specific":{"a":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}}`, "r.json:1:", "exceeded max depth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := osv.Decode("r.json", []byte(tt.data))
			e := wantInvalid(t, err)
			p := e.Problems[0]
			if !strings.HasPrefix(p.Location, tt.location) || (tt.location[len(tt.location)-1] != ':' && p.Location != tt.location) {
				t.Errorf("location = %q, want %q\n%v", p.Location, tt.location, e)
			}
			if !strings.Contains(p.Message, tt.message) {
				t.Errorf("message = %q, want it to contain %q", p.Message, tt.message)
			}
		})
	}
}

// TestDecodeWithdrawnWithoutAffected: a withdrawn record needs no affected
// packages: it only tells cradle to retract what it had.
func TestDecodeWithdrawnWithoutAffected(t *testing.T) {
	v, err := osv.Decode("", []byte(`{"id":"GHSA-aaaa-bbbb-cccc","modified":"2024-01-01T00:00:00Z","withdrawn":"2024-01-02T00:00:00Z"}`))
	if err != nil {
		t.Fatal(err)
	}
	if v.Withdrawn.IsZero() || len(v.Affected) != 0 {
		t.Errorf("got %+v, want a withdrawn record without affected packages", v)
	}
}

// TestDecodeManyProblems: a record with very many defects reports a
// bounded number of them.
func TestDecodeManyProblems(t *testing.T) {
	var b strings.Builder
	for i := range 500 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"package":{"ecosystem":"Nope","name":"x"}}`)
	}
	_, err := osv.Decode("r.json", []byte(minimal(b.String())))
	e := wantInvalid(t, err)
	if n := len(e.Problems); n == 0 || n > 100 {
		t.Errorf("got %d problems, want 1 to 100", n)
	}
	if !strings.Contains(e.Message, "problems") {
		t.Errorf("message %q does not say how many problems there are", e.Message)
	}
}
