package feeds_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/feeds"
)

// feedFile is one file the test server serves.
type feedFile struct {
	data        []byte
	contentType string
	modified    time.Time
}

// feedServer serves feeds in the layout of the real hosts, with ETag and
// Last-Modified, answering conditional requests as they do (through
// http.ServeContent), and records the validators it was sent.
type feedServer struct {
	*httptest.Server
	mu       sync.Mutex
	files    map[string]*feedFile
	requests []*http.Request
}

func newFeedServer(t *testing.T) *feedServer {
	t.Helper()
	s := &feedServer{files: map[string]*feedFile{}}
	// The real files when CRADLE_TEST_DATA is set, small samples of them
	// otherwise (testdata/README.md).
	dir := os.Getenv("CRADLE_TEST_DATA")
	source := func(real, sample string) []byte {
		path := filepath.Join("testdata", sample)
		if dir != "" {
			path = filepath.Join(dir, real)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	modified := time.Date(2026, 8, 21, 20, 38, 0, 0, time.UTC)
	s.files["/Go/all.zip"] = &feedFile{source("osv/Go/all.zip", "all.zip"), "application/zip", modified}
	s.files["/sites/default/files/feeds/known_exploited_vulnerabilities.json"] = &feedFile{source("kev/known_exploited_vulnerabilities.json", "known_exploited_vulnerabilities.json"), "application/json", modified}
	s.files["/epss_scores-2026-08-16.csv.gz"] = &feedFile{source("epss/epss_scores-2026-08-16.csv.gz", "epss_scores-2026-08-16.csv.gz"), "application/gzip", modified}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *feedServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Clone(context.Background()))
	var f *feedFile
	if found := s.files[r.URL.Path]; found != nil {
		copied := *found
		f = &copied
	}
	s.mu.Unlock()
	if r.URL.Path == "/epss_scores-current.csv.gz" {
		// As FIRST's host does: "current" redirects to the file of the day.
		http.Redirect(w, r, "/epss_scores-2026-08-16.csv.gz", http.StatusFound)
		return
	}
	if f == nil {
		http.NotFound(w, r)
		return
	}
	sum := sha256.Sum256(f.data)
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:8])+`"`)
	w.Header().Set("Content-Type", f.contentType)
	http.ServeContent(w, r, "", f.modified, bytes.NewReader(f.data))
}

// change replaces a file, as a feed's next release does.
func (s *feedServer) change(path string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.files[path]
	f.data = data
	f.modified = f.modified.Add(24 * time.Hour)
}

func (s *feedServer) last() *http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[len(s.requests)-1]
}

// fetcher returns a Fetcher for tests: the server's client, temporary files
// in dir, quick retries.
func fetcher(client *http.Client, dir string) *feeds.Fetcher {
	return &feeds.Fetcher{Client: client, Dir: dir, Retries: 2, Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}
}

