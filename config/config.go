package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Environments.
const (
	Development = "development"
	Production  = "production"
)

// Config is everything the process needs to start. Secret fields are never
// logged; use Redacted to describe a Config.
type Config struct {
	Addr        string
	DatabaseURL string // postgres://... or empty for SQLite under DataDir
	DataDir     string
	Env         string
	BaseURL     string

	JWTKey        []byte // HMAC key for access tokens
	CSRFKey       []byte // HMAC key for form tokens
	EncryptionKey []byte // AES-256 key for personal data at rest
	// AuditKey keys the audit hash chain and signs its checkpoints
	// (HMAC-SHA256). The database never holds it, so someone who can write
	// to the database cannot forge an entry or a checkpoint.
	AuditKey []byte

	// AuditCheckpointFile is the append-only file the signed audit
	// checkpoints are exported to, off the database (BOSANG_AUDIT_CHECKPOINT_FILE,
	// default DataDir/audit/checkpoints.jsonl).
	AuditCheckpointFile string
	// AuditCheckpointInterval is how often the server records and exports
	// a signed checkpoint (BOSANG_AUDIT_CHECKPOINT_INTERVAL, default 1h).
	AuditCheckpointInterval time.Duration

	// MetricsAddr, when set (BOSANG_METRICS_ADDR), is the only address that
	// serves /metrics. Unset, development serves /metrics on the public
	// address and production serves it nowhere.
	MetricsAddr string

	// The keys before a rotation (BOSANG_*_PREVIOUS_KEYS, comma-separated
	// hex): still accepted for reading, never used to write (SECURITY.md).
	JWTPreviousKeys        [][]byte
	CSRFPreviousKeys       [][]byte
	EncryptionPreviousKeys [][]byte
	// FingerprintKey keys the hash that finds shared payout accounts
	// (BOSANG_FINGERPRINT_KEY); nil derives it from EncryptionKey, which a
	// rotation of that key would change, so a rotation needs it pinned.
	FingerprintKey []byte

	// SMTPURL, when set (smtp://user:pass@host:587?from=addr), sends
	// claimant notifications by e-mail; otherwise they go to the log.
	SMTPURL string

	AccessTTL  time.Duration
	RefreshTTL time.Duration

	// FreeServiceOwesCompensationNotice is the operator's reading of the
	// 2025 decree text, which leaves unclear whether a free service owes the
	// compensation notice for an outage that started on or after 2025-03-28:
	// BOSANG_FREE_SERVICE_COMPENSATION_NOTICE=owed (the default, the
	// conservative reading) or exempt.
	FreeServiceOwesCompensationNotice bool

	// RatePerSecond, RateBurst and RateClients are the per-client limit of
	// the JSON API (BOSANG_RATE_LIMIT, BOSANG_RATE_BURST,
	// BOSANG_RATE_CLIENTS): requests a second each client address may
	// sustain (0 turns the limit off), how many it may send at once, and
	// how many addresses are tracked at most.
	RatePerSecond float64
	RateBurst     int
	RateClients   int

	// Periodic jobs (issue 13: shared statistics, supplement reminders).
	// StatsMaxAge is how old the statistics snapshot shared by every
	// instance may be and still be served as fresh (BOSANG_STATS_MAX_AGE,
	// default 1m, from 1s to 1h); the refresh job should run at least
	// twice as often. SupplementReminderLead is how long before a
	// supplement's due time its claimant is reminded
	// (BOSANG_SUPPLEMENT_REMINDER_LEAD, default 48h, from 1h to 720h);
	// it must exceed the reminder job's interval.
	StatsMaxAge            time.Duration
	SupplementReminderLead time.Duration
	// Evidence in S3-compatible object storage (issue 13): BOSANG_S3_*,
	// loaded by loadS3; the zero S3 keeps evidence on local disk.
	S3 S3
	// Edge and start-up (issue 13: several instances behind a proxy); read
	// by loadEdge (edge.go).
	//
	// TrustedProxies are the peers whose ClientIPHeader names the client
	// (BOSANG_TRUSTED_PROXIES, comma-separated addresses or CIDR prefixes,
	// kept as prefixes); empty trusts no one.
	TrustedProxies []string
	// ClientIPHeader is that header (BOSANG_CLIENT_IP_HEADER, default
	// X-Forwarded-For), in canonical form.
	ClientIPHeader string
	// Migrate is MigrateAuto (BOSANG_MIGRATE=auto, the default: every
	// start applies pending migrations under a lock) or MigrateOff (a
	// separate `bosang migrate` step does; a start with pending migrations
	// is refused).
	Migrate string
	// DBMaxConns caps each process's PostgreSQL connections
	// (BOSANG_DB_MAX_CONNS); 0 keeps the store's default.
	DBMaxConns int
	// ClaimPageCache is how many claim pages each process keeps in memory
	// on PostgreSQL (BOSANG_CLAIM_PAGE_CACHE; 0 none); -1 when unset keeps
	// the store's default.
	ClaimPageCache int
	// MaxInFlight is how many expensive requests (claim filing, uploads,
	// decisions, logins) one process runs at once (BOSANG_MAX_IN_FLIGHT);
	// 0 leaves it to the server: half its connection pool, at least
	// MinMaxInFlight and on PostgreSQL at least a filing group
	// (store.FilingGroupMax). The rest wait in arrival order for at most
	// AdmissionWait (BOSANG_ADMISSION_WAIT, DefaultAdmissionWait) and are
	// then answered 503 with Retry-After.
	MaxInFlight   int
	AdmissionWait time.Duration
	// DrainDelay is how long a stopping server keeps serving with /readyz
	// failing, for the load balancer to notice, before it stops accepting
	// (BOSANG_DRAIN_DELAY; 5s in production, 0 in development).
	DrainDelay time.Duration
	// Jobs on River (issue 13). JobWorkers* are the concurrent jobs per
	// lane and process (BOSANG_JOB_WORKERS_MESSAGES, _REVIEW, _BATCH);
	// JobMaxAttempts is how many times a job runs before its message is
	// dead (BOSANG_JOB_MAX_ATTEMPTS); JobLaneBacklog is how many available
	// jobs a lane may hold before the dispatcher leaves its messages marked
	// (BOSANG_JOB_LANE_BACKLOG, jobs.Config.LaneBacklog); OutboxRetention is
	// how long delivered outbox messages are kept (BOSANG_OUTBOX_RETENTION).
	JobWorkersMessages int
	JobWorkersReview   int
	JobWorkersBatch    int
	JobMaxAttempts     int
	JobLaneBacklog     int
	OutboxRetention    time.Duration
	// SMS provider (issue 14: offer notices); BOSANG_SMS_*, loaded by
	// loadSMS (sms.go). The zero SMS sends no SMS.
	SMS SMS
}

