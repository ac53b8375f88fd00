package publish

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	cradle "github.com/cradle-sdl/cradle"
)

// validPath reports whether p is a path a Tree may hold: relative,
// slash-separated, clean, without "..", backslashes or NUL. Build only
// makes such paths; a hand-made Tree is checked too.
func validPath(p string) bool {
	return fs.ValidPath(p) && p != "." && !strings.ContainsAny(p, "\\\x00:")
}

// writeOrder makes a consumer who reads while WriteDir runs see a
// consistent tree: documents and their hashes and signatures first, then
// the lists and feeds that name them, provider-metadata.json last.
func writeOrder(p string) int {
	switch base := path.Base(p); {
	case p == metadataFile:
		return 3
	case p == serviceFile:
		return 2
	case base == "index.txt", base == "changes.csv",
		strings.HasPrefix(base, "csaf-feed-tlp-"), strings.HasPrefix(base, "category-"):
		return 1
	}
	return 0
}

// WriteDir writes the tree under dir, creating it and any folders. Each
// file is written to a temporary file in its folder, synced and renamed
// over the old one, so a web server never serves a half-written file.
// Files are written in an order that never lets a list name a file not
// yet there (see writeOrder). Writing goes through an os.Root: a path, or
// a symbolic link met on the way, that leads outside dir is refused, and
// nothing is written when the tree holds an invalid path. Files that are
// in dir but not in the tree are left alone.
func (t Tree) WriteDir(dir string) error {
	paths := make([]string, 0, len(t))
	var bad []cradle.Problem
	for p := range t {
		if !validPath(p) {
			bad = append(bad, cradle.Problem{Location: fmt.Sprintf("%q", p), Message: "not a relative path inside the tree"})
		}
		paths = append(paths, p)
	}
	if len(bad) > 0 {
		return cradle.Invalid("refusing to write the CSAF tree", bad...)
	}
	slices.SortFunc(paths, func(a, b string) int {
		if c := writeOrder(a) - writeOrder(b); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write csaf tree: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("write csaf tree: %w", err)
	}
	defer root.Close()
	// Folders are synced after each group, so that after a crash the
	// renames of a group are durable before the next group names them.
	touched := map[string]bool{}
	for i, p := range paths {
		if err := writeAtomic(root, p, t[p].Data); err != nil {
			return fmt.Errorf("write csaf tree %s: %w", p, err)
		}
		touched[path.Dir(p)] = true
		if i == len(paths)-1 || writeOrder(paths[i+1]) != writeOrder(p) {
			for d := range touched {
				if err := syncDir(root, d); err != nil {
					return fmt.Errorf("write csaf tree %s: %w", d, err)
				}
			}
			clear(touched)
		}
	}
	return nil
}

func syncDir(root *os.Root, dir string) error {
	d, err := root.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

func writeAtomic(root *os.Root, p string, data []byte) (err error) {
	dir := path.Dir(p)
	if dir != "." {
		if err := root.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	tmp := path.Join(dir, "."+path.Base(p)+".tmp-"+hex.EncodeToString(rnd[:]))
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = root.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return root.Rename(tmp, p)
}
