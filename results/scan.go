package results

import (
	"encoding/json"
	"strings"
)

// The skeleton scanner walks a SARIF log's bytes without building
// anything, to find the runs[].results arrays: it counts the results
// (so that the result limit is enforced before the typed decode
// allocates them) and records which byte ranges to cut so that the
// schema is checked on the log with only the first few results of each
// run. It is not a validator: on malformed input it stops (ok false)
// and encoding/json reports the syntax error with its place.

type skeleton struct {
	results int      // results counted across runs
	cuts    [][2]int // byte ranges to remove for the schema check
	all     [][2]int // byte ranges that remove every result
	keep    int      // results still to keep for the schema check
	version *string  // the top-level "version" when it is a string
	// resultsAt holds, for each element of runs, the offset of its
	// "results" value, or -1 when it has none.
	resultsAt []int
}

type scanner struct {
	data []byte
	sk   *skeleton
}

func scanSkeleton(data []byte, start, keep int) (sk skeleton, ok bool) {
	sk.keep = keep
	s := scanner{data: data, sk: &sk}
	i := s.ws(start)
	_, ok = s.object(i, func(key string, v int) (int, bool) {
		// encoding/json matches keys to fields case-insensitively
		// ("RUNS", "runſ"), and so must the scanner, or results would be
		// decoded from one array and counted from another.
		if strings.EqualFold(key, "version") && v < len(data) && data[v] == '"' {
			end, ok := s.str(v)
			var version string
			if ok && json.Unmarshal(data[v:end], &version) == nil {
				sk.version = &version
			}
			return end, ok
		}
		if strings.EqualFold(key, "runs") {
			sk.resultsAt = nil // the last "runs" is the one decoded
		}
		if strings.EqualFold(key, "runs") && v < len(data) && data[v] == '[' {
			return s.array(v, func(_ int, e int) (int, bool) {
				sk.resultsAt = append(sk.resultsAt, -1)
				if data[e] != '{' {
					return s.skip(e)
				}
				return s.object(e, func(key string, v int) (int, bool) {
					if !strings.EqualFold(key, "results") {
						return s.skip(v)
					}
					sk.resultsAt[len(sk.resultsAt)-1] = v
					if data[v] == '[' {
						return s.results(v)
					}
					return s.skip(v)
				})
			})
		}
		return s.skip(v)
	})
	return sk, ok
}

// results counts the elements of a results array at i and records the
// cut after the ones kept.
func (s *scanner) results(i int) (int, bool) {
	keepEnd := i + 1 // just after '[' when nothing is kept
	n := 0
	lastEnd := -1
	end, ok := s.array(i, func(_ int, e int) (int, bool) {
		end, ok := s.skip(e)
		if !ok {
			return end, false
		}
		n++
		if s.sk.keep > 0 {
			s.sk.keep--
			keepEnd = end
		}
		lastEnd = end
		return end, true
	})
	if !ok {
		return end, false
	}
	s.sk.results += n
	if n > 0 {
		s.sk.all = append(s.sk.all, [2]int{i + 1, lastEnd})
	}
	if lastEnd > keepEnd {
		s.sk.cuts = append(s.sk.cuts, [2]int{keepEnd, lastEnd})
	}
	return end, true
}

func (s *scanner) ws(i int) int {
	for i < len(s.data) && isSpace(s.data[i]) {
		i++
	}
	return i
}

// object walks the object at i, calling f with each key and the index of
// its value; f returns the index after the value. It returns the index
// after the closing brace.
func (s *scanner) object(i int, f func(key string, v int) (int, bool)) (int, bool) {
	d := s.data
	if i >= len(d) || d[i] != '{' {
		return i, false
	}
	i = s.ws(i + 1)
	if i < len(d) && d[i] == '}' {
		return i + 1, true
	}
	for {
		if i >= len(d) || d[i] != '"' {
			return i, false
		}
		end, ok := s.str(i)
		if !ok {
			return end, false
		}
		key := s.key(i, end)
		i = s.ws(end)
		if i >= len(d) || d[i] != ':' {
			return i, false
		}
		i = s.ws(i + 1)
		if i >= len(d) {
			return i, false
		}
		if i, ok = f(key, i); !ok {
			return i, false
		}
		i = s.ws(i)
		if i >= len(d) {
			return i, false
		}
		switch d[i] {
		case ',':
			i = s.ws(i + 1)
		case '}':
			return i + 1, true
		default:
			return i, false
		}
	}
}

// array walks the array at i like object.
func (s *scanner) array(i int, f func(n, e int) (int, bool)) (int, bool) {
	d := s.data
	if i >= len(d) || d[i] != '[' {
		return i, false
	}
	i = s.ws(i + 1)
	if i < len(d) && d[i] == ']' {
		return i + 1, true
	}
	for n := 0; ; n++ {
		if i >= len(d) {
			return i, false
		}
		var ok bool
		if i, ok = f(n, i); !ok {
			return i, false
		}
		i = s.ws(i)
		if i >= len(d) {
			return i, false
		}
		switch d[i] {
		case ',':
			i = s.ws(i + 1)
		case ']':
			return i + 1, true
		default:
			return i, false
		}
	}
}

// key returns the key of the string d[i:end]; keys with escapes are
// decoded, so "r\u0075ns" is "runs" too.
func (s *scanner) key(i, end int) string {
	raw := s.data[i:end]
	for _, c := range raw[1 : len(raw)-1] {
		if c == '\\' {
			var k string
			if json.Unmarshal(raw, &k) != nil {
				return ""
			}
			return k
		}
	}
	return string(raw[1 : len(raw)-1])
}

// str returns the index after the string starting at i.
func (s *scanner) str(i int) (int, bool) {
	d := s.data
	for i++; i < len(d); i++ {
		switch d[i] {
		case '\\':
			i++
		case '"':
			return i + 1, true
		}
	}
	return len(d), false
}

// skip returns the index after the value starting at i, without
// recursion (nesting depth is only counted).
func (s *scanner) skip(i int) (int, bool) {
	d := s.data
	if i >= len(d) {
		return i, false
	}
	switch d[i] {
	case '"':
		return s.str(i)
	case '{', '[':
		depth := 0
		for i < len(d) {
			switch d[i] {
			case '"':
				end, ok := s.str(i)
				if !ok {
					return end, false
				}
				i = end
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, true
				}
			}
			i++
		}
		return i, false
	}
	// A number or literal: up to the next delimiter.
	start := i
	for i < len(d) {
		switch d[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i, i > start
		}
		i++
	}
	return i, i > start
}

// cutBytes returns data[start:] without the ranges in cuts (sorted,
// non-overlapping, within data[start:]).
func cutBytes(data []byte, start int, cuts [][2]int) []byte {
	if len(cuts) == 0 {
		return data[start:]
	}
	size := len(data) - start
	for _, c := range cuts {
		size -= c[1] - c[0]
	}
	out := make([]byte, 0, size)
	prev := start
	for _, c := range cuts {
		out = append(out, data[prev:c[0]]...)
		prev = c[1]
	}
	return append(out, data[prev:]...)
}

// originalOffset maps an offset in cutBytes(data, start, cuts) back to
// one in data.
func originalOffset(start int, cuts [][2]int, off int) int {
	o := start + off
	for _, c := range cuts {
		if c[0] > o {
			break
		}
		o += c[1] - c[0]
	}
	return o
}
