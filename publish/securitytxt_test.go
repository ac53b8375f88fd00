package publish

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	cradle "github.com/cradle-sdl/cradle"
)

var stNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func validSecurityTxt() SecurityTxt {
	return SecurityTxt{
		Contacts:           []string{"mailto:psirt@example.com", "https://example.com/security/report", "tel:+1-201-555-0123"},
		Expires:            stNow.AddDate(0, 6, 0),
		Encryption:         []string{"https://example.com/.well-known/csaf/openpgp/ABCD.asc", "openpgp4fpr:5f2de5521c63a801ab59ccb603d49de44b8d5d7e", "dns:5d2d37ab76d47d36._openpgpkey.example.com?type=OPENPGPKEY"},
		Acknowledgments:    []string{"https://example.com/hall-of-fame.html"},
		Policy:             []string{"https://example.com/disclosure-policy.html"},
		Hiring:             []string{"https://example.com/jobs.html"},
		PreferredLanguages: []string{"en", "de", "zh-Hant-TW"},
		Canonical:          []string{"https://example.com/.well-known/security.txt"},
		CSAF:               []string{"https://example.com/.well-known/csaf/provider-metadata.json"},
	}
}

func TestSecurityTxtValidate(t *testing.T) {
	for _, tc := range []struct {
		name      string
		edit      func(*SecurityTxt)
		wantErr   string // substring of a problem, "" for valid
		wantWarns []string
	}{
		{name: "valid", edit: func(*SecurityTxt) {}},
		{name: "minimal", edit: func(s *SecurityTxt) {
			*s = SecurityTxt{Contacts: []string{"mailto:a@example.com"}, Expires: stNow.Add(time.Hour)}
		}, wantWarns: []string{"Canonical"}},
		{name: "no contact", edit: func(s *SecurityTxt) { s.Contacts = nil }, wantErr: "Contact: at least one Contact is required"},
		{name: "no expires", edit: func(s *SecurityTxt) { s.Expires = time.Time{} }, wantErr: "Expires: Expires is required"},
		{name: "expired", edit: func(s *SecurityTxt) { s.Expires = stNow.Add(-time.Second) }, wantErr: "Expires: the file expired at 2026-03-01T11:59:59Z"},
		{name: "expires now", edit: func(s *SecurityTxt) { s.Expires = stNow }, wantErr: "expired"},
		{name: "more than a year", edit: func(s *SecurityTxt) { s.Expires = stNow.AddDate(1, 0, 1) }, wantWarns: []string{"Expires"}},
		{name: "http contact", edit: func(s *SecurityTxt) { s.Contacts = []string{"http://example.com/report"} }, wantErr: "must begin with https://"},
		{name: "bare e-mail", edit: func(s *SecurityTxt) { s.Contacts = []string{"psirt@example.com"} }, wantErr: "not an absolute URI"},
		{name: "empty mailto", edit: func(s *SecurityTxt) { s.Contacts = []string{"mailto:"} }, wantErr: "mailto: needs one e-mail address"},
		{name: "tel without number", edit: func(s *SecurityTxt) { s.Contacts = []string{"tel:abc"} }, wantErr: "tel: needs a telephone number"},
		{name: "ftp contact", edit: func(s *SecurityTxt) { s.Contacts = []string{"ftp://example.com/"} }, wantErr: "use a mailto:, https: or tel: URI"},
		{name: "line break injects a field", edit: func(s *SecurityTxt) {
			s.Contacts = []string{"mailto:a@example.com\nContact: mailto:evil@example.org"}
		}, wantErr: "contains a line break"},
		{name: "http policy", edit: func(s *SecurityTxt) { s.Policy = []string{"http://example.com/policy"} }, wantErr: "Policy: \"http://example.com/policy\" must be an https:// URI"},
		{name: "http canonical", edit: func(s *SecurityTxt) { s.Canonical = []string{"http://example.com/.well-known/security.txt"} }, wantErr: "Canonical"},
		{name: "http encryption", edit: func(s *SecurityTxt) { s.Encryption = []string{"http://example.com/key.asc"} }, wantErr: "Encryption: \"http://example.com/key.asc\" must be an https:// URI"},
		{name: "csaf not https", edit: func(s *SecurityTxt) { s.CSAF = []string{"http://example.com/.well-known/csaf/provider-metadata.json"} }, wantErr: "CSAF"},
		{name: "csaf not metadata", edit: func(s *SecurityTxt) { s.CSAF = []string{"https://example.com/csaf/"} }, wantErr: "must point to a provider-metadata.json"},
		{name: "well-known csaf not first", edit: func(s *SecurityTxt) {
			s.CSAF = []string{"https://example.com/security/csaf/provider-metadata.json", "https://example.com/.well-known/csaf/provider-metadata.json"}
		}, wantErr: "CSAF[1]: the /.well-known/csaf/provider-metadata.json URL must be the first", wantWarns: []string{"CSAF"}},
		{name: "two csaf", edit: func(s *SecurityTxt) {
			s.CSAF = []string{"https://example.com/.well-known/csaf/provider-metadata.json", "https://psirt.example.com/csaf/provider-metadata.json"}
		}, wantWarns: []string{"CSAF"}},
		{name: "bad language", edit: func(s *SecurityTxt) { s.PreferredLanguages = []string{"en", "en_GB"} }, wantErr: "Preferred-Languages[1]: \"en_GB\""},
		{name: "language with space", edit: func(s *SecurityTxt) { s.PreferredLanguages = []string{"en US"} }, wantErr: "not a well-formed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := validSecurityTxt()
			tc.edit(&s)
			warns, err := s.Validate(stNow)
			if tc.wantErr == "" && err != nil {
				t.Errorf("Validate: %v", err)
			}
			if tc.wantErr != "" {
				if cradle.ErrorCode(err) != cradle.EInvalid || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("Validate error = %v, want invalid containing %q", err, tc.wantErr)
				}
			}
			var got []string
			for _, w := range warns {
				got = append(got, w.Location)
			}
			if diff := cmp.Diff(tc.wantWarns, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("warnings (-want +got):\n%s\n%v", diff, warns)
			}
		})
	}
}

