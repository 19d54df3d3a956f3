package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bosang/bosang/config"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDevelopmentGeneratesAndKeepsSecrets(t *testing.T) {
	dir := t.TempDir()
	first, err := config.Load(env(map[string]string{"BOSANG_DATA_DIR": dir}))
	if err != nil {
		t.Fatal(err)
	}
	if len(first.JWTKey) != 32 || len(first.CSRFKey) != 32 || len(first.EncryptionKey) != 32 || len(first.AuditKey) != 32 {
		t.Fatalf("generated key lengths %d/%d/%d/%d, want 32", len(first.JWTKey), len(first.CSRFKey), len(first.EncryptionKey), len(first.AuditKey))
	}
	if info, err := os.Stat(filepath.Join(dir, "secrets", "audit.key")); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("audit.key: %v; want a 0600 file", err)
	}
	if first.AuditCheckpointFile != filepath.Join(dir, "audit", "checkpoints.jsonl") || first.AuditCheckpointInterval != time.Hour {
		t.Errorf("audit checkpoints: got %s every %v, want the data directory's audit/checkpoints.jsonl every hour",
			first.AuditCheckpointFile, first.AuditCheckpointInterval)
	}
	if string(first.JWTKey) == string(first.CSRFKey) {
		t.Fatal("two secrets are equal")
	}
	info, err := os.Stat(filepath.Join(dir, "secrets", "jwt.key"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("jwt.key: %v, mode %v; want a 0600 file", err, info.Mode().Perm())
	}
	second, err := config.Load(env(map[string]string{"BOSANG_DATA_DIR": dir}))
	if err != nil || string(second.JWTKey) != string(first.JWTKey) || string(second.AuditKey) != string(first.AuditKey) {
		t.Fatalf("second start: got a different key (%v); want the kept one", err)
	}
	if !first.SQLite() || first.SQLitePath() != filepath.Join(dir, "bosang.db") || first.Addr != ":8080" {
		t.Fatalf("defaults: sqlite=%v path=%s addr=%s", first.SQLite(), first.SQLitePath(), first.Addr)
	}
}

func TestProductionRequiresSecrets(t *testing.T) {
	key := strings.Repeat("ab", 32)
	vars := map[string]string{"BOSANG_ENV": "production", "BOSANG_DATA_DIR": t.TempDir(), "BOSANG_JWT_KEY": key, "BOSANG_CSRF_KEY": key}
	_, err := config.Load(env(vars))
	if err == nil || !strings.Contains(err.Error(), "BOSANG_ENCRYPTION_KEY") {
		t.Fatalf("got %v, want an error naming BOSANG_ENCRYPTION_KEY", err)
	}
	if _, err := os.Stat(filepath.Join(vars["BOSANG_DATA_DIR"], "secrets")); !os.IsNotExist(err) {
		t.Fatalf("production wrote secrets to the data directory (%v)", err)
	}
	vars["BOSANG_ENCRYPTION_KEY"] = "too-short"
	if _, err := config.Load(env(vars)); err == nil || strings.Contains(err.Error(), "too-short") {
		t.Fatalf("got %v, want an error that does not echo the secret", err)
	}
	vars["BOSANG_ENCRYPTION_KEY"] = key
	if _, err := config.Load(env(vars)); err == nil || !strings.Contains(err.Error(), "BOSANG_AUDIT_KEY") {
		t.Fatalf("got %v, want an error naming BOSANG_AUDIT_KEY", err)
	}
	vars["BOSANG_AUDIT_KEY"] = strings.Repeat("cd", 32)
	c, err := config.Load(env(vars))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range c.Redacted() {
		if strings.Contains(v, key) || strings.Contains(v, vars["BOSANG_AUDIT_KEY"]) {
			t.Fatalf("Redacted()[%s] contains a secret", k)
		}
	}
}

