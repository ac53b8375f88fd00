package publish

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	cradle "github.com/cradle-sdl/cradle"
)

// Key is an OpenPGP key able to sign: the CSAF documents' detached .asc
// signatures (CSAF 2.0 §7.1.19) and the clear-signed security.txt.
//
// Its private part is held decrypted in memory. A Key is safe for
// concurrent use: signing only reads it.
type Key struct {
	entity  *openpgp.Entity
	public  []byte // armored transferable public key
	private []byte // armored transferable secret key, unencrypted
}

// signConfig is the configuration of every signature made here. SHA-512
// because it is what GnuPG chooses for Ed25519 and what the CSAF examples
// hash with; the signature time is the clock's.
var signConfig = &packet.Config{DefaultHash: crypto.SHA512}

// GenerateKey returns a new signing key for name <email>, created at now.
//
// The primary key is Ed25519 in the v4 "EdDSA legacy" encoding (algorithm
// 22, curve OID 1.3.6.1.4.1.11591.15.1), certifying and signing, with a
// Curve25519 ECDH subkey for encryption: exactly what `gpg
// --quick-generate-key` makes by default and what the gocsaf test provider
// uses. Every OpenPGP implementation a CSAF consumer runs verifies it:
// GnuPG since 2.1, go-crypto (csaf_checker, csaf_downloader), Sequoia,
// OpenPGP.js. The RFC 9580 native Ed25519 (algorithm 27) or a v6 key would
// not verify in GnuPG 2.2/2.4, which most distributions still ship; RSA-3072
// would, but is slower and produces 400-byte signatures for no gain.
//
// The key does not expire: csaf_checker verifies every signature against
// the current time, so an expired key would invalidate the whole archive.
// Rotate it by publishing a new one and revoking the old if compromised.
func GenerateKey(name, email string, now time.Time) (*Key, error) {
	var problems []cradle.Problem
	name, email = strings.TrimSpace(name), strings.TrimSpace(email)
	if name == "" {
		problems = append(problems, cradle.Problem{Location: "name", Message: "is required"})
	} else if strings.ContainsAny(name, "()<>\x00") {
		problems = append(problems, cradle.Problem{Location: "name", Message: "must not contain ( ) < > or NUL"})
	}
	if !validEmail(email) {
		problems = append(problems, cradle.Problem{Location: "email", Message: fmt.Sprintf("%q is not an e-mail address", email)})
	}
	if now.IsZero() {
		problems = append(problems, cradle.Problem{Location: "now", Message: "the creation time is required"})
	}
	if len(problems) > 0 {
		return nil, cradle.Invalid("cannot generate an OpenPGP key", problems...)
	}
	cfg := &packet.Config{
		Algorithm:   packet.PubKeyAlgoEdDSA,
		Curve:       packet.Curve25519,
		DefaultHash: crypto.SHA512,
		Time:        func() time.Time { return now },
	}
	e, err := openpgp.NewEntity(name, "", email, cfg)
	if err != nil {
		return nil, fmt.Errorf("generate openpgp key: %w", err)
	}
	return newKey(e)
}

// validEmail is a plausibility check, not RFC 5322: one @ with text on both
// sides, no spaces and none of the characters a user ID must not contain.
func validEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && domain != "" && !strings.Contains(domain, "@") &&
		!strings.ContainsAny(s, " \t\r\n()<>\x00")
}

