// Package feeds owns downloading the public vulnerability feeds cradle
// imports (OSV all.zip archives, the CISA KEV catalog, FIRST's EPSS scores)
// for `cradle vulndb sync`.
//
// Fetch makes a conditional GET with the validators of the previous
// download (If-None-Match with its ETag, If-Modified-Since with its
// Last-Modified) and either reports that nothing changed or streams the
// body into a temporary file, checking on the way that the media type is
// one the caller accepts, that the body is no larger than allowed and that
// it is as long as the server said (a download cut short is an error, never
// a smaller feed). Server errors (5xx, 408, 429) and network failures are
// retried a bounded number of times with exponential back-off; other
// statuses fail at once, with the status and the start of the body in the
// error. Parsing the file is left to the osv, kev and epss packages.
package feeds

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	cradle "github.com/cradle-sdl/cradle"
)

// Default feed locations. FIRST's data page links the daily CSV at
// epss.empiricalsecurity.com (Empirical Security runs EPSS for FIRST);
// "-current" redirects to the dated file of the day. The older host
// epss.cyentia.com still mirrors the same files.
const (
	DefaultOSVBase = "https://osv-vulnerabilities.storage.googleapis.com"
	DefaultKEVURL  = "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"
	DefaultEPSSURL = "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz"
)

// Sources are the feed locations, configurable for mirrors and tests.
type Sources struct {
	OSVBase string // bucket layout: <OSVBase>/<Ecosystem>/all.zip
	KEV     string
	EPSS    string
}

// DefaultSources returns the public locations.
func DefaultSources() Sources {
	return Sources{OSVBase: DefaultOSVBase, KEV: DefaultKEVURL, EPSS: DefaultEPSSURL}
}

// OSV returns the URL of an ecosystem's all.zip, as in
// https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip. The
// ecosystem is one path segment ("Debian:12", "Red Hat" escaped as needed).
func (s Sources) OSV(ecosystem string) string {
	return strings.TrimRight(s.OSVBase, "/") + "/" + url.PathEscape(ecosystem) + "/all.zip"
}

// Validators are the HTTP cache validators of a download, to be stored
// with it and passed to the next Fetch of the same URL.
type Validators struct {
	ETag         string // as the server sent it, quotes and W/ included
	LastModified string // as the server sent it (an HTTP date)
}

// IsZero reports whether there are no validators (a first download).
func (v Validators) IsZero() bool { return v.ETag == "" && v.LastModified == "" }

// Result is the outcome of a Fetch.
type Result struct {
	// NotModified is true when the server answered 304 Not Modified: the
	// stored copy is current and Path is empty.
	NotModified bool
	// Path is the temporary file holding the body; the caller renames or
	// removes it.
	Path        string
	Size        int64
	SHA256      string     // of the body, hex
	ContentType string     // the media type, without parameters
	Validators  Validators // to store for the next Fetch
	URL         string     // after redirects
	Attempts    int        // requests made, retries included
}

// Fetcher downloads feeds. The zero value is ready to use; a zero field
// means its default.
type Fetcher struct {
	// Client makes the requests. Default: a client whose transport gives
	// up on a server that sends no response headers within 30 seconds;
	// the context bounds the whole download.
	Client *http.Client
	// Accept lists the media types the caller accepts. Default: from the
	// URL's file name, see acceptFor.
	Accept []string
	// MaxSize is the largest body accepted, in bytes. Default 4 GiB.
	MaxSize int64
	// Dir is where temporary files go; the same file system as their
	// destination makes the caller's rename atomic. Default os.TempDir().
	Dir string
	// Retries is how many times a failed attempt is repeated. Default 3;
	// a negative value means none.
	Retries int
	// Backoff is the wait before the first retry, doubled for each next
	// one (with ±25 % jitter) and capped at MaxBackoff. Defaults 1s, 30s.
	Backoff, MaxBackoff time.Duration
	// UserAgent is sent with every request. Default "cradle".
	UserAgent string
}

// DefaultMaxSize is the default limit on a download. The largest OSV
// per-ecosystem archives are a few hundred MB.
const DefaultMaxSize = 4 << 30

var defaultClient = &http.Client{Transport: func() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = 30 * time.Second
	return t
}()}

// Fetch downloads rawURL with the default Fetcher settings and the given
// client (nil for the default one); see Fetcher.Fetch.
func Fetch(ctx context.Context, client *http.Client, rawURL string, prev Validators) (Result, error) {
	return (&Fetcher{Client: client}).Fetch(ctx, rawURL, prev)
}

