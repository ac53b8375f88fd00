package publish

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"html"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"
)

// Handler serves the tree over HTTP, rooted at the handler: mount it at
// the path of Provider.CanonicalURL, e.g.
//
//	mux.Handle("/.well-known/csaf/", http.StripPrefix("/.well-known/csaf", tree.Handler(allow)))
//
// Access (CSAF 2.0 §7.1.4, §7.1.5): the provider-level files and the white
// distribution are public. Everything under green/, amber/ and red/ is
// served only when allow(r, "GREEN"|"AMBER"|"RED") returns true; a nil
// allow denies. TLP:GREEN is restricted too: TLP 1.0 limits it to a
// community, which a public web server is not (§7.1.5 only demands access
// control for AMBER and RED, but allows it for GREEN). A denied request
// gets the same 404 as a path that does not exist, decided by the path
// alone, so nothing reveals which restricted documents exist; wrap the
// handler to send a 401 challenge for the authentication scheme in use.
// The metadata does name the restricted feeds, as every CSAF provider's
// does, so that authorised consumers find them.
//
// Directories are listed as HTML (§7.1.14), without redirects (§7.1.6):
// "white/2024" and "white/2024/" both list. Only GET and HEAD are allowed.
// Files carry their ContentType, an ETag and X-Content-Type-Options:
// nosniff; restricted ones Cache-Control: private, no-cache.
func (t Tree) Handler(allow func(r *http.Request, tlp string) bool) http.Handler {
	h := &handler{files: map[string]served{}, dirs: map[string][]string{"": nil}, allow: allow}
	seen := map[string]bool{}
	for p, f := range t {
		if !validPath(p) {
			continue // WriteDir refuses those; never serve them
		}
		sum := sha256.Sum256(f.Data)
		h.files[p] = served{File: f, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
		// Register p in every ancestor directory.
		for child := p; child != ""; {
			dir := path.Dir(child)
			if dir == "." {
				dir = ""
			}
			name := child[len(dir):]
			name = strings.TrimPrefix(name, "/")
			if child != p {
				name += "/"
			}
			if !seen[dir+"/"+name] {
				seen[dir+"/"+name] = true
				h.dirs[dir] = append(h.dirs[dir], name)
			}
			child = dir
		}
	}
	for _, names := range h.dirs {
		slices.Sort(names)
	}
	return h
}

type served struct {
	File
	etag string
}

type handler struct {
	files map[string]served
	dirs  map[string][]string // directory → entries, "/" suffix for directories
	allow func(*http.Request, string) bool
}

var restricted = map[string]string{"green": "GREEN", "amber": "AMBER", "red": "RED"}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	clean := path.Clean(p)
	if clean != p && clean+"/" != p || strings.ContainsAny(p, "\\\x00") {
		http.NotFound(w, r)
		return
	}
	rel := strings.TrimPrefix(clean, "/")
	first, _, _ := strings.Cut(rel, "/")
	tlp, private := restricted[first]
	// Decided on the path alone, before looking anything up.
	if private && (h.allow == nil || !h.allow(r, tlp)) {
		http.NotFound(w, r)
		return
	}
	if private {
		w.Header().Set("Cache-Control", "private, no-cache")
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if f, ok := h.files[rel]; ok && !strings.HasSuffix(p, "/") {
		w.Header().Set("Content-Type", f.ContentType)
		w.Header().Set("ETag", f.etag)
		http.ServeContent(w, r, path.Base(rel), time.Time{}, bytes.NewReader(f.Data))
		return
	}
	names, ok := h.dirs[rel]
	if !ok {
		http.NotFound(w, r)
		return
	}
	// Links are relative to the directory; without the trailing slash
	// the browser resolves them against the parent.
	prefix := ""
	if rel != "" && !strings.HasSuffix(p, "/") {
		prefix = path.Base(rel) + "/"
	}
	var b bytes.Buffer
	title := html.EscapeString("Index of /" + rel)
	b.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + title + "</title></head>\n<body><h1>" + title + "</h1>\n<ul>\n")
	if rel != "" {
		b.WriteString("<li><a href=\"" + html.EscapeString(prefix) + "../\">../</a></li>\n")
	}
	for _, n := range names {
		b.WriteString("<li><a href=\"" + html.EscapeString(prefix+n) + "\">" + html.EscapeString(n) + "</a></li>\n")
	}
	b.WriteString("</ul></body></html>\n")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b.Bytes()))
}
