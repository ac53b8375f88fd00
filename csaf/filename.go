package csaf

import "github.com/cradle-sdl/cradle/internal/csafspec"

// Filename returns the file name a CSAF document with the given
// /document/tracking/id must have (CSAF 2.0 section 5.1): the ID in lower
// case, every run of characters other than a–z, 0–9, '+' and '-' replaced
// by one '_', and ".json" appended. "2022_#01-A" becomes "2022_01-a.json".
func Filename(trackingID string) string { return csafspec.Filename(trackingID) }