// Fetch downloads rawURL unless it is unchanged since the download prev
// describes. Errors: a *StatusError for an unexpected status, an EInvalid
// *cradle.Error for a media type the caller does not accept, an ETooLarge
// one for a body over MaxSize, and wrapped network and file errors
// otherwise. No temporary file is left behind on error.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string, prev Validators) (Result, error) {
	client := f.Client
	if client == nil {
		client = defaultClient
	}
	retries := f.Retries
	if retries == 0 {
		retries = 3
	}
	backoff := cmp.Or(f.Backoff, time.Second)
	maxBackoff := cmp.Or(f.MaxBackoff, 30*time.Second)
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Result{}, cradle.Errorf(cradle.EInvalid, "feed URL %q is not an http or https URL", rawURL)
	}
	shown := u.Redacted()

	var res Result
	for attempt := 0; ; attempt++ {
		res, err = f.attempt(ctx, client, rawURL, shown, prev)
		res.Attempts = attempt + 1
		if err == nil {
			return res, nil
		}
		var wait time.Duration
		if !retryable(ctx, err, &wait) || attempt >= retries {
			if attempt > 0 {
				err = fmt.Errorf("%w (after %d attempts)", err, attempt+1)
			}
			return res, err
		}
		if wait == 0 {
			d := backoff << attempt
			if d <= 0 || d > maxBackoff {
				d = maxBackoff
			}
			wait = time.Duration(float64(d) * (0.75 + rand.Float64()/2))
		}
		wait = min(wait, maxBackoff)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return res, fmt.Errorf("fetch %s: %w (while waiting to retry after: %v)", shown, ctx.Err(), err)
		case <-t.C:
		}
	}
}

// attempt makes one request.
func (f *Fetcher) attempt(ctx context.Context, client *http.Client, rawURL, shown string, prev Validators) (Result, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return Result{}, fmt.Errorf("fetch %s: %w", shown, err)
	}
	req.Header.Set("User-Agent", cmp.Or(f.UserAgent, "cradle"))
	if prev.ETag != "" {
		req.Header.Set("If-None-Match", prev.ETag)
	}
	if prev.LastModified != "" {
		req.Header.Set("If-Modified-Since", prev.LastModified)
	}
	resp, err := client.Do(req)
	if err != nil {
		return Result{}, fmt.Errorf("fetch %s: %w", shown, err)
	}
	defer resp.Body.Close()
	res := Result{
		URL: resp.Request.URL.Redacted(),
		Validators: Validators{
			ETag:         resp.Header.Get("ETag"),
			LastModified: resp.Header.Get("Last-Modified"),
		},
	}

	switch {
	case resp.StatusCode == http.StatusNotModified:
		if prev.IsZero() {
			return Result{}, &StatusError{URL: shown, StatusCode: resp.StatusCode, Status: resp.Status, Snippet: "(a 304 answer to a request without validators)"}
		}
		// A 304 may carry fresh validators; keep the old ones otherwise.
		res.NotModified = true
		res.Validators.ETag = cmp.Or(res.Validators.ETag, prev.ETag)
		res.Validators.LastModified = cmp.Or(res.Validators.LastModified, prev.LastModified)
		return res, nil
	case resp.StatusCode != http.StatusOK:
		return Result{}, &StatusError{URL: shown, StatusCode: resp.StatusCode, Status: resp.Status, Snippet: snippet(resp.Body), RetryAfter: retryAfter(resp.Header.Get("Retry-After"))}
	}

	accept := f.Accept
	if accept == nil {
		accept = acceptFor(resp.Request.URL.Path)
	}
	mediaType, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil {
		mediaType = strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Type")))
	}
	res.ContentType = mediaType
	if !accepted(mediaType, accept) {
		found := "no Content-Type"
		if mediaType != "" {
			found = strconv.Quote(mediaType)
		}
		want := "anything but text/html"
		if len(accept) > 0 {
			want = "one of " + strings.Join(accept, ", ")
		}
		return Result{}, cradle.Errorf(cradle.EInvalid, "%s answered with %s, expected %s (%s)", shown, found, want, snippet(resp.Body))
	}

	maxSize := cmp.Or(f.MaxSize, DefaultMaxSize)
	if resp.ContentLength > maxSize {
		return Result{}, cradle.Errorf(cradle.ETooLarge, "%s is %d bytes, larger than the limit of %d", shown, resp.ContentLength, maxSize)
	}
	file, err := os.CreateTemp(f.Dir, "cradle-feed-*")
	if err != nil {
		return Result{}, fmt.Errorf("fetch %s: %w", shown, err)
	}
	keep := false
	defer func() {
		if !keep {
			file.Close()
			os.Remove(file.Name())
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(file, h), io.LimitReader(resp.Body, maxSize+1))
	switch {
	case n > maxSize:
		return Result{}, cradle.Errorf(cradle.ETooLarge, "%s is larger than the limit of %d bytes", shown, maxSize)
	case err != nil && resp.ContentLength >= 0 && n < resp.ContentLength:
		return Result{}, &TruncatedError{URL: shown, Got: n, Want: resp.ContentLength, Err: err}
	case err != nil:
		return Result{}, fmt.Errorf("fetch %s: reading the body: %w", shown, err)
	case resp.ContentLength >= 0 && n != resp.ContentLength:
		return Result{}, &TruncatedError{URL: shown, Got: n, Want: resp.ContentLength, Err: io.ErrUnexpectedEOF}
	}
	if err := file.Close(); err != nil {
		return Result{}, fmt.Errorf("fetch %s: %w", shown, err)
	}
	keep = true
	res.Path, res.Size, res.SHA256 = file.Name(), n, hex.EncodeToString(h.Sum(nil))
	return res, nil
}

