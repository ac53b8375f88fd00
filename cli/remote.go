package cli

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
)

// Remote mode: the commands a CI pipeline runs (release create, sbom
// import, results import, threatmodel import, gate) can work against a
// running cradle server's REST API instead of the database, with an API
// token: --server URL --token TOKEN, or CRADLE_SERVER and CRADLE_TOKEN.

// remote is a client of a cradle server's API.
type remote struct {
	base  string
	token string
	http  *http.Client
}

// remoteFlags binds --server and --token on fs; the returned function gives
// the client when a server was named, else nil (work on the database).
func (e *env) remoteFlags(fs *flag.FlagSet) func() (*remote, error) {
	server := fs.String("server", os.Getenv("CRADLE_SERVER"), "work against this cradle server's API instead of the database, e.g. https://cradle.example.com (env CRADLE_SERVER)")
	token := fs.String("token", "", "API token for --server (env CRADLE_TOKEN; prefer the environment: command lines are visible to other users)")
	return func() (*remote, error) {
		if *server == "" {
			return nil, nil
		}
		u, err := url.Parse(*server)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, usagef("--server must be an http:// or https:// URL; found %q", *server)
		}
		t := *token
		if t == "" {
			t = os.Getenv("CRADLE_TOKEN")
		}
		if t == "" {
			return nil, usagef("--server needs an API token: set CRADLE_TOKEN (cradle token create, or the Users page)")
		}
		if u.Scheme == "http" && !isLoopback(u.Hostname()) {
			fmt.Fprintf(e.stderr, "warning: %s is plain HTTP: the API token is sent unencrypted; use https://\n", u.Redacted())
		}
		// Redirects are not followed: a redirected POST becomes a GET and
		// would look like success; the token must not go elsewhere either.
		c := &http.Client{Timeout: 10 * time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		return &remote{base: strings.TrimRight(u.String(), "/"), token: t, http: c}, nil
	}
}

// call sends a request and decodes a JSON answer into out (when not nil).
// An API error comes back as the *cradle.Error the server reported, so the
// exit codes are the same as on the database.
func (c *remote) call(e *env, method, path string, query url.Values, body []byte, contentType string, out any) error {
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(e.ctx, method, u, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach the cradle server: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return fmt.Errorf("reading the server's answer: %w", err)
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return fmt.Errorf("%s %s: the server answered %s, redirecting to %q: set --server (CRADLE_SERVER) to the address it redirects to", method, path, resp.Status, resp.Header.Get("Location"))
	}
	if resp.StatusCode >= 300 {
		var ae struct {
			Error struct {
				Code     string           `json:"code"`
				Message  string           `json:"message"`
				Problems []cradle.Problem `json:"problems"`
			} `json:"error"`
		}
		if json.Unmarshal(data, &ae) == nil && ae.Error.Code != "" {
			return &cradle.Error{Code: ae.Error.Code, Message: ae.Error.Message, Problems: ae.Error.Problems}
		}
		return fmt.Errorf("%s %s: HTTP %s", method, path, resp.Status)
	}
	if out == nil {
		return nil
	}
	if raw, ok := out.(*[]byte); ok {
		*raw = data
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: the server's answer (HTTP %s) is not the JSON expected: %w", method, path, resp.Status, err)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// releasePath is the API path of a release.
func releasePath(product, version string) string {
	return "/api/v1/products/" + url.PathEscape(product) + "/releases/" + url.PathEscape(version)
}