// LoadKey imports an existing armored secret key ("-----BEGIN PGP PRIVATE
// KEY BLOCK-----", as `gpg --export-secret-keys --armor` writes it). The
// passphrase may be nil for an unprotected key.
//
// It is refused, with a message saying why, when it holds no or more than
// one key, only a public key, a wrong or missing passphrase, or when it
// is revoked, expired, has no usable signing (sub)key, its signing key's
// secret is a stub on a smartcard, or is RSA below 2048 bits. A test
// signature is made and verified before the key is returned. A v6 key or
// an RFC 9580 Ed25519 (algorithm 27) key is accepted, but GnuPG before 2.5
// cannot verify its signatures: prefer a v4 key.
func LoadKey(armoredPrivate []byte, passphrase []byte) (*Key, error) {
	invalid := func(format string, args ...any) error {
		return cradle.Errorf(cradle.EInvalid, "cannot use this OpenPGP key: "+format, args...)
	}
	el, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(armoredPrivate))
	if err != nil {
		return nil, invalid("not an armored OpenPGP key (%v)", err)
	}
	// ReadArmoredKeyRing reads the first armored block only; a second
	// one would be silently ignored.
	if n := bytes.Count(armoredPrivate, []byte("-----BEGIN PGP ")); n > 1 {
		return nil, invalid("it contains %d armored blocks; export exactly one key", n)
	}
	switch len(el) {
	case 0:
		return nil, invalid("it contains no key")
	case 1:
	default:
		return nil, invalid("it contains %d keys; export exactly one", len(el))
	}
	e := el[0]
	fp := fingerprint(e)
	if e.PrivateKey == nil {
		return nil, invalid("%s is a public key; the secret key is needed to sign", fp)
	}
	if encrypted(e) {
		if len(passphrase) == 0 {
			return nil, invalid("%s is protected by a passphrase and none was given", fp)
		}
		if err := e.DecryptPrivateKeys(passphrase); err != nil {
			return nil, invalid("%s: wrong passphrase (%v)", fp, err)
		}
	}
	now := time.Now()
	if e.Revoked(now) {
		return nil, invalid("%s is revoked", fp)
	}
	self, id := e.PrimarySelfSignature()
	if self == nil {
		return nil, invalid("%s has no valid self-signature", fp)
	}
	if id != nil && id.Revoked(now) {
		return nil, invalid("%s: its primary user ID %q is revoked", fp, id.Name)
	}
	if e.PrimaryKey.KeyExpired(self, now) || self.SigExpired(now) {
		return nil, invalid("%s expired on %s", fp, expiry(e.PrimaryKey.CreationTime, self))
	}
	sk, ok := e.SigningKey(now)
	if !ok {
		return nil, invalid("%s has no valid signing key (none with the sign flag, or every signing subkey is expired or revoked)", fp)
	}
	if sk.PrivateKey == nil || sk.PrivateKey.Dummy() {
		return nil, invalid("%s: the secret of signing key %X is not in the export (a stub, e.g. on a smartcard)", fp, sk.PublicKey.KeyId)
	}
	if pub, ok := sk.PublicKey.PublicKey.(*rsa.PublicKey); ok && pub.N.BitLen() < 2048 {
		return nil, invalid("%s: RSA-%d is too weak to sign advisories; use at least RSA-3072 or Ed25519", fp, pub.N.BitLen())
	}
	k, err := newKey(e)
	if err != nil {
		return nil, err
	}
	// The signature round trip catches what the checks above cannot:
	// an algorithm go-crypto cannot sign with, a corrupt secret.
	sig, err := k.SignDetached([]byte("cradle key check"))
	if err != nil {
		return nil, invalid("%s cannot sign: %v", fp, err)
	}
	if err := Verify(k.public, []byte("cradle key check"), sig); err != nil {
		return nil, invalid("%s makes signatures that do not verify: %v", fp, err)
	}
	return k, nil
}

func encrypted(e *openpgp.Entity) bool {
	if e.PrivateKey != nil && e.PrivateKey.Encrypted {
		return true
	}
	for _, s := range e.Subkeys {
		if s.PrivateKey != nil && s.PrivateKey.Encrypted {
			return true
		}
	}
	return false
}

func expiry(created time.Time, sig *packet.Signature) string {
	switch {
	case sig.KeyLifetimeSecs != nil && *sig.KeyLifetimeSecs != 0:
		return created.Add(time.Duration(*sig.KeyLifetimeSecs) * time.Second).UTC().Format(time.RFC3339)
	case sig.SigLifetimeSecs != nil && *sig.SigLifetimeSecs != 0:
		return sig.CreationTime.Add(time.Duration(*sig.SigLifetimeSecs) * time.Second).UTC().Format(time.RFC3339)
	}
	return "an unknown date"
}

func fingerprint(e *openpgp.Entity) string {
	return fmt.Sprintf("%X", e.PrimaryKey.Fingerprint)
}