// StatusError is an HTTP answer other than 200 OK and 304 Not Modified.
type StatusError struct {
	URL        string
	StatusCode int
	Status     string // "503 Service Unavailable"
	Snippet    string // the start of the body, printable, for the log
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("fetch %s: %s", e.URL, e.Status)
	if e.Snippet != "" {
		s += ": " + e.Snippet
	}
	return s
}

// TruncatedError is a body that ended before the length the server
// announced: a connection cut short, never a smaller feed.
type TruncatedError struct {
	URL       string
	Got, Want int64
	Err       error
}

func (e *TruncatedError) Error() string {
	return fmt.Sprintf("fetch %s: the body was cut short: received %d of %d bytes: %v", e.URL, e.Got, e.Want, e.Err)
}

func (e *TruncatedError) Unwrap() error { return e.Err }

// retryable reports whether err is worth another attempt, and sets wait
// when the server said how long to wait.
func retryable(ctx context.Context, err error, wait *time.Duration) bool {
	if ctx.Err() != nil {
		return false
	}
	var se *StatusError
	if errors.As(err, &se) {
		*wait = se.RetryAfter
		return se.StatusCode >= 500 || se.StatusCode == http.StatusRequestTimeout || se.StatusCode == http.StatusTooManyRequests
	}
	var te *TruncatedError
	if errors.As(err, &te) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(h string) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(h); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(0, time.Until(t))
	}
	return 0
}

// snippet returns the start of an error body as one printable line.
func snippet(r io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(r, 512))
	for !utf8.Valid(b) && len(b) > 0 {
		b = b[:len(b)-1]
	}
	s := strings.Join(strings.FieldsFunc(string(b), func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }), " ")
	if len(s) > 200 {
		s = s[:200]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "…"
	}
	return s
}

// acceptFor returns the media types a feed may have, from the file name at
// the end of its URL path. Any file may come as application/octet-stream
// (object stores and mirrors serve that when they do not know better: the
// parsers check the content anyway). For an unknown file name nil is
// returned: anything but an HTML page, which is what a captive portal, a
// login wall or a mistyped mirror answers with.
func acceptFor(p string) []string {
	const octet = "application/octet-stream"
	name := strings.ToLower(path.Base(p))
	switch {
	case strings.HasSuffix(name, ".zip"):
		return []string{"application/zip", "application/x-zip-compressed", octet}
	case strings.HasSuffix(name, ".json"):
		return []string{"application/json", octet}
	case strings.HasSuffix(name, ".gz"):
		// A server that sends a .csv.gz with Content-Encoding: gzip gets
		// it decoded by Go's transport; epss.Read reads both forms.
		return []string{"application/gzip", "application/x-gzip", "text/csv", octet}
	case strings.HasSuffix(name, ".csv"):
		return []string{"text/csv", "text/plain", octet}
	}
	return nil
}

func accepted(mediaType string, accept []string) bool {
	if accept == nil {
		return mediaType != "text/html"
	}
	for _, a := range accept {
		if strings.EqualFold(a, mediaType) {
			return true
		}
	}
	return false
}
