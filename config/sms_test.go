package config_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bosang/bosang/config"
)

// TestSMSConfig: BOSANG_SMS_* all or nothing, only a known provider, the
// sender number normalised; each refusal names its variable and none, nor
// the start-up description, shows the key or the secret.
func TestSMSConfig(t *testing.T) {
	const key, secret = "appKeyV4lu3N0tSh0wn", "s3cr3tV4lu3N0tSh0wn"
	full := func(change map[string]string) map[string]string {
		m := map[string]string{"BOSANG_SMS_PROVIDER": "nhncloud", "BOSANG_SMS_API_KEY": key,
			"BOSANG_SMS_API_SECRET": secret, "BOSANG_SMS_SENDER": "1544-6859"}
		for k, v := range change {
			if v == "" {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return m
	}
	nhn := config.SMS{Provider: "nhncloud", APIKey: key, APISecret: secret, Sender: "15446859"}
	withURL := nhn
	withURL.URL = "http://127.0.0.1:9999"
	tests := []struct {
		name    string
		vars    map[string]string
		want    config.SMS // when wantErr is ""
		wantErr string
	}{
		{name: "none set sends no SMS", vars: map[string]string{}, want: config.SMS{}},
		{name: "all set, sender hyphens dropped", vars: full(nil), want: nhn},
		{name: "URL override, trailing slash dropped", vars: full(map[string]string{"BOSANG_SMS_URL": "http://127.0.0.1:9999/"}), want: withURL},
		{name: "sender of 8 digits", vars: full(map[string]string{"BOSANG_SMS_SENDER": "15446859"}), want: nhn},

		{name: "key without provider", vars: full(map[string]string{"BOSANG_SMS_PROVIDER": ""}), wantErr: "BOSANG_SMS_API_KEY is set but BOSANG_SMS_PROVIDER is not"},
		{name: "only the secret", vars: map[string]string{"BOSANG_SMS_API_SECRET": secret}, wantErr: "BOSANG_SMS_API_SECRET is set but BOSANG_SMS_PROVIDER is not"},
		{name: "only the URL", vars: map[string]string{"BOSANG_SMS_URL": "https://example.kr"}, wantErr: "BOSANG_SMS_URL is set but BOSANG_SMS_PROVIDER is not"},
		{name: "unknown provider", vars: full(map[string]string{"BOSANG_SMS_PROVIDER": "solapi"}), wantErr: `BOSANG_SMS_PROVIDER must be "nhncloud"`},
		{name: "provider without key", vars: full(map[string]string{"BOSANG_SMS_API_KEY": ""}), wantErr: "BOSANG_SMS_API_KEY is not"},
		{name: "provider without secret", vars: full(map[string]string{"BOSANG_SMS_API_SECRET": ""}), wantErr: "BOSANG_SMS_API_SECRET is not"},
		{name: "provider without sender", vars: full(map[string]string{"BOSANG_SMS_SENDER": ""}), wantErr: "BOSANG_SMS_SENDER is not"},
		{name: "key with a slash", vars: full(map[string]string{"BOSANG_SMS_API_KEY": "a/" + key}), wantErr: "BOSANG_SMS_API_KEY must be"},
		{name: "sender of 7 digits", vars: full(map[string]string{"BOSANG_SMS_SENDER": "1544685"}), wantErr: "BOSANG_SMS_SENDER must be"},
		{name: "sender of 14 digits", vars: full(map[string]string{"BOSANG_SMS_SENDER": "01012345678901"}), wantErr: "BOSANG_SMS_SENDER must be"},
		{name: "sender with letters", vars: full(map[string]string{"BOSANG_SMS_SENDER": "1544-BOSANG"}), wantErr: "BOSANG_SMS_SENDER must be"},
		{name: "URL without scheme", vars: full(map[string]string{"BOSANG_SMS_URL": "sms.api.nhncloudservice.com"}), wantErr: "BOSANG_SMS_URL must be"},
		{name: "URL with ftp scheme", vars: full(map[string]string{"BOSANG_SMS_URL": "ftp://sms.example.kr"}), wantErr: "BOSANG_SMS_URL must be"},
		{name: "URL with a query", vars: full(map[string]string{"BOSANG_SMS_URL": "https://sms.example.kr?x=1"}), wantErr: "BOSANG_SMS_URL must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.vars["BOSANG_DATA_DIR"] = t.TempDir()
			c, err := config.Load(env(tt.vars))
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("got no error, want one containing %q", tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %q does not contain %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), key) {
					t.Errorf("error %q echoes the key or the secret", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.SMS != tt.want {
				t.Errorf("got %s %q %q, want %s %q %q", c.SMS, c.SMS.APIKey, c.SMS.APISecret, tt.want, tt.want.APIKey, tt.want.APISecret)
			}
			if c.SMS.Enabled() != (tt.want.Provider != "") {
				t.Errorf("Enabled() = %v with provider %q", c.SMS.Enabled(), c.SMS.Provider)
			}
			for _, shown := range []string{c.Redacted()["sms"], fmt.Sprintf("%v %+v %#v", c.SMS, c.SMS, c.SMS)} {
				if strings.Contains(shown, secret) || strings.Contains(shown, key) {
					t.Errorf("description %q shows the key or the secret", shown)
				}
			}
		})
	}
}