// TestFetchConditional follows one feed through three syncs: the first
// download, a sync with nothing new (304), and one after the feed changed.
func TestFetchConditional(t *testing.T) {
	srv := newFeedServer(t)
	src := feeds.Sources{OSVBase: srv.URL, KEV: srv.URL + "/sites/default/files/feeds/known_exploited_vulnerabilities.json", EPSS: srv.URL + "/epss_scores-current.csv.gz"}
	tests := []struct {
		name, url, path, contentType string
	}{
		{"OSV", src.OSV("Go"), "/Go/all.zip", "application/zip"},
		{"KEV", src.KEV, "/sites/default/files/feeds/known_exploited_vulnerabilities.json", "application/json"},
		{"EPSS", src.EPSS, "/epss_scores-2026-08-16.csv.gz", "application/gzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			f := fetcher(srv.Client(), dir)
			ctx := context.Background()

			first, err := f.Fetch(ctx, tt.url, feeds.Validators{})
			if err != nil {
				t.Fatal(err)
			}
			srv.mu.Lock()
			want := srv.files[tt.path].data
			srv.mu.Unlock()
			got, err := os.ReadFile(first.Path)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(want)
			if !bytes.Equal(got, want) || first.Size != int64(len(want)) || first.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("downloaded %d bytes (sha256 %s), want the %d bytes served", first.Size, first.SHA256, len(want))
			}
			if first.NotModified || first.ContentType != tt.contentType || first.Validators.ETag == "" || first.Validators.LastModified != "Fri, 21 Aug 2026 20:38:00 GMT" || first.URL != srv.URL+tt.path || first.Attempts != 1 {
				t.Errorf("first = %+v", first)
			}
			if filepath.Dir(first.Path) != dir {
				t.Errorf("temporary file %s is not in %s", first.Path, dir)
			}
			os.Remove(first.Path)

			second, err := f.Fetch(ctx, tt.url, first.Validators)
			if err != nil {
				t.Fatal(err)
			}
			if !second.NotModified || second.Path != "" || second.Validators != first.Validators {
				t.Errorf("second = %+v, want not modified with the same validators", second)
			}
			if r := srv.last(); r.Header.Get("If-None-Match") != first.Validators.ETag || r.Header.Get("If-Modified-Since") != first.Validators.LastModified {
				t.Errorf("conditional request sent If-None-Match %q, If-Modified-Since %q", r.Header.Get("If-None-Match"), r.Header.Get("If-Modified-Since"))
			}

			srv.change(tt.path, append(bytes.Clone(want), '\n'))
			third, err := f.Fetch(ctx, tt.url, first.Validators)
			if err != nil {
				t.Fatal(err)
			}
			defer os.Remove(third.Path)
			if third.NotModified || third.Size != int64(len(want))+1 || third.Validators.ETag == first.Validators.ETag || third.Validators.LastModified != "Sat, 22 Aug 2026 20:38:00 GMT" {
				t.Errorf("third = %+v, want the changed file with new validators", third)
			}
			srv.change(tt.path, want)
		})
	}
}

// TestFetchOnlyLastModified: a server that sends no ETag is asked with
// If-Modified-Since alone.
func TestFetchOnlyLastModified(t *testing.T) {
	srv := newFeedServer(t)
	prev := feeds.Validators{LastModified: "Fri, 21 Aug 2026 20:38:00 GMT"}
	res, err := fetcher(srv.Client(), t.TempDir()).Fetch(context.Background(), srv.URL+"/Go/all.zip", prev)
	if err != nil {
		t.Fatal(err)
	}
	if !res.NotModified || res.Validators.LastModified != prev.LastModified {
		t.Errorf("result = %+v, want not modified", res)
	}
	if h := srv.last().Header; h.Get("If-None-Match") != "" || h.Get("If-Modified-Since") != prev.LastModified {
		t.Errorf("sent %v", h)
	}
}

// handler serves one test's answers, counting requests.
func handler(t *testing.T, fn func(w http.ResponseWriter, r *http.Request, n int)) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fn(w, r, int(n.Add(1)))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// noFiles checks that a failed Fetch left no temporary file behind.
func noFiles(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	if len(entries) > 0 {
		t.Errorf("left %d temporary files in %s", len(entries), dir)
	}
}

func TestFetchServerError(t *testing.T) {
	srv, n := handler(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		http.Error(w, "<html><body>\n  <h1>Internal Server Error</h1>\n  upstream timed out</body></html>", http.StatusInternalServerError)
	})
	dir := t.TempDir()
	_, err := fetcher(srv.Client(), dir).Fetch(context.Background(), srv.URL+"/Go/all.zip", feeds.Validators{})
	var se *feeds.StatusError
	if !errors.As(err, &se) || se.StatusCode != 500 {
		t.Fatalf("error = %v, want a StatusError 500", err)
	}
	if got := n.Load(); got != 3 {
		t.Errorf("made %d requests, want 1 and 2 retries", got)
	}
	for _, s := range []string{"500 Internal Server Error", "<h1>Internal Server Error</h1> upstream timed out", "after 3 attempts"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not contain %q", err, s)
		}
	}
	noFiles(t, dir)
}

func TestFetchRetryThenSuccess(t *testing.T) {
	srv, _ := handler(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch n {
		case 1:
			w.WriteHeader(http.StatusServiceUnavailable)
		case 2:
			w.Header().Set("Retry-After", "1") // capped by MaxBackoff
			w.WriteHeader(http.StatusTooManyRequests)
		default:
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, "{}")
		}
	})
	start := time.Now()
	res, err := fetcher(srv.Client(), t.TempDir()).Fetch(context.Background(), srv.URL+"/kev.json", feeds.Validators{})
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(res.Path)
	if res.Attempts != 3 || res.Size != 2 {
		t.Errorf("result = %+v, want success on the third attempt", res)
	}
	if d := time.Since(start); d > 900*time.Millisecond {
		t.Errorf("took %v: Retry-After was not capped by MaxBackoff", d)
	}
}

