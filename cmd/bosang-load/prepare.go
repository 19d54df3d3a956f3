package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/pii"
	"github.com/bosang/bosang/policy"
	"github.com/bosang/bosang/store"
)

// prepareOptions are prepare's flags beyond --claims.
type prepareOptions struct {
	// Monetary gives every claim a payout account sealed with the portal's
	// key and the evidence its category's rule requires, so that
	// adjudication approves them and a payout batch can take them.
	Monetary bool
	// DataDir is the portal's data directory; its secrets/encryption.key
	// seals the accounts (BOSANG_ENCRYPTION_KEY, in hex, wins when set).
	DataDir string
}

// prepareFlags registers prepare's extra flags on fs.
func prepareFlags(fs *flag.FlagSet) *prepareOptions {
	o := &prepareOptions{}
	fs.BoolVar(&o.Monetary, "monetary", false, "monetary claims with sealed payout accounts and their required evidence (needs the portal's encryption key)")
	fs.StringVar(&o.DataDir, "data-dir", "./data", "the portal's data directory (secrets/encryption.key seals the accounts)")
	return o
}

// loadSealer reads the portal's encryption key the way config.Load does in
// development: BOSANG_ENCRYPTION_KEY, else DataDir/secrets/encryption.key.
func loadSealer(dataDir string) (*pii.Sealer, error) {
	v := strings.TrimSpace(os.Getenv("BOSANG_ENCRYPTION_KEY"))
	if v == "" {
		path := filepath.Join(dataDir, "secrets", "encryption.key")
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("--monetary needs the portal's encryption key: %w (start the portal once with BOSANG_DATA_DIR=%s)", err, dataDir)
		}
		v = strings.TrimSpace(string(b))
	}
	key, err := hex.DecodeString(v)
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("the encryption key must be 64 hex characters")
	}
	return pii.NewSealer(key)
}

// LoadPassword is the password of every claimant prepare creates.
const LoadPassword = "load-test-password-1"

var categories = []string{"free_user", "paid_subscriber", "merchant", "driver", "partner_business"}

