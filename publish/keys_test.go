package publish

import (
	"bytes"
	"crypto"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	cradle "github.com/cradle-sdl/cradle"
)

// testKey is one generated key shared by the tests that only sign.
var testKey = sync.OnceValues(func() (*Key, error) {
	return GenerateKey("ACME Product Security", "psirt@example.com", time.Now().Add(-time.Hour))
})

func mustKey(t testing.TB) *Key {
	t.Helper()
	k, err := testKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func readEntity(t testing.TB, armored []byte) *openpgp.Entity {
	t.Helper()
	el, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(armored))
	if err != nil || len(el) != 1 {
		t.Fatalf("read key: %v (%d keys)", err, len(el))
	}
	return el[0]
}

func TestGenerateKey(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	k, err := GenerateKey("ACME Product Security", "psirt@example.com", now)
	if err != nil {
		t.Fatal(err)
	}
	e := readEntity(t, k.ArmoredPublic())
	if e.PrivateKey != nil {
		t.Error("ArmoredPublic contains the secret key")
	}
	pk := e.PrimaryKey
	if pk.Version != 4 || pk.PubKeyAlgo != packet.PubKeyAlgoEdDSA {
		t.Errorf("primary key: v%d algorithm %d, want v4 EdDSA (22)", pk.Version, pk.PubKeyAlgo)
	}
	if curve, err := pk.Curve(); err != nil || curve != packet.Curve25519 {
		t.Errorf("primary key curve %q (%v), want %q", curve, err, packet.Curve25519)
	}
	if !pk.CreationTime.Equal(now) {
		t.Errorf("created %v, want %v", pk.CreationTime, now)
	}
	self, id := e.PrimarySelfSignature()
	if id == nil || id.Name != "ACME Product Security <psirt@example.com>" {
		t.Errorf("user ID = %v", id)
	}
	if !self.FlagSign || !self.FlagCertify {
		t.Errorf("primary key flags: sign %v certify %v", self.FlagSign, self.FlagCertify)
	}
	if self.KeyLifetimeSecs != nil && *self.KeyLifetimeSecs != 0 {
		t.Errorf("key expires after %ds; it should not expire", *self.KeyLifetimeSecs)
	}
	if got := k.Fingerprint(); !regexp.MustCompile(`^[0-9A-F]{40}$`).MatchString(got) {
		t.Errorf("Fingerprint() = %q, want 40 upper-case hex digits", got)
	}
	if got, want := k.Fingerprint(), strings.ToUpper(hex.EncodeToString(pk.Fingerprint)); got != want {
		t.Errorf("Fingerprint() = %s, key says %s", got, want)
	}
	priv := readEntity(t, k.ArmoredPrivate())
	if priv.PrivateKey == nil || priv.PrivateKey.Encrypted {
		t.Error("ArmoredPrivate has no usable secret key")
	}
	if !bytes.HasPrefix(k.ArmoredPrivate(), []byte("-----BEGIN PGP PRIVATE KEY BLOCK-----")) {
		t.Errorf("ArmoredPrivate starts %q", k.ArmoredPrivate()[:40])
	}
}

func TestGenerateKeyInvalid(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct{ name, email, want string }{
		{"", "psirt@example.com", "name: is required"},
		{"ACME <PSIRT>", "psirt@example.com", "name: must not contain"},
		{"ACME", "psirt", "email:"},
		{"ACME", "a b@example.com", "email:"},
		{"ACME", "", "email:"},
	} {
		_, err := GenerateKey(tc.name, tc.email, now)
		if cradle.ErrorCode(err) != cradle.EInvalid || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("GenerateKey(%q, %q) error = %v, want invalid mentioning %q", tc.name, tc.email, err, tc.want)
		}
	}
	if _, err := GenerateKey("ACME", "psirt@example.com", time.Time{}); cradle.ErrorCode(err) != cradle.EInvalid {
		t.Errorf("zero time: error = %v", err)
	}
}