// TestFetchClientErrorsNotRetried: a 4xx is the request's fault; asking
// again changes nothing.
func TestFetchClientErrorsNotRetried(t *testing.T) {
	srv, n := handler(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		http.Error(w, "no such ecosystem", http.StatusNotFound)
	})
	_, err := fetcher(srv.Client(), t.TempDir()).Fetch(context.Background(), srv.URL+"/Nope/all.zip", feeds.Validators{})
	var se *feeds.StatusError
	if !errors.As(err, &se) || se.StatusCode != 404 || se.Snippet != "no such ecosystem" || n.Load() != 1 {
		t.Errorf("error = %v after %d requests, want one 404 with its body", err, n.Load())
	}
}

// TestFetchTruncated: a body shorter than its Content-Length is an error,
// retried like any broken connection, and leaves no file.
func TestFetchTruncated(t *testing.T) {
	srv, n := handler(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		w.Header().Set("Content-Type", "application/zip")
		w.Header().Set("Content-Length", "100000")
		w.Write(bytes.Repeat([]byte("x"), 60000))
	})
	dir := t.TempDir()
	_, err := fetcher(srv.Client(), dir).Fetch(context.Background(), srv.URL+"/Go/all.zip", feeds.Validators{})
	var te *feeds.TruncatedError
	if !errors.As(err, &te) || te.Want != 100000 || te.Got != 60000 || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("error = %v, want a TruncatedError at 60000 of 100000 bytes", err)
	}
	if !strings.Contains(err.Error(), "cut short: received 60000 of 100000 bytes") || n.Load() != 3 {
		t.Errorf("error %q after %d requests", err, n.Load())
	}
	noFiles(t, dir)
}

func TestFetchWrongContentType(t *testing.T) {
	tests := []struct {
		name, path, contentType string
		accept                  []string
		want                    string
	}{
		{"login page for a zip", "/Go/all.zip", "text/html; charset=utf-8", nil, `answered with "text/html", expected one of application/zip, application/x-zip-compressed, application/octet-stream (<html>Please log in</html>)`},
		{"JSON for a CSV", "/epss.csv.gz", "application/json", nil, `answered with "application/json"`},
		{"no content type", "/kev.json", "", nil, "answered with no Content-Type"},
		{"caller's list", "/feed", "application/zip", []string{"application/json"}, `expected one of application/json`},
		{"HTML for an unknown name", "/feed", "text/html", nil, "expected anything but text/html"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := handler(t, func(w http.ResponseWriter, r *http.Request, _ int) {
				w.Header()["Content-Type"] = []string{tt.contentType}
				io.WriteString(w, "<html>Please log in</html>")
			})
			dir := t.TempDir()
			f := fetcher(srv.Client(), dir)
			f.Accept = tt.accept
			_, err := f.Fetch(context.Background(), srv.URL+tt.path, feeds.Validators{})
			if cradle.ErrorCode(err) != cradle.EInvalid || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want EInvalid containing %q", err, tt.want)
			}
			noFiles(t, dir)
		})
	}
}

func TestFetchTooLarge(t *testing.T) {
	for _, declared := range []bool{true, false} {
		t.Run("Content-Length "+strconv.FormatBool(declared), func(t *testing.T) {
			srv, n := handler(t, func(w http.ResponseWriter, r *http.Request, _ int) {
				w.Header().Set("Content-Type", "application/zip")
				if declared {
					w.Header().Set("Content-Length", "5000")
				}
				for range 5 {
					w.Write(bytes.Repeat([]byte("x"), 1000))
					w.(http.Flusher).Flush() // chunked when undeclared
				}
			})
			dir := t.TempDir()
			f := fetcher(srv.Client(), dir)
			f.MaxSize = 4096
			_, err := f.Fetch(context.Background(), srv.URL+"/Go/all.zip", feeds.Validators{})
			if cradle.ErrorCode(err) != cradle.ETooLarge || n.Load() != 1 {
				t.Errorf("error = %v after %d requests, want ETooLarge at once", err, n.Load())
			}
			noFiles(t, dir)
		})
	}
}