// The defaults of the per-client API rate limit: generous for any person
// or script, a wall for a flood from one address.
const (
	DefaultRatePerSecond = 20
	DefaultRateBurst     = 100
	DefaultRateClients   = 50000
)

// The values of BOSANG_FREE_SERVICE_COMPENSATION_NOTICE.
const (
	NoticeOwed   = "owed"
	NoticeExempt = "exempt"
)

// secretSpec names one secret: its variable and the file it is kept in during
// development.
type secretSpec struct {
	env  string
	file string
	dst  *[]byte
}

// Load reads the environment through getenv (os.Getenv in production code,
// a map in tests). It creates DataDir if needed. In development, a missing
// secret is generated and written to DataDir/secrets/; in production it is an
// error naming the variable.
func Load(getenv func(string) string) (*Config, error) {
	c := &Config{
		Addr:        or(getenv("BOSANG_ADDR"), ":8080"),
		DatabaseURL: getenv("BOSANG_DATABASE_URL"),
		DataDir:     or(getenv("BOSANG_DATA_DIR"), "./data"),
		Env:         or(getenv("BOSANG_ENV"), Development),
		BaseURL:     getenv("BOSANG_BASE_URL"),
		SMTPURL:     getenv("BOSANG_SMTP_URL"),
		MetricsAddr: strings.TrimSpace(getenv("BOSANG_METRICS_ADDR")),
		AccessTTL:   15 * time.Minute,
		RefreshTTL:  30 * 24 * time.Hour,
	}
	if c.Env != Development && c.Env != Production {
		return nil, fmt.Errorf("BOSANG_ENV must be %q or %q, got %q", Development, Production, c.Env)
	}
	switch v := or(getenv("BOSANG_FREE_SERVICE_COMPENSATION_NOTICE"), NoticeOwed); v {
	case NoticeOwed, NoticeExempt:
		c.FreeServiceOwesCompensationNotice = v == NoticeOwed
	default:
		return nil, fmt.Errorf("BOSANG_FREE_SERVICE_COMPENSATION_NOTICE must be %q or %q, got %q", NoticeOwed, NoticeExempt, v)
	}
	if err := c.loadRateLimit(getenv); err != nil {
		return nil, err
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://localhost" + portOf(c.Addr)
	}
	if _, err := url.Parse(c.BaseURL); err != nil {
		return nil, fmt.Errorf("BOSANG_BASE_URL: %w", err)
	}
	c.AuditCheckpointFile = or(getenv("BOSANG_AUDIT_CHECKPOINT_FILE"), filepath.Join(c.DataDir, "audit", "checkpoints.jsonl"))
	interval, err := time.ParseDuration(or(getenv("BOSANG_AUDIT_CHECKPOINT_INTERVAL"), "1h"))
	if err != nil || interval < time.Minute {
		return nil, fmt.Errorf("BOSANG_AUDIT_CHECKPOINT_INTERVAL must be a duration of at least 1m (e.g. 1h, 15m), got %q", getenv("BOSANG_AUDIT_CHECKPOINT_INTERVAL"))
	}
	c.AuditCheckpointInterval = interval
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	specs := []secretSpec{
		{"BOSANG_JWT_KEY", "jwt.key", &c.JWTKey},
		{"BOSANG_CSRF_KEY", "csrf.key", &c.CSRFKey},
		{"BOSANG_ENCRYPTION_KEY", "encryption.key", &c.EncryptionKey},
		{"BOSANG_AUDIT_KEY", "audit.key", &c.AuditKey},
	}
	for _, s := range specs {
		v, err := c.secret(getenv, s)
		if err != nil {
			return nil, err
		}
		*s.dst = v
	}
	if err := c.rotationKeys(getenv); err != nil {
		return nil, err
	}
	if err := c.loadPeriodic(getenv); err != nil {
		return nil, err
	}
	// Evidence in S3-compatible object storage (issue 13).
	if c.S3, err = loadS3(getenv); err != nil {
		return nil, err
	}
	if err := c.loadEdge(getenv); err != nil {
		return nil, err
	}
	// Jobs on River (issue 13).
	if err := c.loadJobs(getenv); err != nil {
		return nil, err
	}
	// SMS provider (issue 14).
	if c.SMS, err = loadSMS(getenv); err != nil {
		return nil, err
	}
	return c, nil
}

