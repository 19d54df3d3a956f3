package blob

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/bosang/bosang/apperr"
)

// S3Config says where S3 keeps blobs.
type S3Config struct {
	// Endpoint is the server's host:port, without a scheme.
	Endpoint  string
	Bucket    string
	AccessKey string
	SecretKey string
	// Region is the bucket's region; empty asks the server.
	Region string
	// TLS speaks HTTPS to the endpoint.
	TLS bool
}

// PartSize is the part size of an upload, S3's smallest: an upload of
// unknown length goes as a multipart upload whose one part in flight is
// the most of it held in memory.
const PartSize = 5 << 20

// S3 keeps blobs as objects in one bucket of an S3-compatible server, which
// every instance of the portal can share.
type S3 struct {
	client *minio.Client
	bucket string
}

// NewS3 connects to the server and creates the bucket when it is missing
// (another instance creating it at the same moment is no error).
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.TLS,
		Region: cfg.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("S3 endpoint %s: %w", cfg.Endpoint, err)
	}
	s := &S3{client: client, bucket: cfg.Bucket}
	if err := s.ensureBucket(ctx, cfg.Region); err != nil {
		return nil, fmt.Errorf("S3 bucket %s at %s: %w", cfg.Bucket, cfg.Endpoint, err)
	}
	return s, nil
}

func (s *S3) ensureBucket(ctx context.Context, region string) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil || ok {
		return err
	}
	err = s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: region})
	if err == nil {
		return nil
	}
	// Lost a race with another instance creating it: fine if it is ours.
	if ok, err2 := s.client.BucketExists(ctx, s.bucket); err2 == nil && ok {
		return nil
	}
	return err
}

// Put streams r into the object under key as a multipart upload of
// PartSize parts, which the server assembles only when the last part is in:
// a failed upload leaves no object. It returns the bytes read from r.
func (s *S3) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	if err := checkKey(key); err != nil {
		return 0, err
	}
	counted := &countingReader{r: r}
	_, err := s.client.PutObject(ctx, s.bucket, key, counted, -1, minio.PutObjectOptions{
		PartSize:    PartSize,
		ContentType: "application/octet-stream",
	})
	if err != nil {
		return counted.n, fmt.Errorf("put %s: %w", key, err)
	}
	return counted.n, nil
}

// Open returns the object under key, read as a stream; a Seek makes the
// next Read a ranged request. A missing object is apperr.ErrNotFound.
func (s *S3) Open(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", key, err)
	}
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		if minio.ToErrorResponse(err).StatusCode == http.StatusNotFound {
			return nil, fmt.Errorf("blob %s: %w", key, apperr.ErrNotFound)
		}
		return nil, fmt.Errorf("open %s: %w", key, err)
	}
	return obj, nil
}

// Delete removes the object under key; a missing one is not an error.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}
