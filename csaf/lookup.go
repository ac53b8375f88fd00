package csaf

// CWEName returns the name of a weakness ("CWE-79") as test 6.1.11
// expects it, when cradle knows it.
func CWEName(id string) (string, bool) {
	n, ok := cweNames[id]
	return n, ok
}
