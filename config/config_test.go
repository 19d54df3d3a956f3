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

func TestRotationKeys(t *testing.T) {
	a, b, f := strings.Repeat("aa", 32), strings.Repeat("bb", 32), strings.Repeat("cc", 32)
	for _, tc := range []struct {
		name    string
		env     map[string]string
		wantErr string
		check   func(t *testing.T, c *config.Config)
	}{
		{"no rotation", map[string]string{}, "", func(t *testing.T, c *config.Config) {
			if c.JWTPreviousKeys != nil || c.EncryptionPreviousKeys != nil || c.FingerprintKey != nil {
				t.Errorf("got previous keys %v %v and fingerprint key %v, want none", c.JWTPreviousKeys, c.EncryptionPreviousKeys, c.FingerprintKey)
			}
		}},
		{"two previous JWT keys, spaces and an empty item", map[string]string{"BOSANG_JWT_PREVIOUS_KEYS": a + " , " + b + ","}, "", func(t *testing.T, c *config.Config) {
			if len(c.JWTPreviousKeys) != 2 || c.JWTPreviousKeys[1][0] != 0xbb {
				t.Errorf("got %d previous JWT keys, want 2 in order", len(c.JWTPreviousKeys))
			}
		}},
		{"encryption rotation with a pinned fingerprint key", map[string]string{"BOSANG_ENCRYPTION_PREVIOUS_KEYS": a, "BOSANG_FINGERPRINT_KEY": f}, "", func(t *testing.T, c *config.Config) {
			if len(c.EncryptionPreviousKeys) != 1 || len(c.FingerprintKey) != 32 || c.FingerprintKey[0] != 0xcc {
				t.Errorf("got %d previous encryption keys and fingerprint key %x", len(c.EncryptionPreviousKeys), c.FingerprintKey)
			}
		}},
		{"encryption rotation without a pinned fingerprint key is refused", map[string]string{"BOSANG_ENCRYPTION_PREVIOUS_KEYS": a}, "BOSANG_FINGERPRINT_KEY", nil},
		{"a short previous key names its variable and position", map[string]string{"BOSANG_CSRF_PREVIOUS_KEYS": a + ",abcd"}, "BOSANG_CSRF_PREVIOUS_KEYS (key 2)", nil},
		{"a fingerprint key that is not hex", map[string]string{"BOSANG_FINGERPRINT_KEY": "zz"}, "BOSANG_FINGERPRINT_KEY", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.env["BOSANG_DATA_DIR"] = t.TempDir()
			c, err := config.Load(env(tc.env))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want an error naming %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}

func TestRateLimit(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    [3]float64 // per second, burst, clients
		wantErr string
	}{
		{"unset: the generous defaults", nil, [3]float64{config.DefaultRatePerSecond, config.DefaultRateBurst, config.DefaultRateClients}, ""},
		{"fractions of a request a second", map[string]string{"BOSANG_RATE_LIMIT": "0.5", "BOSANG_RATE_BURST": "5", "BOSANG_RATE_CLIENTS": "10"}, [3]float64{0.5, 5, 10}, ""},
		{"0 turns it off", map[string]string{"BOSANG_RATE_LIMIT": "0"}, [3]float64{0, config.DefaultRateBurst, config.DefaultRateClients}, ""},
		{"negative rate", map[string]string{"BOSANG_RATE_LIMIT": "-1"}, [3]float64{}, "BOSANG_RATE_LIMIT"},
		{"not a number", map[string]string{"BOSANG_RATE_LIMIT": "fast"}, [3]float64{}, "BOSANG_RATE_LIMIT"},
		{"infinite", map[string]string{"BOSANG_RATE_LIMIT": "Inf"}, [3]float64{}, "BOSANG_RATE_LIMIT"},
		{"burst 0", map[string]string{"BOSANG_RATE_BURST": "0"}, [3]float64{}, "BOSANG_RATE_BURST"},
		{"clients 0", map[string]string{"BOSANG_RATE_CLIENTS": "0"}, [3]float64{}, "BOSANG_RATE_CLIENTS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := loadOrRefused(t, tt.env, tt.wantErr)
			if c == nil {
				return
			}
			if got := [3]float64{c.RatePerSecond, float64(c.RateBurst), float64(c.RateClients)}; got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestPeriodicJobSettings: the statistics snapshot's age limit and the
// supplement reminder's lead have defaults, and a value out of range or
// not a duration stops the start naming its variable.
func TestPeriodicJobSettings(t *testing.T) {
	c, err := config.Load(env(map[string]string{"BOSANG_DATA_DIR": t.TempDir()}))
	if err != nil || c.StatsMaxAge != time.Minute || c.SupplementReminderLead != 48*time.Hour {
		t.Fatalf("defaults: %v, max age %v, lead %v; want 1m and 48h", err, c.StatsMaxAge, c.SupplementReminderLead)
	}
	for _, tc := range []struct {
		env, value string
		ok         bool
	}{
		{"BOSANG_STATS_MAX_AGE", "30s", true}, {"BOSANG_STATS_MAX_AGE", "1s", true}, {"BOSANG_STATS_MAX_AGE", "1h", true},
		{"BOSANG_STATS_MAX_AGE", "999ms", false}, {"BOSANG_STATS_MAX_AGE", "61m", false}, {"BOSANG_STATS_MAX_AGE", "soon", false},
		{"BOSANG_SUPPLEMENT_REMINDER_LEAD", "24h", true}, {"BOSANG_SUPPLEMENT_REMINDER_LEAD", "1h", true},
		{"BOSANG_SUPPLEMENT_REMINDER_LEAD", "59m", false}, {"BOSANG_SUPPLEMENT_REMINDER_LEAD", "721h", false},
		{"BOSANG_SUPPLEMENT_REMINDER_LEAD", "2d", false},
	} {
		c, err := config.Load(env(map[string]string{"BOSANG_DATA_DIR": t.TempDir(), tc.env: tc.value}))
		switch {
		case tc.ok && err != nil:
			t.Errorf("%s=%s: got %v, want it accepted", tc.env, tc.value, err)
		case tc.ok:
			got := map[string]time.Duration{"BOSANG_STATS_MAX_AGE": c.StatsMaxAge, "BOSANG_SUPPLEMENT_REMINDER_LEAD": c.SupplementReminderLead}[tc.env]
			if want, _ := time.ParseDuration(tc.value); got != want {
				t.Errorf("%s=%s: got %v", tc.env, tc.value, got)
			}
		case err == nil || !strings.Contains(err.Error(), tc.env):
			t.Errorf("%s=%s: got %v, want an error naming %s", tc.env, tc.value, err, tc.env)
		}
	}
}

func TestJobSettings(t *testing.T) {
	type jobs struct {
		messages, review, batch, attempts, backlog int
		retention                                  time.Duration
	}
	defaults := jobs{config.DefaultJobWorkersMessages, config.DefaultJobWorkersReview, config.DefaultJobWorkersBatch,
		config.DefaultJobMaxAttempts, config.DefaultJobLaneBacklog, config.DefaultOutboxRetention}
	tests := []struct {
		name    string
		env     map[string]string
		want    jobs
		wantErr string
	}{
		{"unset: the defaults", nil, defaults, ""},
		{"every lane and the limits set", map[string]string{"BOSANG_JOB_WORKERS_MESSAGES": "32", "BOSANG_JOB_WORKERS_REVIEW": "4",
			"BOSANG_JOB_WORKERS_BATCH": "2", "BOSANG_JOB_MAX_ATTEMPTS": "1", "BOSANG_JOB_LANE_BACKLOG": "100", "BOSANG_OUTBOX_RETENTION": "1h"},
			jobs{32, 4, 2, 1, 100, time.Hour}, ""},
		{"0 workers", map[string]string{"BOSANG_JOB_WORKERS_REVIEW": "0"}, jobs{}, "BOSANG_JOB_WORKERS_REVIEW"},
		{"1001 workers", map[string]string{"BOSANG_JOB_WORKERS_MESSAGES": "1001"}, jobs{}, "BOSANG_JOB_WORKERS_MESSAGES"},
		{"workers not a number", map[string]string{"BOSANG_JOB_WORKERS_BATCH": "many"}, jobs{}, "BOSANG_JOB_WORKERS_BATCH"},
		{"0 attempts", map[string]string{"BOSANG_JOB_MAX_ATTEMPTS": "0"}, jobs{}, "BOSANG_JOB_MAX_ATTEMPTS"},
		{"101 attempts", map[string]string{"BOSANG_JOB_MAX_ATTEMPTS": "101"}, jobs{}, "BOSANG_JOB_MAX_ATTEMPTS"},
		{"lane backlog 99", map[string]string{"BOSANG_JOB_LANE_BACKLOG": "99"}, jobs{}, "BOSANG_JOB_LANE_BACKLOG"},
		{"lane backlog 1000001", map[string]string{"BOSANG_JOB_LANE_BACKLOG": "1000001"}, jobs{}, "BOSANG_JOB_LANE_BACKLOG"},
		{"retention 59m59s", map[string]string{"BOSANG_OUTBOX_RETENTION": "59m59s"}, jobs{}, "BOSANG_OUTBOX_RETENTION"},
		{"retention in days is not a Go duration", map[string]string{"BOSANG_OUTBOX_RETENTION": "7d"}, jobs{}, "BOSANG_OUTBOX_RETENTION"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := loadOrRefused(t, tt.env, tt.wantErr)
			if c == nil {
				return
			}
			if got := (jobs{c.JobWorkersMessages, c.JobWorkersReview, c.JobWorkersBatch, c.JobMaxAttempts, c.JobLaneBacklog, c.OutboxRetention}); got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// loadOrRefused loads the configuration from vars (with a fresh data
// directory). When wantErr is set it checks that the load was refused with
// an error naming wantErr and returns nil; otherwise it fails on any error.
func loadOrRefused(t *testing.T, vars map[string]string, wantErr string) *config.Config {
	t.Helper()
	all := map[string]string{"BOSANG_DATA_DIR": t.TempDir()}
	for k, v := range vars {
		all[k] = v
	}
	c, err := config.Load(env(all))
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("got %v, want an error naming %s", err, wantErr)
		}
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return c
}
