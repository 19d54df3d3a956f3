package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"

	"github.com/bosang/bosang/blob/blobtest"
	"github.com/bosang/bosang/config"
)

// TestEvidenceStoreIsWired: evidence goes, encrypted, to local disk when
// BOSANG_S3_ENDPOINT is unset and to the S3 bucket (created at start) when
// it is set.
func TestEvidenceStoreIsWired(t *testing.T) {
	plain := []byte(strings.Repeat("account 110-123-456789\n", 100))
	wire := func(t *testing.T, vars map[string]string) string {
		t.Helper()
		vars["BOSANG_DATA_DIR"] = t.TempDir()
		cfg, err := config.Load(func(k string) string { return vars[k] })
		if err != nil {
			t.Fatal(err)
		}
		sealer, err := newSealer(cfg)
		if err != nil {
			t.Fatal(err)
		}
		blobs, err := newBlobs(context.Background(), cfg, sealer)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := blobs.Put(context.Background(), "evidence/c/e", bytes.NewReader(plain)); err != nil {
			t.Fatal(err)
		}
		f, err := blobs.Open(context.Background(), "evidence/c/e")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if got, err := io.ReadAll(f); err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("read back: %d bytes, %v", len(got), err)
		}
		return vars["BOSANG_DATA_DIR"]
	}
	t.Run("unset: local disk", func(t *testing.T) {
		dir := wire(t, map[string]string{})
		raw, err := os.ReadFile(filepath.Join(dir, "blobs", "evidence", "c", "e"))
		if err != nil || bytes.Contains(raw, []byte("110-123-456789")) {
			t.Errorf("on disk: %v, or the plaintext is there", err)
		}
	})
	t.Run("set: S3 bucket", func(t *testing.T) {
		s3 := blobtest.S3(t)
		dir := wire(t, map[string]string{"BOSANG_S3_ENDPOINT": s3.Endpoint, "BOSANG_S3_BUCKET": s3.Bucket,
			"BOSANG_S3_ACCESS_KEY": s3.AccessKey, "BOSANG_S3_SECRET_KEY": s3.SecretKey, "BOSANG_S3_TLS": "false"})
		o, err := blobtest.Client(t, s3).GetObject(context.Background(), s3.Bucket, "evidence/c/e", minio.GetObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer o.Close()
		raw, err := io.ReadAll(o)
		if err != nil || bytes.Contains(raw, []byte("110-123-456789")) {
			t.Errorf("in the bucket: %v, or the plaintext is there", err)
		}
		if _, err := os.Stat(filepath.Join(dir, "blobs")); !os.IsNotExist(err) {
			t.Errorf("a local blob directory exists with S3 configured (%v)", err)
		}
	})
}
