package config_test

import (
	"strings"
	"testing"

	"github.com/bosang/bosang/config"
)

// TestS3Config: BOSANG_S3_* all or nothing, each refusal naming its
// variable and none echoing a key.
func TestS3Config(t *testing.T) {
	const secret = "s3cr3t-k3y-v4lu3-n0t-t0-b3-sh0wn"
	full := func(change map[string]string) map[string]string {
		m := map[string]string{"BOSANG_S3_ENDPOINT": "s3.internal:9000", "BOSANG_S3_BUCKET": "bosang-evidence",
			"BOSANG_S3_ACCESS_KEY": "portal", "BOSANG_S3_SECRET_KEY": secret}
		for k, v := range change {
			if v == "" {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return m
	}
	tests := []struct {
		name string
		vars map[string]string
		want config.S3 // when wantErr is ""
		// wantErr are substrings of the error, in any order.
		wantErr []string
	}{
		{name: "none set keeps evidence on local disk", vars: map[string]string{}, want: config.S3{}},
		{name: "all set, TLS by default", vars: full(nil),
			want: config.S3{Endpoint: "s3.internal:9000", Bucket: "bosang-evidence", AccessKey: "portal", SecretKey: secret, TLS: true}},
		{name: "TLS false and a region", vars: full(map[string]string{"BOSANG_S3_TLS": "false", "BOSANG_S3_REGION": "ap-northeast-2"}),
			want: config.S3{Endpoint: "s3.internal:9000", Bucket: "bosang-evidence", AccessKey: "portal", SecretKey: secret, Region: "ap-northeast-2"}},
		{name: "an IPv6 endpoint", vars: full(map[string]string{"BOSANG_S3_ENDPOINT": "[::1]:9000"}),
			want: config.S3{Endpoint: "[::1]:9000", Bucket: "bosang-evidence", AccessKey: "portal", SecretKey: secret, TLS: true}},
		{name: "bucket of 63 characters", vars: full(map[string]string{"BOSANG_S3_BUCKET": strings.Repeat("b", 63)}),
			want: config.S3{Endpoint: "s3.internal:9000", Bucket: strings.Repeat("b", 63), AccessKey: "portal", SecretKey: secret, TLS: true}},

		{name: "bucket without endpoint", vars: full(map[string]string{"BOSANG_S3_ENDPOINT": ""}), wantErr: []string{"BOSANG_S3_BUCKET is set but BOSANG_S3_ENDPOINT is not"}},
		{name: "only the secret key", vars: map[string]string{"BOSANG_S3_SECRET_KEY": secret}, wantErr: []string{"BOSANG_S3_SECRET_KEY is set but BOSANG_S3_ENDPOINT is not"}},
		{name: "only TLS", vars: map[string]string{"BOSANG_S3_TLS": "true"}, wantErr: []string{"BOSANG_S3_TLS is set but BOSANG_S3_ENDPOINT is not"}},
		{name: "endpoint without bucket", vars: full(map[string]string{"BOSANG_S3_BUCKET": ""}), wantErr: []string{"BOSANG_S3_BUCKET is not"}},
		{name: "endpoint without access key", vars: full(map[string]string{"BOSANG_S3_ACCESS_KEY": ""}), wantErr: []string{"BOSANG_S3_ACCESS_KEY is not"}},
		{name: "endpoint without secret key", vars: full(map[string]string{"BOSANG_S3_SECRET_KEY": ""}), wantErr: []string{"BOSANG_S3_SECRET_KEY is not"}},
		{name: "endpoint with a scheme", vars: full(map[string]string{"BOSANG_S3_ENDPOINT": "https://s3.internal:9000"}), wantErr: []string{"BOSANG_S3_ENDPOINT must be host:port"}},
		{name: "endpoint without a port", vars: full(map[string]string{"BOSANG_S3_ENDPOINT": "s3.internal"}), wantErr: []string{"BOSANG_S3_ENDPOINT must be host:port"}},
		{name: "endpoint with a path", vars: full(map[string]string{"BOSANG_S3_ENDPOINT": "s3.internal:9000/evidence"}), wantErr: []string{"BOSANG_S3_ENDPOINT must be host:port"}},
		{name: "port 0", vars: full(map[string]string{"BOSANG_S3_ENDPOINT": "s3.internal:0"}), wantErr: []string{"BOSANG_S3_ENDPOINT"}},
		{name: "port 65536", vars: full(map[string]string{"BOSANG_S3_ENDPOINT": "s3.internal:65536"}), wantErr: []string{"BOSANG_S3_ENDPOINT"}},
		{name: "bucket of 64 characters", vars: full(map[string]string{"BOSANG_S3_BUCKET": strings.Repeat("b", 64)}), wantErr: []string{"BOSANG_S3_BUCKET must be an S3 bucket name"}},
		{name: "bucket of 2 characters", vars: full(map[string]string{"BOSANG_S3_BUCKET": "bb"}), wantErr: []string{"BOSANG_S3_BUCKET must be"}},
		{name: "bucket in capitals", vars: full(map[string]string{"BOSANG_S3_BUCKET": "Evidence"}), wantErr: []string{"BOSANG_S3_BUCKET must be"}},
		{name: "bucket like an IP address", vars: full(map[string]string{"BOSANG_S3_BUCKET": "192.168.1.1"}), wantErr: []string{"BOSANG_S3_BUCKET must be"}},
		{name: "TLS yes", vars: full(map[string]string{"BOSANG_S3_TLS": "yes"}), wantErr: []string{`BOSANG_S3_TLS must be true or false, got "yes"`}},
		{name: "region with a space", vars: full(map[string]string{"BOSANG_S3_REGION": "ap northeast"}), wantErr: []string{"BOSANG_S3_REGION"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.vars["BOSANG_DATA_DIR"] = t.TempDir()
			c, err := config.Load(env(tt.vars))
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("got no error, want one naming %q", tt.wantErr)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not contain %q", err, w)
					}
				}
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q echoes the secret key", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.S3 != tt.want {
				t.Errorf("got %+v, want %+v", c.S3, tt.want)
			}
			if c.S3.Enabled() != (tt.want.Endpoint != "") {
				t.Errorf("Enabled() = %v with endpoint %q", c.S3.Enabled(), c.S3.Endpoint)
			}
			store := c.Redacted()["evidence_store"]
			if strings.Contains(store, secret) || (c.S3.Enabled() && strings.Contains(store, "portal")) {
				t.Errorf("Redacted evidence_store %q shows a key", store)
			}
			if c.S3.Enabled() != strings.HasPrefix(store, "s3 ") {
				t.Errorf("Redacted evidence_store %q, S3 enabled %v", store, c.S3.Enabled())
			}
		})
	}
}
