package web

import (
	"net/url"
	"strings"
)

func pathEscape(s string) string { return url.PathEscape(s) }

// safeFilename keeps letters, digits, dot, dash and underscore.
func safeFilename(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
}