// rotationKeys reads the previous keys of a rotation and the pinned
// fingerprint key. Rotating the encryption key without pinning the
// fingerprint key would silently stop shared accounts from being found
// across the rotation, so it is refused.
func (c *Config) rotationKeys(getenv func(string) string) error {
	for _, r := range []struct {
		env string
		dst *[][]byte
	}{
		{"BOSANG_JWT_PREVIOUS_KEYS", &c.JWTPreviousKeys},
		{"BOSANG_CSRF_PREVIOUS_KEYS", &c.CSRFPreviousKeys},
		{"BOSANG_ENCRYPTION_PREVIOUS_KEYS", &c.EncryptionPreviousKeys},
	} {
		for i, v := range strings.Split(getenv(r.env), ",") {
			if v = strings.TrimSpace(v); v == "" {
				continue
			}
			k, err := decodeKey(fmt.Sprintf("%s (key %d)", r.env, i+1), v)
			if err != nil {
				return err
			}
			*r.dst = append(*r.dst, k)
		}
	}
	if v := strings.TrimSpace(getenv("BOSANG_FINGERPRINT_KEY")); v != "" {
		k, err := decodeKey("BOSANG_FINGERPRINT_KEY", v)
		if err != nil {
			return err
		}
		c.FingerprintKey = k
	}
	if len(c.EncryptionPreviousKeys) > 0 && c.FingerprintKey == nil {
		return errors.New("BOSANG_ENCRYPTION_PREVIOUS_KEYS is set but BOSANG_FINGERPRINT_KEY is not: pin the fingerprint key before rotating the encryption key (`bosang keys fingerprint` with the old key prints it; see SECURITY.md)")
	}
	return nil
}

// loadRateLimit reads the per-client API rate limit; a value that is not a
// number in range stops the start.
func (c *Config) loadRateLimit(getenv func(string) string) error {
	var err error
	if c.RatePerSecond, err = strconv.ParseFloat(or(getenv("BOSANG_RATE_LIMIT"), strconv.Itoa(DefaultRatePerSecond)), 64); err != nil ||
		c.RatePerSecond < 0 || math.IsInf(c.RatePerSecond, 0) || math.IsNaN(c.RatePerSecond) {
		return fmt.Errorf("BOSANG_RATE_LIMIT must be requests a second per client, 0 or more (0 turns the limit off), got %q", getenv("BOSANG_RATE_LIMIT"))
	}
	if c.RateBurst, err = strconv.Atoi(or(getenv("BOSANG_RATE_BURST"), strconv.Itoa(DefaultRateBurst))); err != nil || c.RateBurst < 1 {
		return fmt.Errorf("BOSANG_RATE_BURST must be a whole number of requests, 1 or more, got %q", getenv("BOSANG_RATE_BURST"))
	}
	if c.RateClients, err = strconv.Atoi(or(getenv("BOSANG_RATE_CLIENTS"), strconv.Itoa(DefaultRateClients))); err != nil || c.RateClients < 1 {
		return fmt.Errorf("BOSANG_RATE_CLIENTS must be a whole number of client addresses, 1 or more, got %q", getenv("BOSANG_RATE_CLIENTS"))
	}
	return nil
}

