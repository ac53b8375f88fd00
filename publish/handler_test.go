package publish

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// allowBearer is the access rule of the tests: AMBER and RED need the
// token "partner", GREEN the token "community" or "partner".
func allowBearer(r *http.Request, tlp string) bool {
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	switch tlp {
	case "GREEN":
		return tok == "community" || tok == "partner"
	case "AMBER", "RED":
		return tok == "partner"
	}
	return false
}

func TestHandler(t *testing.T) {
	tree := buildTestTree(t)
	srv := httptest.NewServer(http.StripPrefix("/.well-known/csaf", tree.Handler(allowBearer)))
	defer srv.Close()
	get := func(method, path, token string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+"/.well-known/csaf"+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res, body
	}
	_, notFound := get("GET", "/white/2024/no-such-file.json", "")

	for _, tc := range []struct {
		path, token string
		status      int
		ctype       string
	}{
		{"/provider-metadata.json", "", 200, "application/json"},
		{"/service.json", "", 200, "application/json"},
		{"/openpgp/" + mustKey(t).Fingerprint() + ".asc", "", 200, "application/pgp-keys"},
		{"/white/2024/acme-sa-2024-001.json", "", 200, "application/json"},
		{"/white/2024/acme-sa-2024-001.json.asc", "", 200, "application/pgp-signature"},
		{"/white/2024/acme-sa-2024-001.json.sha512", "", 200, "text/plain; charset=utf-8"},
		{"/white/index.txt", "", 200, "text/plain; charset=utf-8"},
		{"/white/changes.csv", "", 200, "text/csv; charset=utf-8"},
		{"/white/csaf-feed-tlp-white.json", "", 200, "application/json"},
		{"/white/", "", 200, "text/html; charset=utf-8"},
		{"/", "", 200, "text/html; charset=utf-8"},
		// Restricted without the right token: 404, as for a missing file.
		{"/amber/2025/acme-sa-2025-003.json", "", 404, ""},
		{"/amber/2025/acme-sa-2025-003.json", "community", 404, ""},
		{"/amber/2025/acme-sa-2025-003.json.asc", "", 404, ""},
		{"/amber/index.txt", "", 404, ""},
		{"/amber/changes.csv", "", 404, ""},
		{"/amber/csaf-feed-tlp-amber.json", "", 404, ""},
		{"/amber/", "", 404, ""},
		{"/amber", "", 404, ""},
		{"/amber/2025/does-not-exist.json", "", 404, ""},
		{"/red/2025/acme-sa-2025-004.json", "community", 404, ""},
		{"/green/2025/acme-sa-2025-002.json", "", 404, ""},
		// With it.
		{"/amber/2025/acme-sa-2025-003.json", "partner", 200, "application/json"},
		{"/amber/csaf-feed-tlp-amber.json", "partner", 200, "application/json"},
		{"/amber/2025/", "partner", 200, "text/html; charset=utf-8"},
		{"/red/2025/acme-sa-2025-004.json", "partner", 200, "application/json"},
		{"/green/2025/acme-sa-2025-002.json", "community", 200, "application/json"},
		{"/amber/2025/does-not-exist.json", "partner", 404, ""},
		// Not files.
		{"/white/2024/acme-sa-2024-001.json/", "", 404, ""},
		{"/nothing", "", 404, ""},
	} {
		res, body := get("GET", tc.path, tc.token)
		if res.StatusCode != tc.status {
			t.Errorf("GET %s (token %q): %d, want %d", tc.path, tc.token, res.StatusCode, tc.status)
			continue
		}
		if tc.status == 404 {
			// A denied request must not differ from a missing file.
			if !bytes.Equal(body, notFound) {
				t.Errorf("GET %s: 404 body %q differs from a missing file's %q", tc.path, body, notFound)
			}
			if !allowBearer(res.Request, strings.ToUpper(strings.Split(tc.path, "/")[1])) && res.Header.Get("Cache-Control") != "" {
				t.Errorf("GET %s: denied, but with Cache-Control %q unlike a missing file", tc.path, res.Header.Get("Cache-Control"))
			}
			continue
		}
		if got := res.Header.Get("Content-Type"); got != tc.ctype {
			t.Errorf("GET %s: Content-Type %q, want %q", tc.path, got, tc.ctype)
		}
		if f, ok := tree[strings.TrimPrefix(tc.path, "/")]; ok && !bytes.Equal(body, f.Data) {
			t.Errorf("GET %s: body differs from the tree", tc.path)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no nosniff", tc.path)
		}
		restricted := strings.HasPrefix(tc.path, "/amber") || strings.HasPrefix(tc.path, "/red") || strings.HasPrefix(tc.path, "/green")
		if restricted != strings.Contains(res.Header.Get("Cache-Control"), "private") {
			t.Errorf("GET %s: Cache-Control %q", tc.path, res.Header.Get("Cache-Control"))
		}
	}

	// Directory listings link every entry (§7.1.14), relative to the
	// request path with or without the trailing slash.
	_, listing := get("GET", "/white/2024/", "")
	for _, want := range []string{`href="acme-sa-2024-001.json"`, `href="acme-sa-2024-001.json.asc"`, `href="acme-sa-2024-001.json.sha256"`, `href="../"`} {
		if !bytes.Contains(listing, []byte(want)) {
			t.Errorf("listing of /white/2024/ lacks %s:\n%s", want, listing)
		}
	}
	_, listing = get("GET", "/white/2024", "")
	if !bytes.Contains(listing, []byte(`href="2024/acme-sa-2024-001.json"`)) {
		t.Errorf("listing of /white/2024 (no slash) has wrong links:\n%s", listing)
	}
	_, listing = get("GET", "/", "")
	for _, want := range []string{`href="provider-metadata.json"`, `href="white/"`, `href="openpgp/"`} {
		if !bytes.Contains(listing, []byte(want)) {
			t.Errorf("root listing lacks %s:\n%s", want, listing)
		}
	}
	if bytes.Contains(listing, []byte(`href="../"`)) {
		t.Error("root listing links to its parent")
	}

	res, body := get("HEAD", "/white/2024/acme-sa-2024-001.json", "")
	if res.StatusCode != 200 || len(body) != 0 || res.ContentLength != int64(len(tree["white/2024/acme-sa-2024-001.json"].Data)) {
		t.Errorf("HEAD: %d, %d bytes, Content-Length %d", res.StatusCode, len(body), res.ContentLength)
	}
	res, _ = get("POST", "/provider-metadata.json", "")
	if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d, Allow %q", res.StatusCode, res.Header.Get("Allow"))
	}
	// Conditional requests.
	res, _ = get("GET", "/provider-metadata.json", "")
	req, _ := http.NewRequest("GET", srv.URL+"/.well-known/csaf/provider-metadata.json", nil)
	req.Header.Set("If-None-Match", res.Header.Get("ETag"))
	if res2, err := srv.Client().Do(req); err != nil || res2.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %v %v", res2.StatusCode, err)
	}
}