func TestSecureCookies(t *testing.T) {
	for base, want := range map[string]bool{"http://localhost:8080": false, "http://127.0.0.1:9": false, "https://bosang.example": true, "http://bosang.example": true} {
		c, err := config.Load(env(map[string]string{"BOSANG_DATA_DIR": t.TempDir(), "BOSANG_BASE_URL": base}))
		if err != nil {
			t.Fatal(err)
		}
		if got := c.SecureCookies(); got != want {
			t.Errorf("%s: got Secure=%v, want %v", base, got, want)
		}
	}
}

func TestFreeServiceCompensationNotice(t *testing.T) {
	tests := []struct {
		name, value string
		want        bool
		wantErr     bool
	}{
		{"unset reads the 2025 text conservatively: owed", "", true, false},
		{"owed", "owed", true, false},
		{"exempt", "exempt", false, false},
		{"any other value is refused, not read as owed", "Exempt", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.Load(env(map[string]string{"BOSANG_DATA_DIR": t.TempDir(), "BOSANG_FREE_SERVICE_COMPENSATION_NOTICE": tt.value}))
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), "BOSANG_FREE_SERVICE_COMPENSATION_NOTICE") {
					t.Fatalf("got %v, want an error naming BOSANG_FREE_SERVICE_COMPENSATION_NOTICE", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.FreeServiceOwesCompensationNotice != tt.want {
				t.Errorf("got owed=%v, want %v", c.FreeServiceOwesCompensationNotice, tt.want)
			}
			if got := c.Redacted()["free_service_compensation_notice"]; got != map[bool]string{true: "owed", false: "exempt"}[tt.want] {
				t.Errorf("Redacted: got %q, want the reading in force", got)
			}
		})
	}
}

// TestMetricsAddress pins where /metrics is served: only on
// BOSANG_METRICS_ADDR when it is set; else on the public address in
// development and nowhere in production.
func TestMetricsAddress(t *testing.T) {
	key := strings.Repeat("ab", 32)
	tests := []struct {
		name, env, addr string
		public          bool
		redacted        string
	}{
		{"development without an address keeps it on the public port", "development", "", true, "public address"},
		{"development with an address moves it there", "development", "127.0.0.1:9090", false, "127.0.0.1:9090"},
		{"production without an address serves it nowhere", "production", "", false, "off"},
		{"production with an address serves it only there", "production", "127.0.0.1:9090", false, "127.0.0.1:9090"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.Load(env(map[string]string{"BOSANG_DATA_DIR": t.TempDir(), "BOSANG_ENV": tt.env, "BOSANG_METRICS_ADDR": tt.addr,
				"BOSANG_JWT_KEY": key, "BOSANG_CSRF_KEY": key, "BOSANG_ENCRYPTION_KEY": key, "BOSANG_AUDIT_KEY": key}))
			if err != nil {
				t.Fatal(err)
			}
			if c.MetricsAddr != tt.addr || c.PublicMetrics() != tt.public || c.Redacted()["metrics"] != tt.redacted {
				t.Errorf("got addr %q public %v redacted %q, want %q %v %q", c.MetricsAddr, c.PublicMetrics(), c.Redacted()["metrics"], tt.addr, tt.public, tt.redacted)
			}
		})
	}
}

func TestAuditCheckpointInterval(t *testing.T) {
	for value, ok := range map[string]bool{"15m": true, "2h": true, "30s": false, "hourly": false, "-1h": false} {
		c, err := config.Load(env(map[string]string{"BOSANG_DATA_DIR": t.TempDir(), "BOSANG_AUDIT_CHECKPOINT_INTERVAL": value,
			"BOSANG_AUDIT_CHECKPOINT_FILE": "/var/lib/bosang/cp.jsonl"}))
		switch {
		case ok && (err != nil || c.AuditCheckpointFile != "/var/lib/bosang/cp.jsonl"):
			t.Errorf("%s: got %v, want it accepted with the file given", value, err)
		case !ok && (err == nil || !strings.Contains(err.Error(), "BOSANG_AUDIT_CHECKPOINT_INTERVAL")):
			t.Errorf("%s: got %v, want an error naming BOSANG_AUDIT_CHECKPOINT_INTERVAL", value, err)
		}
	}
}
