package psirt

import (
	"context"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/publish"
)

// signingKey is how the OpenPGP key is stored (settings "signing_key").
// The private key is stored unencrypted in the database: whoever can read
// the database can sign as the PSIRT. Import a dedicated signing subkey,
// not the company's primary key.
type signingKey struct {
	Private     string    `json:"armored_private"`
	Fingerprint string    `json:"fingerprint"`
	CreatedAt   time.Time `json:"created_at"`
	Source      string    `json:"source"` // generated or imported
}

// KeyInfo is what may be shown about the signing key.
type KeyInfo struct {
	Fingerprint string    `json:"fingerprint"`
	CreatedAt   time.Time `json:"created_at"`
	Source      string    `json:"source"`
	Public      string    `json:"armored_public"`
}

// SigningKey returns the PSIRT's OpenPGP key, or nil when none is set.
func (s *Service) SigningKey(ctx context.Context) (*publish.Key, *KeyInfo, error) {
	var k signingKey
	ok, err := s.DB.GetSetting(ctx, "signing_key", &k)
	if err != nil || !ok {
		return nil, nil, err
	}
	key, err := publish.LoadKey([]byte(k.Private), nil)
	if err != nil {
		return nil, nil, err
	}
	return key, &KeyInfo{Fingerprint: key.Fingerprint(), CreatedAt: k.CreatedAt, Source: k.Source, Public: string(key.ArmoredPublic())}, nil
}

// GenerateSigningKey creates a new signing key for the publisher and
// makes it the PSIRT's key.
func (s *Service) GenerateSigningKey(ctx context.Context, actor cradle.Actor) (*KeyInfo, error) {
	st, ok, err := s.PSIRTSettings(ctx)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, cradle.Errorf(cradle.EConflict, "configure the PSIRT settings (publisher name and contact) before generating a key")
	}
	email := st.PublisherContact
	for _, c := range st.Contacts {
		if m, ok := strings.CutPrefix(c, "mailto:"); ok {
			email = m
			break
		}
	}
	// An OpenPGP user ID is "name (comment) <email>": the name must not
	// contain those delimiters.
	name := strings.Join(strings.FieldsFunc(st.PublisherName+" PSIRT", func(r rune) bool { return strings.ContainsRune("<>()\"", r) || r < ' ' }), " ")
	key, err := publish.GenerateKey(name, email, s.Now())
	if err != nil {
		return nil, err
	}
	return s.storeKey(ctx, actor, key, "generated")
}

// ImportSigningKey makes an existing armored private key the PSIRT's key.
func (s *Service) ImportSigningKey(ctx context.Context, actor cradle.Actor, armored, passphrase []byte) (*KeyInfo, error) {
	key, err := publish.LoadKey(armored, passphrase)
	if err != nil {
		return nil, err
	}
	return s.storeKey(ctx, actor, key, "imported")
}

func (s *Service) storeKey(ctx context.Context, actor cradle.Actor, key *publish.Key, source string) (*KeyInfo, error) {
	now := s.Now()
	k := signingKey{Private: string(key.ArmoredPrivate()), Fingerprint: key.Fingerprint(), CreatedAt: now, Source: source}
	if err := s.DB.PutSetting(ctx, actor, "signing_key", k, map[string]string{"fingerprint": k.Fingerprint, "source": source}); err != nil {
		return nil, err
	}
	return &KeyInfo{Fingerprint: k.Fingerprint, CreatedAt: now, Source: source, Public: string(key.ArmoredPublic())}, nil
}

// ProviderTree builds the CSAF trusted-provider tree of every published
// advisory, signed with the PSIRT's key.
func (s *Service) ProviderTree(ctx context.Context) (publish.Tree, error) {
	st, ok, err := s.PSIRTSettings(ctx)
	if err != nil {
		return nil, err
	}
	if !ok || st.BaseURL == "" {
		return nil, cradle.Errorf(cradle.ENotFound, "CSAF publishing is not configured (PSIRT settings: base URL, publisher)")
	}
	key, _, err := s.SigningKey(ctx)
	if err != nil {
		return nil, err
	}
	if key == nil {
		return nil, cradle.Errorf(cradle.ENotFound, "CSAF publishing needs a signing key: generate or import one in the PSIRT settings")
	}
	advs, err := s.DB.ListAdvisories(ctx, "", true)
	if err != nil {
		return nil, err
	}
	var docs []publish.Doc
	last := time.Time{}
	for _, a := range advs {
		// Everything but the JSON is read from the published document
		// itself: the advisory's editable columns (title, TLP) describe the
		// next revision, not the one published.
		docs = append(docs, publish.Doc{TrackingID: a.TrackingID, JSON: a.Document})
		if a.CurrentDate.After(last) {
			last = a.CurrentDate
		}
	}
	if last.IsZero() {
		last = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return publish.Build(publish.Provider{CanonicalURL: st.BaseURL + "/.well-known/csaf", Key: key, LastUpdated: last,
		Publisher: publish.Publisher{Name: st.PublisherName, Namespace: st.PublisherNamespace, Category: "vendor", ContactDetails: st.PublisherContact}}, docs)
}

// SecurityTxt renders /.well-known/security.txt (RFC 9116) from the
// settings: contacts, an expiry ExpiresDays after the start of today (so
// the file is stable within a day), the canonical URL, the CVD policy
// page, the CSAF provider metadata and the public key; clear-signed when
// configured and a key exists.
func (s *Service) SecurityTxt(ctx context.Context) ([]byte, error) {
	st, ok, err := s.PSIRTSettings(ctx)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, cradle.Errorf(cradle.ENotFound, "security.txt is not configured yet (PSIRT settings)")
	}
	now := s.Now()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	txt := publish.SecurityTxt{Contacts: st.Contacts, Expires: day.AddDate(0, 0, st.ExpiresDays), PreferredLanguages: st.PreferredLanguages,
		Canonical: []string{st.BaseURL + "/.well-known/security.txt"}, Policy: []string{st.BaseURL + "/security/policy"},
		Comment: "Security contact of " + st.PublisherName + " (RFC 9116). Report vulnerabilities at " + st.BaseURL + "/report"}
	if st.Acknowledgments != "" {
		txt.Acknowledgments = []string{st.Acknowledgments}
	}
	if st.Hiring != "" {
		txt.Hiring = []string{st.Hiring}
	}
	key, _, err := s.SigningKey(ctx)
	if err != nil {
		return nil, err
	}
	if key != nil {
		txt.CSAF = []string{st.BaseURL + "/.well-known/csaf/provider-metadata.json"}
		txt.Encryption = []string{st.BaseURL + "/.well-known/csaf/openpgp/" + key.Fingerprint() + ".asc"}
	}
	if _, err := txt.Validate(now); err != nil {
		return nil, err
	}
	out := txt.Render()
	if st.SignTxt && key != nil {
		return key.ClearSign(out)
	}
	return out, nil
}