func TestLanguageTags(t *testing.T) {
	for _, tag := range []string{
		"en", "de", "EN", "en-US", "zh-Hant", "zh-Hant-TW", "sr-Latn-RS", "es-419", "de-CH-1996",
		"sl-rozaj-biske", "zh-yue-HK", "en-US-u-islamcal", "en-a-myext-b-another", "x-whatever",
		"qaa-Qaaa-QM-x-southern", "i-klingon", "zh-min-nan", "en-GB-oed", "ast", "sgn-BE-FR",
	} {
		if !wellFormedLanguageTag(tag) {
			t.Errorf("%q: reported malformed", tag)
		}
	}
	for _, tag := range []string{
		"", "e", "english1", "en_US", "en-", "-en", "en--US", "en-US-", "de-419-DE-", "a-DE",
		"ar-a-aaa-b-bbb-a" /* last extension empty */, "en-x", "en-u", "toolongsubtag", "1en", "en-US-ü", "en US",
	} {
		if wellFormedLanguageTag(tag) {
			t.Errorf("%q: reported well-formed", tag)
		}
	}
}

func TestSecurityTxtRender(t *testing.T) {
	s := validSecurityTxt()
	s.Comment = "ACME Inc. security contacts\nsee https://example.com/security"
	s.Expires = time.Date(2026, 9, 1, 0, 0, 0, 999, time.FixedZone("CEST", 2*3600))
	want := `# ACME Inc. security contacts
# see https://example.com/security
Acknowledgments: https://example.com/hall-of-fame.html
Canonical: https://example.com/.well-known/security.txt
Contact: mailto:psirt@example.com
Contact: https://example.com/security/report
Contact: tel:+1-201-555-0123
Encryption: https://example.com/.well-known/csaf/openpgp/ABCD.asc
Encryption: openpgp4fpr:5f2de5521c63a801ab59ccb603d49de44b8d5d7e
Encryption: dns:5d2d37ab76d47d36._openpgpkey.example.com?type=OPENPGPKEY
Expires: 2026-08-31T22:00:00Z
Hiring: https://example.com/jobs.html
Policy: https://example.com/disclosure-policy.html
Preferred-Languages: en, de, zh-Hant-TW
CSAF: https://example.com/.well-known/csaf/provider-metadata.json
`
	if diff := cmp.Diff(want, string(s.Render())); diff != "" {
		t.Errorf("Render (-want +got):\n%s", diff)
	}
	if got := string((&SecurityTxt{}).Render()); !strings.HasPrefix(got, "# ") {
		t.Errorf("no comment header: %q", got)
	}
}

func TestSecurityTxtRoundTrip(t *testing.T) {
	s := validSecurityTxt()
	s.Expires = s.Expires.Truncate(time.Second)
	got, err := ParseSecurityTxt(s.Render())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&s, got, cmpopts.EquateApproxTime(0)); diff != "" {
		t.Errorf("ParseSecurityTxt(Render()) (-want +got):\n%s", diff)
	}
}

// TestSecurityTxtSigned: clear-signed output verifies with Verify, and
// ParseSecurityTxt reads it back; an altered field breaks the signature.
func TestSecurityTxtSigned(t *testing.T) {
	k := mustKey(t)
	s := validSecurityTxt()
	s.Expires = time.Now().Add(30 * 24 * time.Hour).Truncate(time.Second)
	signed, err := k.ClearSign(s.Render())
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(k.ArmoredPublic(), nil, signed); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if err := Verify(k.ArmoredPublic(), s.Render(), signed); err != nil {
		t.Errorf("Verify(rendered text): %v", err)
	}
	got, err := ParseSecurityTxt(signed)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&s, got, cmpopts.EquateApproxTime(0)); diff != "" {
		t.Errorf("ParseSecurityTxt(signed) (-want +got):\n%s", diff)
	}
	if _, err := got.Validate(time.Now()); err != nil {
		t.Errorf("Validate(parsed): %v", err)
	}
	evil := bytes.Replace(signed, []byte("Contact: mailto:psirt@example.com"), []byte("Contact: mailto:evil@example.org"), 1)
	if bytes.Equal(evil, signed) {
		t.Fatal("replacement did not apply")
	}
	if err := Verify(k.ArmoredPublic(), nil, evil); err == nil {
		t.Error("Verify accepted a signed security.txt with a changed Contact")
	}
	if _, err := VerifyClearSigned(k.ArmoredPublic(), evil); err == nil {
		t.Error("VerifyClearSigned accepted a changed Contact")
	}
}

