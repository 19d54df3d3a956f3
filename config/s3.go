package config

import (
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// S3 is the S3-compatible object storage evidence files are kept in
// (BOSANG_S3_*), shared by every instance. The zero S3 (BOSANG_S3_ENDPOINT
// unset) keeps them on local disk under DataDir/blobs, which only one
// instance can serve.
type S3 struct {
	// Endpoint is the server's host:port (BOSANG_S3_ENDPOINT).
	Endpoint  string
	Bucket    string // BOSANG_S3_BUCKET, created when missing
	AccessKey string // BOSANG_S3_ACCESS_KEY
	SecretKey string // BOSANG_S3_SECRET_KEY
	// Region is the bucket's region (BOSANG_S3_REGION); empty asks the
	// server.
	Region string
	// TLS speaks HTTPS to the endpoint (BOSANG_S3_TLS, default true).
	TLS bool
}

// Enabled reports whether evidence is kept in S3 rather than on local disk.
func (s S3) Enabled() bool { return s.Endpoint != "" }

// s3Vars are the variables of S3 in the order errors name them.
var s3Vars = []string{"BOSANG_S3_ENDPOINT", "BOSANG_S3_BUCKET", "BOSANG_S3_ACCESS_KEY", "BOSANG_S3_SECRET_KEY", "BOSANG_S3_REGION", "BOSANG_S3_TLS"}

var (
	// bucketPattern is S3's rule for bucket names (the IP-address form is
	// refused separately).
	bucketPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	regionPattern = regexp.MustCompile(`^[a-z0-9-]{1,64}$`)
)

// loadS3 reads BOSANG_S3_*: all of endpoint, bucket and keys, or none of
// the variables. An error names the variable and never echoes a key.
func loadS3(getenv func(string) string) (S3, error) {
	v := map[string]string{}
	for _, name := range s3Vars {
		v[name] = strings.TrimSpace(getenv(name))
	}
	s := S3{Endpoint: v["BOSANG_S3_ENDPOINT"], Bucket: v["BOSANG_S3_BUCKET"], AccessKey: v["BOSANG_S3_ACCESS_KEY"],
		SecretKey: v["BOSANG_S3_SECRET_KEY"], Region: v["BOSANG_S3_REGION"], TLS: true}
	const all = "set BOSANG_S3_ENDPOINT, BOSANG_S3_BUCKET, BOSANG_S3_ACCESS_KEY and BOSANG_S3_SECRET_KEY together, or none of them to keep evidence on local disk"
	if s.Endpoint == "" {
		for _, name := range s3Vars[1:] {
			if v[name] != "" {
				return S3{}, fmt.Errorf("%s is set but BOSANG_S3_ENDPOINT is not: %s", name, all)
			}
		}
		return S3{}, nil
	}
	for _, name := range s3Vars[1:4] {
		if v[name] == "" {
			return S3{}, fmt.Errorf("BOSANG_S3_ENDPOINT is set but %s is not: %s", name, all)
		}
	}
	if err := checkEndpoint(s.Endpoint); err != nil {
		return S3{}, err
	}
	if !bucketPattern.MatchString(s.Bucket) || strings.Contains(s.Bucket, "..") || net.ParseIP(s.Bucket) != nil {
		return S3{}, fmt.Errorf("BOSANG_S3_BUCKET must be an S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit; got %q", s.Bucket)
	}
	if s.Region != "" && !regionPattern.MatchString(s.Region) {
		return S3{}, fmt.Errorf("BOSANG_S3_REGION must be a region name such as us-east-1, got %q", s.Region)
	}
	switch v["BOSANG_S3_TLS"] {
	case "", "true":
	case "false":
		s.TLS = false
	default:
		return S3{}, fmt.Errorf("BOSANG_S3_TLS must be true or false, got %q", v["BOSANG_S3_TLS"])
	}
	return s, nil
}

// checkEndpoint accepts host:port with a port from 1 to 65535.
func checkEndpoint(endpoint string) error {
	const want = "BOSANG_S3_ENDPOINT must be host:port without a scheme or path (BOSANG_S3_TLS chooses https), got %q"
	if strings.Contains(endpoint, "/") {
		return fmt.Errorf(want, endpoint)
	}
	host, port, err := net.SplitHostPort(endpoint)
	if err != nil || host == "" {
		return fmt.Errorf(want, endpoint)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf(want, endpoint)
	}
	return nil
}

// BlobDir is where evidence files are kept when S3 is not enabled.
func (c *Config) BlobDir() string { return filepath.Join(c.DataDir, "blobs") }

// evidenceStore describes where evidence is kept, without the keys.
func (c *Config) evidenceStore() string {
	if !c.S3.Enabled() {
		return "disk " + c.BlobDir() + ", encrypted"
	}
	tls := "tls"
	if !c.S3.TLS {
		tls = "no tls"
	}
	region := c.S3.Region
	if region == "" {
		region = "server's region"
	}
	return fmt.Sprintf("s3 %s bucket %s (%s, %s), encrypted", c.S3.Endpoint, c.S3.Bucket, region, tls)
}
