package publish

import (
	"bytes"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// Tests against data others published, from the shared corpus
// (../shared/data/README.md).

func testData(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("CRADLE_TEST_DATA")
	if dir == "" {
		t.Skip("CRADLE_TEST_DATA is not set: skipping the test against the shared corpus (CISA, gocsaf)")
	}
	return dir
}

// TestGocsafProvider checks gocsaf's test provider: its signature verifies
// with its published key, the key's fingerprint is the one its
// provider-metadata.json lists, its hash files have the format we write,
// and FileName reproduces its file name.
func TestGocsafProvider(t *testing.T) {
	root := filepath.Join(testData(t), "conformance", "csaf", "gocsaf-testdata", "testdata")
	for _, provider := range []string{"simple-directory-provider", "simple-rolie-provider"} {
		t.Run(provider, func(t *testing.T) {
			dir := filepath.Join(root, provider)
			read := func(p string) []byte {
				t.Helper()
				b, err := os.ReadFile(filepath.Join(dir, p))
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			pub := read("openpgp/pubkey.asc")
			var pmd struct {
				Keys []struct{ Fingerprint string } `json:"public_openpgp_keys"`
			}
			if err := json.Unmarshal(read("provider-metadata.json"), &pmd); err != nil {
				t.Fatal(err)
			}
			e := readEntity(t, pub)
			if got := fingerprint(e); len(pmd.Keys) != 1 || pmd.Keys[0].Fingerprint != got {
				t.Errorf("key fingerprint %s, provider-metadata.json lists %v", got, pmd.Keys)
			}
			doc := read("white/avendor-advisory-0004.json")
			if err := Verify(pub, doc, read("white/avendor-advisory-0004.json.asc")); err != nil {
				t.Errorf("Verify: %v", err)
			}
			if err := Verify(pub, append(doc, ' '), read("white/avendor-advisory-0004.json.asc")); err == nil {
				t.Error("Verify accepts a changed document")
			}
			checkHashFile(t, "avendor-advisory-0004.json", doc, read("white/avendor-advisory-0004.json.sha256"), "sha256")
			checkHashFile(t, "avendor-advisory-0004.json", doc, read("white/avendor-advisory-0004.json.sha512"), "sha512")
			var m csafMeta
			if err := json.Unmarshal(doc, &m); err != nil {
				t.Fatal(err)
			}
			if got := FileName(m.Document.Tracking.ID); got != "avendor-advisory-0004.json" {
				t.Errorf("FileName(%q) = %s", m.Document.Tracking.ID, got)
			}
		})
	}
}

// cisaSigner is the fingerprint of the key CISA signs its CSAF documents
// with, as its provider-metadata.json lists it.
const cisaSigner = "144AED0A57BE7D4AE835D9D8CAC5AC4F74164B17"

// TestCISAProvider checks CISA's trusted-provider tree: FileName and the
// year rule give every one of its 2,383 documents the path CISA gave it;
// the .sha512 files of a sample match; its .asc files are well-formed
// detached signatures by CISA's key. CISA's public key is not in the
// corpus (it is published at www.cisa.gov, not in the repository), so
// the signatures cannot be verified cryptographically here: Verify must
// report that they were not made by a key it was given.
func TestCISAProvider(t *testing.T) {
	root := filepath.Join(testData(t), "csaf", "cisa", "csaf_files")
	docs, err := filepath.Glob(filepath.Join(root, "*", "white", "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) < 2000 {
		t.Fatalf("found %d CISA documents, expected the whole corpus", len(docs))
	}
	slices.Sort(docs)
	other := mustKey(t)
	var sample []Doc
	for i, p := range docs {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var m csafMeta
		if err := json.Unmarshal(b, &m); err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		initial, err := parseRFC3339(m.Document.Tracking.InitialReleaseDate)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		want := filepath.Base(filepath.Dir(p)) + "/" + filepath.Base(p)
		if got := fmt.Sprintf("%04d/%s", initial.Year(), FileName(m.Document.Tracking.ID)); got != want {
			t.Errorf("%s: we would publish it as %s", want, got)
		}
		if i%250 != 0 { // a sample of ten for the files beside it
			continue
		}
		sample = append(sample, Doc{JSON: b})
		sha, err := os.ReadFile(p + ".sha512")
		if err != nil {
			t.Errorf("%s: %v", p, err)
		} else {
			// §7.1.18: the hex value first, anything after a space
			// optional; CISA writes no final line break.
			sum := sha512.Sum512(b)
			if f := strings.Fields(string(sha)); len(f) == 0 || f[0] != hex.EncodeToString(sum[:]) || (len(f) > 1 && f[1] != filepath.Base(p)) {
				t.Errorf("%s.sha512 = %q does not match", want, sha)
			}
		}
		asc, err := os.ReadFile(p + ".asc")
		if err != nil {
			t.Fatal(err)
		}
		if got := issuer(t, asc); got != cisaSigner {
			t.Errorf("%s.asc: issuer %s, want CISA's %s", want, got, cisaSigner)
		}
		if err := Verify(other.ArmoredPublic(), b, asc); err == nil || !strings.Contains(err.Error(), "not made by the given key") {
			t.Errorf("%s.asc with another key: %v", want, err)
		}
	}
	t.Logf("checked paths of %d CISA documents, hashes and signature structure of %d; "+
		"CISA's public key %s is not in the corpus, so its signatures were not verified", len(docs), len(sample), cisaSigner)

	// Published again by us, CISA's documents land at CISA's paths.
	tree, err := Build(testProvider(t), sample)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range sample {
		var m csafMeta
		json.Unmarshal(d.JSON, &m)
		initial, _ := parseRFC3339(m.Document.Tracking.InitialReleaseDate)
		if _, ok := tree[fmt.Sprintf("white/%04d/%s", initial.Year(), FileName(m.Document.Tracking.ID))]; !ok {
			t.Errorf("%s not in the tree", m.Document.Tracking.ID)
		}
	}
	if err := validateMetadata(tree["provider-metadata.json"].Data); err != nil {
		t.Error(err)
	}
}

// issuer returns the issuer fingerprint of an armored detached signature.
func issuer(t *testing.T, asc []byte) string {
	t.Helper()
	blk, err := armor.Decode(bytes.NewReader(asc))
	if err != nil || blk.Type != "PGP SIGNATURE" {
		t.Fatalf("not an armored signature: %v", err)
	}
	p, err := packet.Read(blk.Body)
	if err != nil {
		t.Fatal(err)
	}
	sig, ok := p.(*packet.Signature)
	if !ok {
		t.Fatalf("packet %T, want a signature", p)
	}
	if sig.SigType != packet.SigTypeBinary || sig.CreationTime.After(time.Now()) {
		t.Errorf("signature type %d created %s", sig.SigType, sig.CreationTime)
	}
	return fmt.Sprintf("%X", sig.IssuerFingerprint)
}
