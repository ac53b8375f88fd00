// Command csafprovider serves a CSAF trusted provider built by package
// publish over TLS, for bench/check-csaf-provider.sh to run gocsaf's
// csaf_checker against. Not part of cradle.
//
//	csafprovider -addr 127.0.0.1:8443 -docs DIR [-amber FILE] [-token SECRET] [-out DIR]
//
// It generates a signing key and a self-signed certificate for localhost,
// publishes every *.json under -docs (CSAF 2.0 documents) plus -amber
// (its TLP label is rewritten to AMBER and its tracking ID suffixed
// "-amber", so it is a distinct document), serves the tree at
// /.well-known/csaf/ and a clear-signed /.well-known/security.txt with a
// CSAF field. AMBER, RED and GREEN files need "Authorization: Bearer
// <token>". It prints "ready https://localhost:PORT" when listening.
//
//	csafprovider -report REPORT.json
//
// prints a csaf_checker JSON report as one line per message instead.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cradle-sdl/cradle/publish"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8443", "listen address")
	docsDir := flag.String("docs", "", "folder of CSAF documents (searched recursively for *.json)")
	amber := flag.String("amber", "", "a CSAF document to publish again as TLP:AMBER")
	token := flag.String("token", "partner", "bearer token that opens GREEN, AMBER and RED")
	out := flag.String("out", "", "also write the tree to this folder")
	report := flag.String("report", "", "print this csaf_checker JSON report and exit")
	flag.Parse()
	if *report != "" {
		if err := printReport(*report); err != nil {
			log.Fatal(err)
		}
		return
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	origin := "https://localhost:" + port
	now := time.Now().UTC().Truncate(time.Second)

	key, err := publish.GenerateKey("cradle bench provider", "psirt@example.com", now.Add(-time.Minute))
	if err != nil {
		log.Fatal(err)
	}
	var docs []publish.Doc
	if *docsDir != "" {
		err := filepath.WalkDir(*docsDir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			docs = append(docs, publish.Doc{JSON: b})
			return nil
		})
		if err != nil {
			log.Fatal(err)
		}
	}
	if *amber != "" {
		b, err := os.ReadFile(*amber)
		if err != nil {
			log.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			log.Fatal(err)
		}
		d := doc["document"].(map[string]any)
		d["distribution"] = map[string]any{"tlp": map[string]any{"label": "AMBER", "url": "https://www.first.org/tlp/v1/"}}
		tr := d["tracking"].(map[string]any)
		tr["id"] = tr["id"].(string) + "-amber"
		d["title"] = d["title"].(string) + " (AMBER copy)"
		b, _ = json.MarshalIndent(doc, "", "  ")
		docs = append(docs, publish.Doc{JSON: b})
	}
	p := publish.Provider{
		CanonicalURL: origin + "/.well-known/csaf",
		Publisher: publish.Publisher{
			Name:      "cradle bench provider",
			Namespace: "https://example.com",
			Category:  "vendor",
		},
		Key:         key,
		LastUpdated: now,
	}
	tree, err := publish.Build(p, docs)
	if err != nil {
		log.Fatal(err)
	}
	if *out != "" {
		if err := tree.WriteDir(*out); err != nil {
			log.Fatal(err)
		}
	}
	st := publish.SecurityTxt{
		Contacts:  []string{"mailto:psirt@example.com"},
		Expires:   now.AddDate(0, 6, 0),
		Canonical: []string{origin + "/.well-known/security.txt"},
		CSAF:      []string{origin + "/.well-known/csaf/provider-metadata.json"},
	}
	if _, err := st.Validate(now); err != nil {
		log.Fatal(err)
	}
	securityTxt, err := key.ClearSign(st.Render())
	if err != nil {
		log.Fatal(err)
	}

	allow := func(r *http.Request, tlp string) bool {
		return r.Header.Get("Authorization") == "Bearer "+*token
	}
	mux := http.NewServeMux()
	mux.Handle("/.well-known/csaf/", http.StripPrefix("/.well-known/csaf", tree.Handler(allow)))
	mux.HandleFunc("GET /.well-known/security.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(securityTxt)
	})
	cert, err := selfSigned(now)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{
		Handler:   logRequests(mux),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}},
	}
	fmt.Printf("ready %s (%d documents, key %s)\n", origin, len(docs), key.Fingerprint())
	log.Fatal(srv.ServeTLS(ln, "", ""))
}

func logRequests(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &status{ResponseWriter: w, code: 200}
		h.ServeHTTP(rec, r)
		if os.Getenv("CSAFPROVIDER_LOG") != "" {
			log.Printf("%s %s %d", r.Method, r.URL.Path, rec.code)
		}
	})
}

type status struct {
	http.ResponseWriter
	code int
}

func (s *status) WriteHeader(code int) {
	s.code = code
	s.ResponseWriter.WriteHeader(code)
}

func selfSigned(now time.Time) (tls.Certificate, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: priv}, nil
}

// printReport prints a csaf_checker report: the verdict per domain, then
// each requirement's messages, tagged info, WARN or ERROR.
func printReport(name string) error {
	b, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	var r struct {
		Domains []struct {
			Passed       bool   `json:"passed"`
			Role         string `json:"role"`
			Requirements []struct {
				Num         int    `json:"num"`
				Description string `json:"description"`
				Messages    []struct {
					Type int    `json:"type"`
					Text string `json:"text"`
				} `json:"messages"`
			} `json:"requirements"`
		} `json:"domains"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return err
	}
	for _, d := range r.Domains {
		fmt.Printf("role %s: passed=%v\n", d.Role, d.Passed)
		for _, req := range d.Requirements {
			for _, m := range req.Messages {
				fmt.Printf("  %2d %-32s %-5s %s\n", req.Num, req.Description, [...]string{"info", "WARN", "ERROR"}[min(m.Type, 2)], m.Text)
			}
		}
	}
	return nil
}
