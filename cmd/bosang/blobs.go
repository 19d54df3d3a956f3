package main

import (
	"context"

	"github.com/bosang/bosang/blob"
	"github.com/bosang/bosang/config"
)

// newBlobs returns where evidence files are kept: the S3 bucket when
// BOSANG_S3_ENDPOINT is set (created when missing), local disk otherwise;
// either way encrypted before the bytes leave the process, each file under
// its own data key sealed with the personal-data key (files stored before
// encryption stay readable).
func newBlobs(ctx context.Context, cfg *config.Config, sealer blob.KeySealer) (*blob.Encrypted, error) {
	var store blob.Store
	var err error
	if cfg.S3.Enabled() {
		store, err = blob.NewS3(ctx, blob.S3Config{Endpoint: cfg.S3.Endpoint, Bucket: cfg.S3.Bucket, AccessKey: cfg.S3.AccessKey,
			SecretKey: cfg.S3.SecretKey, Region: cfg.S3.Region, TLS: cfg.S3.TLS})
	} else {
		store, err = blob.NewDisk(cfg.BlobDir())
	}
	if err != nil {
		return nil, err
	}
	return blob.NewEncrypted(store, sealer), nil
}