// newKey serialises e once: the armored forms never change afterwards.
func newKey(e *openpgp.Entity) (*Key, error) {
	var pub, priv bytes.Buffer
	w, err := armor.Encode(&pub, openpgp.PublicKeyType, nil)
	if err != nil {
		return nil, err
	}
	if err := e.Serialize(w); err != nil {
		return nil, fmt.Errorf("serialise public key: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	pub.WriteByte('\n')
	w, err = armor.Encode(&priv, openpgp.PrivateKeyType, nil)
	if err != nil {
		return nil, err
	}
	// WithoutSigning: SerializePrivate would re-sign the user IDs and
	// subkeys with the current time, changing the key on every export.
	if err := e.SerializePrivateWithoutSigning(w, nil); err != nil {
		return nil, fmt.Errorf("serialise secret key: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	priv.WriteByte('\n')
	return &Key{entity: e, public: pub.Bytes(), private: priv.Bytes()}, nil
}

// ArmoredPublic returns the transferable public key, armored: the file
// published as openpgp/<FINGERPRINT>.asc.
func (k *Key) ArmoredPublic() []byte { return bytes.Clone(k.public) }

// ArmoredPrivate returns the transferable secret key, armored and NOT
// protected by a passphrase: store it encrypted, or use
// ArmoredPrivateEncrypted.
func (k *Key) ArmoredPrivate() []byte { return bytes.Clone(k.private) }

// ArmoredPrivateEncrypted returns the secret key armored and protected by
// passphrase (S2K iterated and salted, AES-256), as `gpg
// --export-secret-keys` would. LoadKey reads it back with the passphrase.
func (k *Key) ArmoredPrivateEncrypted(passphrase []byte) ([]byte, error) {
	if len(passphrase) == 0 {
		return nil, cradle.Errorf(cradle.EInvalid, "a passphrase is required")
	}
	// A copy, so that the Key in use stays decrypted.
	el, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(k.private))
	if err != nil || len(el) != 1 {
		return nil, fmt.Errorf("re-read secret key: %v", err)
	}
	e := el[0]
	if err := e.EncryptPrivateKeys(passphrase, &packet.Config{DefaultCipher: packet.CipherAES256}); err != nil {
		return nil, fmt.Errorf("encrypt secret key: %w", err)
	}
	var b bytes.Buffer
	w, err := armor.Encode(&b, openpgp.PrivateKeyType, nil)
	if err != nil {
		return nil, err
	}
	if err := e.SerializePrivateWithoutSigning(w, nil); err != nil {
		return nil, fmt.Errorf("serialise secret key: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// Fingerprint returns the primary key's fingerprint in upper-case hex
// without spaces (40 digits for a v4 key), as provider-metadata.json's
// public_openpgp_keys[].fingerprint and the key's file name want it.
func (k *Key) Fingerprint() string { return fingerprint(k.entity) }

// SignDetached returns an armored detached binary signature of data: the
// content of a CSAF document's .asc file.
func (k *Key) SignDetached(data []byte) ([]byte, error) {
	var b bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&b, k.entity, bytes.NewReader(data), signConfig); err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// ClearSign returns text as an OpenPGP cleartext signed message (RFC 4880
// §7), the form RFC 9116 §2.3 prescribes for a signed security.txt. Lines
// starting with "-" are dash-escaped, as the format requires; trailing
// whitespace on a line is not covered by the signature (RFC 4880 §7.1).
func (k *Key) ClearSign(text []byte) ([]byte, error) {
	sk, ok := k.entity.SigningKey(signConfig.Now())
	if !ok || sk.PrivateKey == nil {
		return nil, errors.New("clear-sign: no valid signing key")
	}
	var b bytes.Buffer
	w, err := clearsign.Encode(&b, sk.PrivateKey, signConfig)
	if err != nil {
		return nil, fmt.Errorf("clear-sign: %w", err)
	}
	if _, err := w.Write(text); err != nil {
		return nil, fmt.Errorf("clear-sign: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("clear-sign: %w", err)
	}
	return rearmorClearSigned(b.Bytes())
}

// rearmorClearSigned rewrites the signature block of a clear-signed message
// with the CRC-24 line. go-crypto leaves it out, as RFC 9580 allows, but
// GnuPG 2.2 then reads the END line as radix-64 and prints "invalid radix64
// character 2D skipped" before "Good signature": noise a researcher
// checking security.txt should not see.
func rearmorClearSigned(msg []byte) ([]byte, error) {
	i := bytes.Index(msg, []byte("\n-----BEGIN PGP SIGNATURE-----"))
	if i < 0 {
		return nil, errors.New("clear-sign: no signature block")
	}
	blk, err := armor.Decode(bytes.NewReader(msg[i+1:]))
	if err != nil {
		return nil, fmt.Errorf("clear-sign: %w", err)
	}
	sig, err := readAllArmored(blk)
	if err != nil {
		return nil, fmt.Errorf("clear-sign: %w", err)
	}
	out := bytes.NewBuffer(bytes.Clone(msg[:i+1]))
	w, err := armor.Encode(out, openpgp.SignatureType, nil)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(sig); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

const clearSignedHeader = "-----BEGIN PGP SIGNED MESSAGE-----"

// Verify checks that armoredSig is a valid signature over data by the key
// in armoredPublic (an armored public or secret key, or a key ring). It
// accepts a detached signature, armored (.asc) or binary, and a
// clear-signed message: then data may be nil, or must equal the signed
// text (compared as RFC 4880 §7.1 canonicalises it: line endings and
// trailing whitespace do not count).
//
// A signature is good when it verifies mathematically, the key is not
// revoked now, and the key was valid when the signature was made. Unlike
// csaf_checker, which verifies against the current time, a signature made
// before the key expired stays good, as in GnuPG: published advisories
// outlive keys.
func Verify(armoredPublic, data, armoredSig []byte) error {
	keyring, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(armoredPublic))
	if err != nil {
		return cradle.Errorf(cradle.EInvalid, "read public key: %v", err)
	}
	signed, sig := data, armoredSig
	clear := bytes.HasPrefix(bytes.TrimLeft(armoredSig, " \t\r\n"), []byte(clearSignedHeader))
	if clear {
		b, _ := clearsign.Decode(armoredSig)
		if b == nil {
			return cradle.Errorf(cradle.EInvalid, "malformed clear-signed message")
		}
		if data != nil && !bytes.Equal(canonicalText(data), canonicalText(b.Plaintext)) {
			return cradle.Errorf(cradle.EInvalid, "the clear-signed text differs from the given data")
		}
		signed = b.Bytes
		if sig, err = readAllArmored(b.ArmoredSignature); err != nil {
			return cradle.Errorf(cradle.EInvalid, "malformed signature block: %v", err)
		}
	} else if bytes.HasPrefix(bytes.TrimLeft(armoredSig, " \t\r\n"), []byte("-----BEGIN")) {
		blk, err := armor.Decode(bytes.NewReader(armoredSig))
		if err != nil {
			return cradle.Errorf(cradle.EInvalid, "malformed armored signature: %v", err)
		}
		if blk.Type != openpgp.SignatureType {
			return cradle.Errorf(cradle.EInvalid, "armored block is a %q, not a signature", blk.Type)
		}
		if sig, err = readAllArmored(blk); err != nil {
			return cradle.Errorf(cradle.EInvalid, "malformed armored signature: %v", err)
		}
	}
	return verifyBinary(keyring, signed, sig)
}

func readAllArmored(b *armor.Block) ([]byte, error) {
	var buf bytes.Buffer
	_, err := buf.ReadFrom(b.Body)
	return buf.Bytes(), err
}

func verifyBinary(keyring openpgp.EntityList, signed, sig []byte) error {
	s, signer, err := openpgp.VerifyDetachedSignature(keyring, bytes.NewReader(signed), bytes.NewReader(sig), nil)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, pgperrors.ErrUnknownIssuer):
		return cradle.Errorf(cradle.EInvalid, "signature was not made by the given key")
	case s != nil && signer != nil && (errors.Is(err, pgperrors.ErrKeyExpired) || errors.Is(err, pgperrors.ErrSignatureExpired)):
		// The signature verified and the key is not revoked now
		// (go-crypto checks revocation first). Was the key valid then?
		if s.SigExpired(time.Now()) {
			return cradle.Errorf(cradle.EInvalid, "signature expired")
		}
		at := &packet.Config{Time: func() time.Time { return s.CreationTime }}
		if _, _, err := openpgp.VerifyDetachedSignature(keyring, bytes.NewReader(signed), bytes.NewReader(sig), at); err != nil {
			return cradle.Errorf(cradle.EInvalid, "signature made %s is not valid: %v", s.CreationTime.UTC().Format(time.RFC3339), err)
		}
		return nil
	}
	return cradle.Errorf(cradle.EInvalid, "bad signature: %v", err)
}

// canonicalText is text as a cleartext signature covers it: lines without
// trailing spaces and tabs, CR LF and LF alike, no final line break.
func canonicalText(b []byte) []byte {
	lines := bytes.Split(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\n"))
	for i, l := range lines {
		lines[i] = bytes.TrimRight(l, " \t")
	}
	return bytes.TrimRight(bytes.Join(lines, []byte("\n")), "\n")
}

// VerifyClearSigned checks a clear-signed message with Verify and returns
// the signed text (dash-escaping undone, LF line endings).
func VerifyClearSigned(armoredPublic, signed []byte) ([]byte, error) {
	if err := Verify(armoredPublic, nil, signed); err != nil {
		return nil, err
	}
	b, _ := clearsign.Decode(signed)
	return b.Plaintext, nil
}