// prepare bulk-loads claimants, outages and n claims with their estimates
// through COPY. Claims are spread so that (claimant, outage, category) stays
// unique: claimants × outages × 5 categories.
func prepare(ctx context.Context, dsn string, n int, opt *prepareOptions, out io.Writer) error {
	if !strings.HasPrefix(dsn, "postgres") {
		return fmt.Errorf("BOSANG_DATABASE_URL must be a postgres:// URL")
	}
	if opt == nil {
		opt = &prepareOptions{}
	}
	var sealer *pii.Sealer
	if opt.Monetary {
		var err error
		if sealer, err = loadSealer(opt.DataDir); err != nil {
			return err
		}
	}
	db, err := store.Open(ctx, dsn, store.WithClock(time.Now))
	if err != nil {
		return err
	}
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	db.Close()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	start := time.Now()
	claimants := max(1, n/1000)
	outages := (n + claimants*len(categories) - 1) / (claimants * len(categories))
	hash, err := auth.HashPassword(LoadPassword)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	run := uuid.NewString()[:8]
	users := make([]string, claimants)
	rows := make([][]any, claimants)
	for i := range users {
		users[i] = newID()
		rows[i] = []any{users[i], fmt.Sprintf("load-%s-%d@example.com", run, i), hash, fmt.Sprintf("부하%d", i),
			fmt.Sprintf("010-%04d-%04d", i/10000, i%10000), "claimant", 0, now, now}
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"users"}, []string{"id", "email", "password_hash", "name", "phone", "role", "token_version", "created_at", "updated_at"}, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("copy users: %w", err)
	}
	outageIDs, err := prepareOutages(ctx, conn, users[0], outages, run, now)
	if err != nil {
		return err
	}
	if err := ensurePolicy(ctx, conn, now); err != nil {
		return err
	}
	if err := copyClaims(ctx, dsn, users, outageIDs, n, run, now, sealer); err != nil {
		return err
	}
	// Fresh statistics: without them the planner plans the next queries as
	// if the tables were empty (autovacuum catches up only later).
	if _, err := conn.Exec(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	fmt.Fprintf(out, "prepared %d claimants (password %q), %d outages, %d claims in %s\n", claimants, LoadPassword, outages, n, time.Since(start).Round(time.Millisecond))
	return nil
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func prepareOutages(ctx context.Context, conn *pgx.Conn, creator string, n int, run string, now time.Time) ([]string, error) {
	provider, service, feature := newID(), newID(), newID()
	stmts := []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO providers (id, name, kind, prior_year_revenue_krw, avg_daily_users, contact, created_at) VALUES ($1, $2, 'value_added', 50000000000, 5000000, '', $3)`, []any{provider, "부하 " + run, now}},
		{`INSERT INTO services (id, code, name, name_en, provider_id, paid, created_at) VALUES ($1, $2, '부하 서비스', 'Load service', $3, true, $4)`, []any{service, "load-" + run, provider, now}},
		{`INSERT INTO service_features (id, service_id, code, name, name_en) VALUES ($1, $2, 'main', '주 기능', 'Main')`, []any{feature, service}},
	}
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s.sql, s.args...); err != nil {
			return nil, err
		}
	}
	ids := make([]string, n)
	outRows := make([][]any, n)
	featRows := make([][]any, n)
	end := now.Add(-48 * time.Hour)
	for i := range ids {
		ids[i] = newID()
		start := end.Add(-time.Duration(5+i%20) * time.Hour)
		outRows[i] = []any{ids[i], service, "overload", false, "부하 시험", "[]", start, end, 1, creator, now, now}
		featRows[i] = []any{ids[i], feature}
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"outages"}, []string{"id", "service_id", "cause", "critical_facility", "summary", "regions", "started_at", "ended_at", "version", "created_by", "created_at", "updated_at"}, pgx.CopyFromRows(outRows)); err != nil {
		return nil, fmt.Errorf("copy outages: %w", err)
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"outage_features"}, []string{"outage_id", "feature_id"}, pgx.CopyFromRows(featRows)); err != nil {
		return nil, fmt.Errorf("copy outage features: %w", err)
	}
	return ids, nil
}

// ensurePolicy makes sure policy version 1 exists (the portal publishes the
// default at its first start; a fresh database may not have it yet).
func ensurePolicy(ctx context.Context, conn *pgx.Conn, now time.Time) error {
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM policies`).Scan(&n); err != nil || n > 0 {
		return err
	}
	return fmt.Errorf("no policy yet: start the portal once against this database (it publishes the default policy) and run prepare again")
}

// loadEvidence is the evidence a monetary load claim carries: what its
// category's rule in the default policy requires, the account excepted (the
// sealed payout account stands for it).
var loadEvidence = func() map[string][]string {
	m := map[string][]string{}
	for cat, rule := range policy.Default().Categories {
		for _, k := range rule.Evidence {
			if k != policy.EvidenceAccount {
				m[string(cat)] = append(m[string(cat)], k)
			}
		}
	}
	return m
}()

// copyWriters is how many connections COPY the claims at once. One
// PostgreSQL backend COPYing into claims (8 indexes), estimates and
// evidence was the limit (the loader itself sat at 7-13 % of a core), so
// chunks are generated while earlier ones are copied, on two connections.
const copyWriters = 2

// claimChunk is the rows of up to copyChunk claims, with their estimates
// and evidence.
type claimChunk struct {
	claims, estimates, evidence [][]any
}

const copyChunk = 50_000

func copyClaims(ctx context.Context, dsn string, users, outages []string, n int, run string, now time.Time, sealer *pii.Sealer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan claimChunk)
	errs := make(chan error, copyWriters+1)
	conns := make([]*pgx.Conn, 0, copyWriters)
	for range copyWriters {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			for _, c := range conns {
				c.Close(context.Background())
			}
			return err
		}
		conns = append(conns, conn)
	}
	var wg sync.WaitGroup
	for _, conn := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conn.Close(context.Background())
			for c := range chunks {
				if err := copyChunkRows(ctx, conn, c); err != nil {
					errs <- err
					cancel()
					for range chunks { // let the generator finish
					}
					return
				}
			}
		}()
	}
	err := genClaims(ctx, users, outages, n, run, now, sealer, chunks)
	close(chunks)
	wg.Wait()
	close(errs)
	if e := <-errs; e != nil {
		return e
	}
	return err
}