func TestSignVerify(t *testing.T) {
	k := mustKey(t)
	data := []byte(`{"document":{"title":"Test"}}` + "\n")
	sig, err := k.SignDetached(data)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(sig, []byte("-----BEGIN PGP SIGNATURE-----\n")) {
		t.Fatalf("signature is not armored: %q", sig)
	}
	if err := Verify(k.ArmoredPublic(), data, sig); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	// The secret key verifies too: it contains the public one.
	if err := Verify(k.ArmoredPrivate(), data, sig); err != nil {
		t.Errorf("Verify with the secret key: %v", err)
	}
	// The binary form.
	blk, err := armor.Decode(bytes.NewReader(sig))
	if err != nil {
		t.Fatal(err)
	}
	bin, _ := readAllArmored(blk)
	if err := Verify(k.ArmoredPublic(), data, bin); err != nil {
		t.Errorf("Verify binary signature: %v", err)
	}

	for i := range data {
		tampered := bytes.Clone(data)
		tampered[i] ^= 0x01
		if err := Verify(k.ArmoredPublic(), tampered, sig); err == nil {
			t.Fatalf("Verify accepted data with byte %d flipped", i)
		} else if cradle.ErrorCode(err) != cradle.EInvalid {
			t.Errorf("tampered data: code %q, want invalid", cradle.ErrorCode(err))
		}
	}
	if err := Verify(k.ArmoredPublic(), append(bytes.Clone(data), ' '), sig); err == nil {
		t.Error("Verify accepted data with a byte appended")
	}
	// Flip a bit inside the signature value (the last bytes of the binary
	// packet are the EdDSA S value).
	badBin := bytes.Clone(bin)
	badBin[len(badBin)-3] ^= 0x40
	if err := Verify(k.ArmoredPublic(), data, badBin); err == nil {
		t.Error("Verify accepted a tampered signature")
	}

	other, err := GenerateKey("Someone Else", "else@example.org", time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(other.ArmoredPublic(), data, sig); err == nil || !strings.Contains(err.Error(), "not made by the given key") {
		t.Errorf("Verify with another key: %v", err)
	}
	if err := Verify([]byte("not a key"), data, sig); cradle.ErrorCode(err) != cradle.EInvalid {
		t.Errorf("Verify with garbage key: %v", err)
	}
	if err := Verify(k.ArmoredPublic(), data, k.ArmoredPublic()); err == nil {
		t.Error("Verify accepted a public key block as signature")
	}
}

func TestClearSign(t *testing.T) {
	k := mustKey(t)
	text := []byte("# comment\nContact: mailto:psirt@example.com\n-----BEGIN looks like armor\n- dash\nExpires: 2030-01-01T00:00:00Z\n")
	signed, err := k.ClearSign(text)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(signed, []byte("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n")) {
		t.Errorf("clear-signed message starts %q", signed[:60])
	}
	if !bytes.Contains(signed, []byte("\n- -----BEGIN looks like armor\n- - dash\n")) {
		t.Errorf("lines starting with a dash are not dash-escaped:\n%s", signed)
	}
	// The signature block carries the CRC-24 line GnuPG 2.2 needs.
	if !regexp.MustCompile(`\n=[A-Za-z0-9+/]{4}\n-----END PGP SIGNATURE-----\n$`).Match(signed) {
		t.Errorf("no checksum line before the END line:\n%s", signed)
	}
	got, err := VerifyClearSigned(k.ArmoredPublic(), signed)
	if err != nil {
		t.Fatalf("VerifyClearSigned: %v", err)
	}
	if want := text[:len(text)-1]; !bytes.Equal(canonicalText(got), canonicalText(want)) {
		t.Errorf("signed text = %q, want %q", got, want)
	}
	if err := Verify(k.ArmoredPublic(), nil, signed); err != nil {
		t.Errorf("Verify(nil data): %v", err)
	}
	if err := Verify(k.ArmoredPublic(), text, signed); err != nil {
		t.Errorf("Verify(text): %v", err)
	}
	if err := Verify(k.ArmoredPublic(), []byte("other text"), signed); err == nil {
		t.Error("Verify accepted a clear-signed message for other data")
	}
	tampered := bytes.Replace(signed, []byte("psirt@example.com"), []byte("evil@example.com!"), 1)
	if err := Verify(k.ArmoredPublic(), nil, tampered); err == nil {
		t.Error("Verify accepted a clear-signed message with altered text")
	}
}

// TestGnuPGVerifies checks the claim that GnuPG verifies what this
// package signs: gpgv with the public key as its keyring.
func TestGnuPGVerifies(t *testing.T) {
	gpgv, err := exec.LookPath("gpgv")
	if err != nil {
		t.Skip("gpgv not installed: cannot check interoperability with GnuPG")
	}
	k := mustKey(t)
	dir := t.TempDir()
	blk, err := armor.Decode(bytes.NewReader(k.ArmoredPublic()))
	if err != nil {
		t.Fatal(err)
	}
	bin, _ := readAllArmored(blk)
	keyring := filepath.Join(dir, "key.gpg")
	data := []byte("{\"a\":1}\n")
	sig, _ := k.SignDetached(data)
	signed, _ := k.ClearSign([]byte("Contact: mailto:psirt@example.com\n- x\n"))
	for name, b := range map[string][]byte{"key.gpg": bin, "doc.json": data, "doc.json.asc": sig, "security.txt": signed} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	run := func(args ...string) (string, error) {
		cmd := exec.Command(gpgv, append([]string{"--homedir", dir, "--keyring", keyring}, args...)...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	for _, args := range [][]string{
		{filepath.Join(dir, "doc.json.asc"), filepath.Join(dir, "doc.json")},
		{filepath.Join(dir, "security.txt")},
	} {
		out, err := run(args...)
		if err != nil || !strings.Contains(out, "Good signature") || strings.Contains(out, "invalid") {
			t.Errorf("gpgv %s: %v\n%s", filepath.Base(args[0]), err, out)
		}
	}
	os.WriteFile(filepath.Join(dir, "doc.json"), []byte("{\"a\":2}\n"), 0o600)
	if out, err := run(filepath.Join(dir, "doc.json.asc"), filepath.Join(dir, "doc.json")); err == nil {
		t.Errorf("gpgv accepted tampered data:\n%s", out)
	}
}

func TestLoadKey(t *testing.T) {
	k := mustKey(t)
	loaded, err := LoadKey(k.ArmoredPrivate(), nil)
	if err != nil {
		t.Fatalf("LoadKey(ArmoredPrivate): %v", err)
	}
	if loaded.Fingerprint() != k.Fingerprint() {
		t.Errorf("fingerprint %s after load, want %s", loaded.Fingerprint(), k.Fingerprint())
	}
	sig, err := loaded.SignDetached([]byte("x"))
	if err != nil || Verify(k.ArmoredPublic(), []byte("x"), sig) != nil {
		t.Errorf("loaded key does not sign: %v", err)
	}

	enc, err := k.ArmoredPrivateEncrypted([]byte("correct horse"))
	if err != nil {
		t.Fatal(err)
	}
	if e := readEntity(t, enc); !e.PrivateKey.Encrypted {
		t.Error("ArmoredPrivateEncrypted is not encrypted")
	}
	if _, err := LoadKey(enc, []byte("correct horse")); err != nil {
		t.Errorf("LoadKey(encrypted, right passphrase): %v", err)
	}
	// The key in use stays decrypted.
	if _, err := k.SignDetached([]byte("x")); err != nil {
		t.Errorf("sign after ArmoredPrivateEncrypted: %v", err)
	}

	now := time.Now()
	newEntity := func(t *testing.T, cfg *packet.Config) *openpgp.Entity {
		t.Helper()
		e, err := openpgp.NewEntity("Test", "", "test@example.com", cfg)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	export := func(t *testing.T, e *openpgp.Entity) []byte {
		t.Helper()
		k, err := newKey(e)
		if err != nil {
			t.Fatal(err)
		}
		return k.ArmoredPrivate()
	}
	edCfg := func(created time.Time, lifetime uint32) *packet.Config {
		return &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, Time: func() time.Time { return created }, KeyLifetimeSecs: lifetime}
	}
	expired := export(t, newEntity(t, edCfg(now.Add(-48*time.Hour), 3600)))
	revokedEntity := newEntity(t, edCfg(now.Add(-time.Hour), 0))
	if err := revokedEntity.RevokeKey(packet.KeySuperseded, "replaced", &packet.Config{Time: func() time.Time { return now.Add(-time.Minute) }}); err != nil {
		t.Fatal(err)
	}
	revoked := export(t, revokedEntity)
	// A key that may certify but not sign: the self-signature without
	// the sign flag, and only an encryption subkey.
	noSign := newEntity(t, edCfg(now.Add(-time.Hour), 0))
	for _, id := range noSign.Identities {
		id.SelfSignature.FlagSign = false
		if err := id.SelfSignature.SignUserId(id.UserId.Id, noSign.PrimaryKey, noSign.PrivateKey, &packet.Config{Time: func() time.Time { return now.Add(-time.Hour) }}); err != nil {
			t.Fatal(err)
		}
		id.Signatures = []*packet.Signature{id.SelfSignature}
	}
	cannotSign := export(t, noSign)
	weak := export(t, newEntity(t, &packet.Config{Algorithm: packet.PubKeyAlgoRSA, RSABits: 1024, DefaultHash: crypto.SHA256, Time: func() time.Time { return now.Add(-time.Hour) }}))
	two := append(bytes.Clone(k.ArmoredPrivate()), expired...)
	// Two keys in one armored block, as `gpg --export-secret-keys a b` writes.
	var oneBlock bytes.Buffer
	w, _ := armor.Encode(&oneBlock, openpgp.PrivateKeyType, nil)
	for _, e := range []*openpgp.Entity{newEntity(t, edCfg(now.Add(-time.Hour), 0)), newEntity(t, edCfg(now.Add(-time.Hour), 0))} {
		if err := e.SerializePrivateWithoutSigning(w, nil); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()

	for _, tc := range []struct {
		name       string
		key, pass  []byte
		wantSubstr string
	}{
		{"public key only", k.ArmoredPublic(), nil, "is a public key"},
		{"no passphrase", enc, nil, "protected by a passphrase and none was given"},
		{"wrong passphrase", enc, []byte("wrong"), "wrong passphrase"},
		{"expired", expired, nil, "expired on"},
		{"revoked", revoked, nil, "is revoked"},
		{"cannot sign", cannotSign, nil, "no valid signing key"},
		{"RSA-1024", weak, nil, "too weak"},
		{"two armored keys", two, nil, "contains 2 armored blocks"},
		{"two keys in one block", oneBlock.Bytes(), nil, "contains 2 keys"},
		{"garbage", []byte("hello"), nil, "not an armored OpenPGP key"},
		{"empty", nil, nil, "not an armored OpenPGP key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadKey(tc.key, tc.pass)
			if cradle.ErrorCode(err) != cradle.EInvalid || !strings.Contains(err.Error(), tc.wantSubstr) {
				t.Errorf("LoadKey error = %v, want invalid containing %q", err, tc.wantSubstr)
			}
		})
	}
}

// TestGocsafTestKey loads the OpenPGP test key of gocsaf's test provider
// (made by gpg, see testdata/gocsaf/info.txt) and checks the signature and
// hashes gocsaf published with it.
func TestGocsafTestKey(t *testing.T) {
	read := func(name string) []byte {
		t.Helper()
		b, err := os.ReadFile(filepath.Join("testdata", "gocsaf", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	pub, priv := read("pubkey.asc"), read("privkey.asc")
	doc, sig := read("avendor-advisory-0004.json"), read("avendor-advisory-0004.json.asc")
	const fp = "A8914CA2F11139C6A69A0018FB3CD9B15DE61596" // provider-metadata.json of the gocsaf test provider

	if err := Verify(pub, doc, sig); err != nil {
		t.Errorf("gocsaf's signature does not verify: %v", err)
	}
	tampered := bytes.Replace(doc, []byte("Test CSAF document"), []byte("Test CSAF documenT"), 1)
	if err := Verify(pub, tampered, sig); err == nil {
		t.Error("gocsaf's signature verifies a tampered document")
	}
	checkHashFile(t, "avendor-advisory-0004.json", doc, read("avendor-advisory-0004.json.sha256"), "sha256")
	checkHashFile(t, "avendor-advisory-0004.json", doc, read("avendor-advisory-0004.json.sha512"), "sha512")

	// The key expires on 2027-09-06; LoadKey must then refuse it.
	k, err := LoadKey(priv, nil)
	if time.Now().After(time.Date(2027, 9, 6, 14, 22, 47, 0, time.UTC)) {
		if err == nil || !strings.Contains(err.Error(), "expired") {
			t.Errorf("LoadKey(expired gocsaf key) error = %v, want expired", err)
		}
		return
	}
	if err != nil {
		t.Fatalf("LoadKey(gocsaf privkey.asc): %v", err)
	}
	if k.Fingerprint() != fp {
		t.Errorf("fingerprint %s, want %s", k.Fingerprint(), fp)
	}
	ours, err := k.SignDetached(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(pub, doc, ours); err != nil {
		t.Errorf("our signature with gocsaf's key does not verify with their public key: %v", err)
	}
}

// TestVerifyKeyLifetime: a signature made while the key was valid stays
// good after the key expires; a revoked key's signatures are refused.
func TestVerifyKeyLifetime(t *testing.T) {
	now := time.Now()
	created := now.Add(-48 * time.Hour)
	at := func(tm time.Time) *packet.Config {
		return &packet.Config{DefaultHash: crypto.SHA512, Time: func() time.Time { return tm }}
	}
	cfg := at(created)
	cfg.Algorithm, cfg.KeyLifetimeSecs = packet.PubKeyAlgoEdDSA, 24*3600
	e, err := openpgp.NewEntity("Old", "", "old@example.com", cfg)
	if err != nil {
		t.Fatal(err)
	}
	k, err := newKey(e)
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("advisory")
	var sig bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&sig, e, bytes.NewReader(data), at(created.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	if err := Verify(k.ArmoredPublic(), data, sig.Bytes()); err != nil {
		t.Errorf("signature made before the key expired: %v", err)
	}
	if err := Verify(k.ArmoredPublic(), []byte("advisorY"), sig.Bytes()); err == nil {
		t.Error("expired key: tampered data accepted")
	}

	cfg = at(created)
	cfg.Algorithm = packet.PubKeyAlgoEdDSA
	r, err := openpgp.NewEntity("Revoked", "", "revoked@example.com", cfg)
	if err != nil {
		t.Fatal(err)
	}
	sig.Reset()
	if err := openpgp.ArmoredDetachSign(&sig, r, bytes.NewReader(data), at(created.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	if err := r.RevokeKey(packet.KeyCompromised, "stolen", at(now.Add(-time.Hour))); err != nil {
		t.Fatal(err)
	}
	rk, err := newKey(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(rk.ArmoredPublic(), data, sig.Bytes()); err == nil || !strings.Contains(err.Error(), "revoked") {
		t.Errorf("signature of a revoked key: %v, want revoked", err)
	}
}
