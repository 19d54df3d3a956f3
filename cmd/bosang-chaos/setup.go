package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os/exec"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/bosang/bosang/auth"
)

// chaosPassword is the password of every claimant the run creates.
const chaosPassword = "chaos-test-password-1"

// claimant is one seeded account; token is filled by login.
type claimant struct {
	ID, Email, Token string
}

// fixture is what setup created in the fresh database.
type fixture struct {
	DSN       string // the fresh database
	DBName    string
	Claimants []claimant
	Outages   []string
	loggedIn  time.Time
}

// ensureLogin logs every claimant in unless their access tokens (15 min)
// are younger than 10 minutes.
func (fx *fixture) ensureLogin(ctx context.Context, base string, logf func(string, ...any)) error {
	if time.Since(fx.loggedIn) < 10*time.Minute {
		return nil
	}
	t := time.Now()
	if err := login(ctx, base, fx.Claimants); err != nil {
		return err
	}
	fx.loggedIn = t
	logf("logged %d claimants in (%s)", len(fx.Claimants), time.Since(t).Round(time.Millisecond))
	return nil
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// withDatabase returns dsn pointing at database name.
func withDatabase(dsn, name string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

// createDatabase creates bosang_chaos_<random> on the server of adminDSN.
func createDatabase(ctx context.Context, adminDSN string) (name, dsn string, err error) {
	name = "bosang_chaos_" + randomHex(4)
	conn, err := pgx.Connect(ctx, adminDSN)
	if err != nil {
		return "", "", fmt.Errorf("connect to %s: %w", redact(adminDSN), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", "", fmt.Errorf("create database %s: %w", name, err)
	}
	dsn, err = withDatabase(adminDSN, name)
	return name, dsn, err
}

func dropDatabase(ctx context.Context, adminDSN, name string) error {
	conn, err := pgx.Connect(ctx, adminDSN)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	return err
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// migrate runs `bosang migrate`, which applies the schema and publishes the
// default policy.
func migrate(ctx context.Context, bin string, env []string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "migrate")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("bosang migrate: %w\n%s", err, out)
	}
	return nil
}

// seed creates n claimants and outages of one paid load service, ended two
// days ago so their claims are open (the same shape bosang-load prepare uses).
func seed(ctx context.Context, dsn string, nClaimants, nOutages int) ([]claimant, []string, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, nil, err
	}
	defer conn.Close(ctx)
	var policies int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM policies`).Scan(&policies); err != nil {
		return nil, nil, err
	}
	if policies == 0 {
		return nil, nil, fmt.Errorf("no policy after bosang migrate")
	}
	hash, err := auth.HashPassword(chaosPassword)
	if err != nil {
		return nil, nil, err
	}
	now := time.Now().UTC()
	run := randomHex(4)
	cs := make([]claimant, nClaimants)
	rows := make([][]any, nClaimants)
	for i := range cs {
		cs[i] = claimant{ID: newID(), Email: fmt.Sprintf("chaos-%s-%d@example.com", run, i)}
		rows[i] = []any{cs[i].ID, cs[i].Email, hash, fmt.Sprintf("카오스%d", i), fmt.Sprintf("010-%04d-%04d", i/10000, i%10000), "claimant", 0, now, now}
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"users"}, []string{"id", "email", "password_hash", "name", "phone", "role", "token_version", "created_at", "updated_at"}, pgx.CopyFromRows(rows)); err != nil {
		return nil, nil, fmt.Errorf("copy users: %w", err)
	}
	provider, service, feature := newID(), newID(), newID()
	stmts := []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO providers (id, name, kind, prior_year_revenue_krw, avg_daily_users, contact, created_at) VALUES ($1, $2, 'value_added', 50000000000, 5000000, '', $3)`, []any{provider, "카오스 " + run, now}},
		{`INSERT INTO services (id, code, name, name_en, provider_id, paid, created_at) VALUES ($1, $2, '카오스 서비스', 'Chaos service', $3, true, $4)`, []any{service, "chaos-" + run, provider, now}},
		{`INSERT INTO service_features (id, service_id, code, name, name_en) VALUES ($1, $2, 'main', '주 기능', 'Main')`, []any{feature, service}},
	}
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s.sql, s.args...); err != nil {
			return nil, nil, err
		}
	}
	ids := make([]string, nOutages)
	outRows := make([][]any, nOutages)
	featRows := make([][]any, nOutages)
	end := now.Add(-48 * time.Hour)
	for i := range ids {
		ids[i] = newID()
		start := end.Add(-time.Duration(5+i%20) * time.Hour)
		outRows[i] = []any{ids[i], service, "overload", false, "카오스 시험", "[]", start, end, 1, cs[0].ID, now, now}
		featRows[i] = []any{ids[i], feature}
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"outages"}, []string{"id", "service_id", "cause", "critical_facility", "summary", "regions", "started_at", "ended_at", "version", "created_by", "created_at", "updated_at"}, pgx.CopyFromRows(outRows)); err != nil {
		return nil, nil, fmt.Errorf("copy outages: %w", err)
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"outage_features"}, []string{"outage_id", "feature_id"}, pgx.CopyFromRows(featRows)); err != nil {
		return nil, nil, fmt.Errorf("copy outage features: %w", err)
	}
	return cs, ids, nil
}

// pgCtl runs the one command this machine uses to stop or start PostgreSQL.
func pgCtl(ctx context.Context, action string) error {
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main "+action)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctlcluster %s: %w: %s", action, err, strings.TrimSpace(string(out)))
	}
	return nil
}