// TestHandlerPaths drives the handler with paths a client's URL cleaning
// would hide: dot segments must not reach a restricted file or escape.
func TestHandlerPaths(t *testing.T) {
	tree := buildTestTree(t)
	tree["../secret"] = File{Data: []byte("never served")} // a hand-made bad path
	h := tree.Handler(allowBearer)
	for _, p := range []string{
		"/white/../amber/2025/acme-sa-2025-003.json",
		"/white/./2024/acme-sa-2024-001.json",
		"//amber/2025/acme-sa-2025-003.json",
		"/white//2024/acme-sa-2024-001.json",
		"/../secret",
		"../secret",
		"/white\\2024\\acme-sa-2024-001.json",
		"/amber%2f2025/acme-sa-2025-003.json",
	} {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/", nil)
		r.URL.Path = p
		h.ServeHTTP(rec, r)
		if rec.Code != http.StatusNotFound {
			t.Errorf("GET %q: %d, want 404\n%s", p, rec.Code, rec.Body)
		}
	}
	// A nil allow denies every restricted file.
	rec := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/amber/2025/acme-sa-2025-003.json", nil)
	r.Header.Set("Authorization", "Bearer partner")
	tree.Handler(nil).ServeHTTP(rec, r)
	if rec.Code != http.StatusNotFound {
		t.Errorf("nil allow: %d", rec.Code)
	}
}

func TestWriteDir(t *testing.T) {
	tree := buildTestTree(t)
	dir := filepath.Join(t.TempDir(), "csaf")
	if err := tree.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	n := 0
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		n++
		rel, _ := filepath.Rel(dir, p)
		f, ok := tree[filepath.ToSlash(rel)]
		if !ok {
			t.Errorf("stray file %s (a temporary file left?)", rel)
			return nil
		}
		b, _ := os.ReadFile(p)
		if !bytes.Equal(b, f.Data) {
			t.Errorf("%s differs from the tree", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(tree) {
		t.Errorf("wrote %d files, tree has %d", n, len(tree))
	}
	// Rewriting replaces files in place.
	tree["white/index.txt"] = File{Data: []byte("changed\n")}
	if err := tree.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "white", "index.txt")); string(b) != "changed\n" {
		t.Errorf("rewrite: %q", b)
	}
}

func TestWriteDirRefusesEscape(t *testing.T) {
	base := t.TempDir()
	for _, bad := range []string{"../escape.txt", "/abs.txt", "a/../../escape.txt", "white\\..\\..\\x", "", "a//b", "./a"} {
		dir := filepath.Join(base, "out")
		err := Tree{"white/ok.txt": {Data: []byte("ok")}, bad: {Data: []byte("bad")}}.WriteDir(dir)
		if err == nil {
			t.Errorf("WriteDir accepted path %q", bad)
		}
		if _, err := os.Stat(filepath.Join(dir, "white", "ok.txt")); err == nil {
			t.Errorf("path %q: WriteDir wrote other files before refusing", bad)
		}
	}
	if _, err := os.Stat(filepath.Join(base, "escape.txt")); err == nil {
		t.Error("a file was written outside the directory")
	}

	// A symbolic link inside dir that leads outside is not followed.
	outside := filepath.Join(base, "outside")
	if err := os.Mkdir(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, "tree")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "white")); err != nil {
		t.Skip("cannot create symbolic links:", err)
	}
	err := Tree{"white/2025/x.json": {Data: []byte("{}")}}.WriteDir(dir)
	if err == nil {
		t.Error("WriteDir followed a symbolic link out of the directory")
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("files written through the link: %v", entries)
	}
}
