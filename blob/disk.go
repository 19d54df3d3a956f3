package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"

	"github.com/bosang/bosang/apperr"
)

// Disk keeps blobs as files under a root directory.
type Disk struct{ root string }

// NewDisk returns a Disk rooted at dir, creating it.
func NewDisk(dir string) (*Disk, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create blob directory: %w", err)
	}
	return &Disk{root: dir}, nil
}

var keyPattern = regexp.MustCompile(`^[a-z0-9-]+(/[a-z0-9-]+)*$`)

// checkKey refuses a key outside the server-generated pattern with
// apperr.ErrInvalid.
func checkKey(key string) error {
	if !keyPattern.MatchString(key) {
		return fmt.Errorf("blob key %q: %w", key, apperr.ErrInvalid)
	}
	return nil
}

func (d *Disk) path(key string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	return filepath.Join(d.root, filepath.FromSlash(key)), nil
}

// Put writes r under key through a temporary file renamed into place, so a
// crash never leaves half a file under a real key. It returns the bytes
// written.
func (d *Disk) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	p, err := d.path(key)
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return 0, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".upload-*")
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(tmp, r)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return n, err
	}
	return n, nil
}

// Open returns the blob under key; a missing one is ErrNotFound.
func (d *Disk) Open(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("blob %s: %w", key, apperr.ErrNotFound)
	}
	return f, err
}

// Delete removes the blob under key; a missing one is not an error.
func (d *Disk) Delete(ctx context.Context, key string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