// rfcExample is the signed example of RFC 9116 §2.3, signature block as
// the RFC prints it (a placeholder, so only its structure can be read).
const rfcExample = `-----BEGIN PGP SIGNED MESSAGE-----
Hash: SHA256

# Canonical URI
Canonical: https://example.com/.well-known/security.txt

# Our security address
Contact: mailto:security@example.com

# Our OpenPGP key
Encryption: https://example.com/pgp-key.txt

# Our security policy
Policy: https://example.com/security-policy.html

# Our security acknowledgments page
Acknowledgments: https://example.com/hall-of-fame.html

Expires: 2021-12-31T18:37:07.000Z
-----BEGIN PGP SIGNATURE-----
Version: GnuPG v2.2

[signature]
-----END PGP SIGNATURE-----
`

func TestSecurityTxtRFCExample(t *testing.T) {
	got, err := ParseSecurityTxt([]byte(rfcExample))
	if err != nil {
		t.Fatal(err)
	}
	want := &SecurityTxt{
		Canonical:       []string{"https://example.com/.well-known/security.txt"},
		Contacts:        []string{"mailto:security@example.com"},
		Encryption:      []string{"https://example.com/pgp-key.txt"},
		Policy:          []string{"https://example.com/security-policy.html"},
		Acknowledgments: []string{"https://example.com/hall-of-fame.html"},
		Expires:         time.Date(2021, 12, 31, 18, 37, 7, 0, time.UTC),
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateApproxTime(0)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := got.Validate(time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Errorf("the RFC's example is invalid in June 2021: %v", err)
	}
	if _, err := got.Validate(time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("the RFC's example in 2022: %v, want expired", err)
	}
	// The field examples of RFC 9116 §2.5, with CR LF line ends, mixed
	// case names and the lower-case "z" RFC 3339 permits.
	fields := "contact: tel:+1-201-555-0123\r\nENCRYPTION: dns:5d2d37ab76d47d36._openpgpkey.example.com?type=OPENPGPKEY\r\n" +
		"Encryption: openpgp4fpr:5f2de5521c63a801ab59ccb603d49de44b8d5d7e\r\nExpires: 2021-12-31t18:37:07z\r\n" +
		"Hiring: https://example.com/jobs.html\r\nPreferred-Languages: en, es, fr\r\nX-Unknown: ignored\r\n"
	got, err = ParseSecurityTxt([]byte(fields))
	if err != nil {
		t.Fatal(err)
	}
	want = &SecurityTxt{
		Contacts:           []string{"tel:+1-201-555-0123"},
		Encryption:         []string{"dns:5d2d37ab76d47d36._openpgpkey.example.com?type=OPENPGPKEY", "openpgp4fpr:5f2de5521c63a801ab59ccb603d49de44b8d5d7e"},
		Expires:            time.Date(2021, 12, 31, 18, 37, 7, 0, time.UTC),
		Hiring:             []string{"https://example.com/jobs.html"},
		PreferredLanguages: []string{"en", "es", "fr"},
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateApproxTime(0)); diff != "" {
		t.Errorf("§2.5 fields (-want +got):\n%s", diff)
	}
}

func TestParseSecurityTxtErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"two expires", "Contact: mailto:a@example.com\nExpires: 2030-01-01T00:00:00Z\nExpires: 2031-01-01T00:00:00Z\n", "line 3: Expires must not appear more than once (first on line 2)"},
		{"two languages", "Preferred-Languages: en\npreferred-languages: de\n", "line 2: preferred-languages must not appear more than once"},
		{"bad expires", "Expires: 31.12.2030\n", "line 1: Expires \"31.12.2030\" is not an RFC 3339 date-time"},
		{"not a field", "Contact: mailto:a@example.com\nhello world\n", "line 2: \"hello world\" is neither a comment nor"},
		{"no signature block", "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nContact: mailto:a@example.com\n", "without a signature block"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSecurityTxt([]byte(tc.in))
			if cradle.ErrorCode(err) != cradle.EInvalid || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want invalid containing %q", err, tc.want)
			}
		})
	}
	// Line numbers in a signed file count from the top of the file.
	_, err := ParseSecurityTxt([]byte("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nContact: mailto:a@example.com\nbroken\n-----BEGIN PGP SIGNATURE-----\n\nxx\n-----END PGP SIGNATURE-----\n"))
	if err == nil || !strings.Contains(err.Error(), "line 5:") {
		t.Errorf("signed file error = %v, want line 5", err)
	}
}