// secret returns the 32-byte key given in hex by the variable, else (in
// development) the one kept in the data directory, generating it on first use.
func (c *Config) secret(getenv func(string) string, s secretSpec) ([]byte, error) {
	if v := strings.TrimSpace(getenv(s.env)); v != "" {
		return decodeKey(s.env, v)
	}
	if c.Env == Production {
		return nil, fmt.Errorf("%s is not set: production needs every secret from the environment (64 hex characters, e.g. from `openssl rand -hex 32`)", s.env)
	}
	path := filepath.Join(c.DataDir, "secrets", s.file)
	b, err := os.ReadFile(path)
	if err == nil {
		return decodeKey(path, strings.TrimSpace(string(b)))
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read %s: %w", s.file, err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	// O_EXCL: two processes starting at once must not overwrite each other's key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return c.secret(getenv, s)
	}
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", s.file, err)
	}
	defer f.Close()
	if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
		return nil, err
	}
	return key, nil
}

func decodeKey(name, v string) ([]byte, error) {
	b, err := hex.DecodeString(v)
	if err != nil || len(b) != 32 {
		return nil, fmt.Errorf("%s must be 64 hex characters (32 bytes)", name)
	}
	return b, nil
}

// SQLite reports whether the embedded database is used.
func (c *Config) SQLite() bool {
	return c.DatabaseURL == "" || strings.HasPrefix(c.DatabaseURL, "sqlite:")
}

// SQLitePath is the database file used when DatabaseURL is empty.
func (c *Config) SQLitePath() string {
	if p, ok := strings.CutPrefix(c.DatabaseURL, "sqlite:"); ok && p != "" {
		return p
	}
	return filepath.Join(c.DataDir, "bosang.db")
}

// PublicMetrics reports whether the public address serves /metrics: only in
// development, and only when no separate metrics address is set.
func (c *Config) PublicMetrics() bool {
	return c.MetricsAddr == "" && c.Env == Development
}

// SecureCookies reports whether cookies must carry the Secure flag: everywhere
// except plain-HTTP localhost development.
func (c *Config) SecureCookies() bool {
	u, err := url.Parse(c.BaseURL)
	if err != nil {
		return true
	}
	if u.Scheme == "https" {
		return true
	}
	h := u.Hostname()
	return !(h == "localhost" || h == "127.0.0.1" || h == "::1")
}

// Redacted describes the configuration without secrets, for the start-up log.
func (c *Config) Redacted() map[string]string {
	db := "sqlite:" + c.SQLitePath()
	if !c.SQLite() {
		db = "postgres (" + redactURL(c.DatabaseURL) + ")"
	}
	smtpConfigured := "no"
	if c.SMTPURL != "" {
		smtpConfigured = "yes"
	}
	free := NoticeExempt
	if c.FreeServiceOwesCompensationNotice {
		free = NoticeOwed
	}
	rateLimit := "off"
	if c.RatePerSecond > 0 {
		rateLimit = fmt.Sprintf("%g/s burst %d, %d clients", c.RatePerSecond, c.RateBurst, c.RateClients)
	}
	metrics := c.MetricsAddr
	switch {
	case metrics == "" && c.PublicMetrics():
		metrics = "public address"
	case metrics == "":
		metrics = "off"
	}
	m := map[string]string{"addr": c.Addr, "database": db, "data_dir": c.DataDir, "env": c.Env, "base_url": c.BaseURL, "smtp": smtpConfigured,
		"free_service_compensation_notice": free, "rate_limit": rateLimit, "metrics": metrics,
		"audit_checkpoint_file": c.AuditCheckpointFile, "audit_checkpoint_interval": c.AuditCheckpointInterval.String(),
		"evidence_store": c.evidenceStore(),
		"jobs": fmt.Sprintf("workers messages %d, review %d, batch %d; %d attempts; lane backlog %d; outbox kept %s",
			c.JobWorkersMessages, c.JobWorkersReview, c.JobWorkersBatch, c.JobMaxAttempts, c.JobLaneBacklog, c.OutboxRetention)}
	c.redactedEdge(m)
	m["sms"] = c.SMS.String()
	return m
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "unparsable"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	return u.Redacted()
}

func portOf(addr string) string {
	if i := strings.LastIndex(addr, ":"); i >= 0 {
		return addr[i:]
	}
	return ""
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
