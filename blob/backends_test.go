package blob_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/minio/minio-go/v7"

	"github.com/bosang/bosang/blob"
	"github.com/bosang/bosang/blob/blobtest"
	"github.com/bosang/bosang/pii"
)

// backend is a raw store and a way to read and write what it keeps as it
// is, beneath any encryption.
type backend struct {
	store    blob.Store
	raw      func(t *testing.T, key string) []byte
	writeRaw func(t *testing.T, key string, b []byte)
}

// eachBackend runs fn over local disk and over the test S3 server (skipped,
// or failed with CI=true, without one).
func eachBackend(t *testing.T, fn func(t *testing.T, b backend)) {
	t.Helper()
	t.Run("disk", func(t *testing.T) { fn(t, diskBackend(t)) })
	t.Run("s3", func(t *testing.T) { fn(t, s3Backend(t)) })
}

func diskBackend(t *testing.T) backend {
	dir := t.TempDir()
	d, err := blob.NewDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	path := func(key string) string { return filepath.Join(dir, filepath.FromSlash(key)) }
	return backend{
		store: d,
		raw: func(t *testing.T, key string) []byte {
			b, err := os.ReadFile(path(key))
			if err != nil {
				t.Fatal(err)
			}
			return b
		},
		writeRaw: func(t *testing.T, key string, b []byte) {
			os.MkdirAll(filepath.Dir(path(key)), 0o700)
			if err := os.WriteFile(path(key), b, 0o600); err != nil {
				t.Fatal(err)
			}
		},
	}
}

func s3Backend(t *testing.T) backend {
	cfg := blobtest.S3(t)
	s, err := blob.NewS3(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := blobtest.Client(t, cfg)
	return backend{
		store: s,
		raw: func(t *testing.T, key string) []byte {
			o, err := c.GetObject(context.Background(), cfg.Bucket, key, minio.GetObjectOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer o.Close()
			b, err := io.ReadAll(o)
			if err != nil {
				t.Fatal(err)
			}
			return b
		},
		writeRaw: func(t *testing.T, key string, b []byte) {
			if _, err := c.PutObject(context.Background(), cfg.Bucket, key, bytes.NewReader(b), int64(len(b)), minio.PutObjectOptions{}); err != nil {
				t.Fatal(err)
			}
		},
	}
}

// newSealer returns a portal key sealer with a fresh key, and the key.
func newSealer(t *testing.T, previous ...[]byte) (*pii.Sealer, []byte) {
	t.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	s, err := pii.NewSealer(key, previous...)
	if err != nil {
		t.Fatal(err)
	}
	return s, key
}

// randomBytes returns n random bytes.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// put stores b under key and fails the test unless all of it was taken.
func put(t *testing.T, s blob.Store, key string, b []byte) {
	t.Helper()
	n, err := s.Put(context.Background(), key, bytes.NewReader(b))
	if err != nil || n != int64(len(b)) {
		t.Fatalf("put %s: %d bytes, %v; want %d bytes", key, n, err, len(b))
	}
}

// open opens key and closes it when the test ends.
func open(t *testing.T, s blob.Store, key string) io.ReadSeekCloser {
	t.Helper()
	f, err := s.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("open %s: %v", key, err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
