// Package blobtest gives tests a bucket of their own on the test S3 server
// (BOSANG_TEST_S3_ENDPOINT, BOSANG_TEST_S3_ACCESS_KEY,
// BOSANG_TEST_S3_SECRET_KEY, as scripts/s3-test-server.sh exports them) and
// removes it when the test ends.
package blobtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/bosang/bosang/blob"
)

// S3 returns the test server's settings with a fresh bucket name that does
// not exist yet (blob.NewS3 creates it). Without a configured server the
// test fails when CI=true and is skipped with how to start one otherwise.
// The bucket and what is in it are removed in t.Cleanup.
func S3(t testing.TB) blob.S3Config {
	t.Helper()
	cfg := blob.S3Config{
		Endpoint:  os.Getenv("BOSANG_TEST_S3_ENDPOINT"),
		AccessKey: os.Getenv("BOSANG_TEST_S3_ACCESS_KEY"),
		SecretKey: os.Getenv("BOSANG_TEST_S3_SECRET_KEY"),
		TLS:       os.Getenv("BOSANG_TEST_S3_TLS") == "true",
	}
	if cfg.Endpoint == "" || cfg.AccessKey == "" || cfg.SecretKey == "" {
		msg := "no test S3 server: set BOSANG_TEST_S3_ENDPOINT, BOSANG_TEST_S3_ACCESS_KEY and BOSANG_TEST_S3_SECRET_KEY " +
			"(`make test` runs the tests with one; `scripts/s3-test-server.sh go test ./blob/` runs any command with one)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip("!!! SKIPPING S3: " + msg)
	}
	b := make([]byte, 8)
	rand.Read(b)
	cfg.Bucket = "bosang-test-" + hex.EncodeToString(b)
	t.Cleanup(func() { removeBucket(t, cfg) })
	return cfg
}

// Client returns a plain client of the test server, for reading what a
// store left there as it is.
func Client(t testing.TB, cfg blob.S3Config) *minio.Client {
	t.Helper()
	c, err := minio.New(cfg.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""), Secure: cfg.TLS})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// removeBucket empties and removes the bucket if a test created it.
func removeBucket(t testing.TB, cfg blob.S3Config) {
	c := Client(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if ok, err := c.BucketExists(ctx, cfg.Bucket); err != nil || !ok {
		return
	}
	for o := range c.ListObjects(ctx, cfg.Bucket, minio.ListObjectsOptions{Recursive: true}) {
		if o.Err == nil {
			c.RemoveObject(ctx, cfg.Bucket, o.Key, minio.RemoveObjectOptions{})
		}
	}
	if err := c.RemoveBucket(ctx, cfg.Bucket); err != nil {
		t.Logf("remove test bucket %s: %v", cfg.Bucket, err)
	}
}
