package cli

import (
	"flag"
	"os"
)

type flagT = flag.Flag

// flagValue returns the string value of a set string flag.
func flagValue(fs *flag.FlagSet, name string) *string {
	v := fs.Lookup(name).Value.String()
	return &v
}

// writeFileAtomic writes data to path through a temporary file, so that a
// reader never sees half a file.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