// copyChunkRows COPYs a chunk: the claims first, for the foreign keys of
// the rest.
func copyChunkRows(ctx context.Context, conn *pgx.Conn, c claimChunk) error {
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"claims"}, []string{"id", "number", "claimant_id", "outage_id", "category", "monetary", "description",
		"claimed_amount_krw", "details", "payout_bank", "payout_holder", "payout_number_sealed", "payout_key_id", "payout_number_masked", "status",
		"estimate_amount_krw", "policy_version", "version", "created_at", "updated_at", "flags", "payout_fingerprint", "client_ip", "evidence_count"}, pgx.CopyFromRows(c.claims)); err != nil {
		return fmt.Errorf("copy claims: %w", err)
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"claim_estimates"}, []string{"id", "claim_id", "policy_version", "amount_krw", "steps", "auto", "review_required", "created_at"}, pgx.CopyFromRows(c.estimates)); err != nil {
		return fmt.Errorf("copy estimates: %w", err)
	}
	if len(c.evidence) > 0 {
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{"evidence"}, []string{"id", "claim_id", "kind", "sha256", "size", "content_type", "storage_key", "original_name", "created_at"}, pgx.CopyFromRows(c.evidence)); err != nil {
			return fmt.Errorf("copy evidence: %w", err)
		}
	}
	return nil
}

// genClaims generates the n claims in chunks of copyChunk onto out.
func genClaims(ctx context.Context, users, outages []string, n int, run string, now time.Time, sealer *pii.Sealer, out chan<- claimChunk) error {
	var c claimChunk
	accounts := map[string]string{} // claimant -> account number
	send := func() error {
		if len(c.claims) == 0 {
			return nil
		}
		select {
		case out <- c:
			c = claimChunk{}
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	i := 0
	for _, o := range outages {
		for _, u := range users {
			for _, cat := range categories {
				if i == n {
					return send()
				}
				id := newID()
				created := now.Add(-time.Duration(n-i) * time.Millisecond)
				amount := int64(0)
				if cat != "free_user" {
					amount = int64(7_550 + i%50_000)
				}
				row := []any{id, fmt.Sprintf("BS-L%s-%07d", run, i), u, o, cat, false, "부하 시험 청구", int64(0), "{}", "", "", "", "", "",
					"submitted", amount, 1, 1, created, created, "[]", "", "", 0}
				if sealer != nil {
					number, ok := accounts[u]
					if !ok {
						number = fmt.Sprintf("110-%03d-%06d", len(accounts)/1_000_000, len(accounts)%1_000_000)
						accounts[u] = number
					}
					bank := claims.Banks[len(number)%len(claims.Banks)].Code
					sealed, keyID := sealer.Seal(number, id)
					row[5], row[7] = true, amount
					row[9], row[10], row[11], row[12], row[13] = bank, fmt.Sprintf("부하%d", len(accounts)), sealed, keyID, pii.MaskAccount(number)
					row[21], row[23] = sealer.Fingerprint(number), len(loadEvidence[cat])
					for _, kind := range loadEvidence[cat] {
						eid := newID()
						sum := sha256.Sum256([]byte(eid))
						c.evidence = append(c.evidence, []any{eid, id, kind, hex.EncodeToString(sum[:]), int64(2048), "application/pdf", "load/" + eid, kind + ".pdf", created})
					}
				}
				c.claims = append(c.claims, row)
				c.estimates = append(c.estimates, []any{newID(), id, 1, amount, "[]", true, cat == "merchant" && amount > 500_000, created})
				i++
				if len(c.claims) == copyChunk {
					if err := send(); err != nil {
						return err
					}
				}
			}
		}
	}
	return send()
}
