package cli

import "flag"

type flagT = flag.Flag

// flagValue returns the string value of a set string flag.
func flagValue(fs *flag.FlagSet, name string) *string {
	v := fs.Lookup(name).Value.String()
	return &v
}