func TestFetchNotModifiedWithoutValidators(t *testing.T) {
	srv, _ := handler(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		w.WriteHeader(http.StatusNotModified)
	})
	_, err := fetcher(srv.Client(), t.TempDir()).Fetch(context.Background(), srv.URL+"/kev.json", feeds.Validators{})
	var se *feeds.StatusError
	if !errors.As(err, &se) || se.StatusCode != 304 {
		t.Errorf("error = %v, want a StatusError 304", err)
	}
}

// TestFetchUnexpectedSuccess: only 200 carries a feed; 204 and 206 do not.
func TestFetchUnexpectedSuccess(t *testing.T) {
	srv, _ := handler(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		w.WriteHeader(http.StatusNoContent)
	})
	_, err := fetcher(srv.Client(), t.TempDir()).Fetch(context.Background(), srv.URL+"/kev.json", feeds.Validators{})
	var se *feeds.StatusError
	if !errors.As(err, &se) || se.StatusCode != 204 {
		t.Errorf("error = %v, want a StatusError 204", err)
	}
}

func TestFetchConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/kev.json"
	srv.Close()
	start := time.Now()
	res, err := fetcher(nil, t.TempDir()).Fetch(context.Background(), url, feeds.Validators{})
	if err == nil || res.Attempts != 3 {
		t.Errorf("error = %v after %d attempts, want a connection error after 3", err, res.Attempts)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
}

// TestFetchCancelledWhileWaiting: cancelling the context ends the back-off
// at once.
func TestFetchCancelledWhileWaiting(t *testing.T) {
	srv, _ := handler(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		w.WriteHeader(http.StatusBadGateway)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	f := &feeds.Fetcher{Client: srv.Client(), Dir: t.TempDir(), Backoff: time.Hour, MaxBackoff: time.Hour}
	start := time.Now()
	_, err := f.Fetch(ctx, srv.URL+"/kev.json", feeds.Validators{})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Errorf("error = %v after %v, want the deadline at once", err, time.Since(start))
	}
}

func TestFetchBadURL(t *testing.T) {
	for _, u := range []string{"", "ftp://example.com/x.zip", "file:///etc/passwd", "https://", "::"} {
		if _, err := feeds.Fetch(context.Background(), nil, u, feeds.Validators{}); cradle.ErrorCode(err) != cradle.EInvalid {
			t.Errorf("Fetch(%q) error = %v, want EInvalid", u, err)
		}
	}
}

// TestFetchRedactsCredentials: a mirror URL with a password does not put
// the password into errors.
func TestFetchRedactsCredentials(t *testing.T) {
	srv, _ := handler(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		http.Error(w, "denied", http.StatusForbidden)
	})
	u := strings.Replace(srv.URL, "http://", "http://user:s3cret@", 1) + "/kev.json"
	_, err := fetcher(srv.Client(), t.TempDir()).Fetch(context.Background(), u, feeds.Validators{})
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error = %v, want one without the password", err)
	}
}

func TestSources(t *testing.T) {
	s := feeds.DefaultSources()
	tests := map[string]string{
		"PyPI":             "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip",
		"crates.io":        "https://osv-vulnerabilities.storage.googleapis.com/crates.io/all.zip",
		"Debian:12":        "https://osv-vulnerabilities.storage.googleapis.com/Debian:12/all.zip",
		"Red Hat":          "https://osv-vulnerabilities.storage.googleapis.com/Red%20Hat/all.zip",
		"GitHub Actions":   "https://osv-vulnerabilities.storage.googleapis.com/GitHub%20Actions/all.zip",
		"../../etc/passwd": "https://osv-vulnerabilities.storage.googleapis.com/..%2F..%2Fetc%2Fpasswd/all.zip",
	}
	for eco, want := range tests {
		if got := s.OSV(eco); got != want {
			t.Errorf("OSV(%q) = %q, want %q", eco, got, want)
		}
	}
	if got := (feeds.Sources{OSVBase: "http://mirror.local/osv/"}).OSV("Go"); got != "http://mirror.local/osv/Go/all.zip" {
		t.Errorf("OSV with a trailing slash = %q", got)
	}
	if s.KEV != feeds.DefaultKEVURL || s.EPSS != "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz" {
		t.Errorf("DefaultSources() = %+v", s)
	}
}
