package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// runOptions say what to drive and how hard.
type runOptions struct {
	Target      string        // the portal, e.g. http://127.0.0.1:8080
	DSN         string        // the portal's PostgreSQL, for setup and the baseline
	Scenarios   []string      // submit, public, status, mix
	Concurrency int           // closed loop: connections and workers
	Rate        int           // open loop when > 0: requests per second
	Duration    time.Duration // per scenario and side
}

// fixture is what the scenarios need from the prepared database.
type fixture struct {
	tokens    []string   // one per claimant
	claimants []string   // ids, same order
	outages   []string   // prepared outages (public pages)
	fresh     []string   // fresh outages for new claims
	claims    [][]string // per claimant, existing claim ids (status pages)
	next      atomic.Int64
}

var fileCategories = []string{"free_user", "paid_subscriber", "driver", "partner_business"}

func runLoad(ctx context.Context, o runOptions, out io.Writer) error {
	pool, err := pgxpool.New(ctx, o.DSN)
	if err != nil {
		return err
	}
	defer pool.Close()
	fx, err := loadFixture(ctx, pool, o.Target)
	if err != nil {
		return err
	}
	base, stop, err := startBaseline(ctx, pool)
	if err != nil {
		return err
	}
	defer stop()
	if len(o.Scenarios) == 1 && o.Scenarios[0] == "overload" {
		return overload(ctx, o, fx, out)
	}
	fmt.Fprintf(out, "| scenario | side | requests | throughput (req/s) | p50 ms | p95 ms | p99 ms | max ms | errors | ratio |\n|---|---|---|---|---|---|---|---|---|---|\n")
	for _, name := range o.Scenarios {
		bt, pt, err := scenario(name, fx, base, o.Target)
		if err != nil {
			return err
		}
		b := attack(ctx, o, bt)
		p := attack(ctx, o, pt)
		row(out, name, "baseline", b, "1.00")
		row(out, name, "bosang", p, fmt.Sprintf("%.2f", p.Throughput/max(b.Throughput, 0.001)))
	}
	return nil
}

func row(out io.Writer, name, side string, m *vegeta.Metrics, ratio string) {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }
	errs := []string{}
	for code, n := range m.StatusCodes {
		if !strings.HasPrefix(code, "2") {
			errs = append(errs, fmt.Sprintf("%s×%d", code, n))
		}
	}
	e := "0"
	if len(errs) > 0 {
		e = strings.Join(errs, " ")
	}
	fmt.Fprintf(out, "| %s | %s | %d | %.0f | %s | %s | %s | %s | %s | %s |\n", name, side, m.Requests, m.Throughput,
		ms(m.Latencies.P50), ms(m.Latencies.P95), ms(m.Latencies.P99), ms(m.Latencies.Max), e, ratio)
}

// attack runs one side of a scenario: closed loop at Concurrency, or open
// loop at Rate when it is set.
func attack(ctx context.Context, o runOptions, t vegeta.Targeter) *vegeta.Metrics {
	rate := vegeta.Rate{Freq: 0}
	opts := []func(*vegeta.Attacker){vegeta.Connections(o.Concurrency), vegeta.MaxConnections(o.Concurrency), vegeta.KeepAlive(true), vegeta.Timeout(10 * time.Second)}
	if o.Rate > 0 {
		rate = vegeta.Rate{Freq: o.Rate, Per: time.Second}
		opts = append(opts, vegeta.Workers(uint64(o.Concurrency)), vegeta.MaxWorkers(uint64(10*o.Concurrency)))
	} else {
		opts = append(opts, vegeta.Workers(uint64(o.Concurrency)), vegeta.MaxWorkers(uint64(o.Concurrency)))
	}
	a := vegeta.NewAttacker(opts...)
	var m vegeta.Metrics
	for res := range a.Attack(t, rate, o.Duration, "load") {
		m.Add(res)
		if ctx.Err() != nil {
			a.Stop()
		}
	}
	m.Close()
	return &m
}

// scenario returns the baseline's and Bosang's targeters for name.
func scenario(name string, fx *fixture, base *baseline, target string) (vegeta.Targeter, vegeta.Targeter, error) {
	switch name {
	case "submit":
		return baselineInsert(fx, base), submitClaim(fx, target), nil
	case "public":
		return baselineGet(base), publicOutage(fx, target), nil
	case "status":
		return baselineGet(base), claimStatus(fx, target), nil
	case "mix":
		return mix(baselineInsert(fx, base), baselineGet(base), baselineGet(base)),
			mix(submitClaim(fx, target), publicOutage(fx, target), claimStatus(fx, target)), nil
	}
	return nil, nil, fmt.Errorf("unknown scenario %q (submit, public, status, mix)", name)
}

// mix sends 10% writes, 60% public pages and 30% claimant pages.
func mix(write, public, status vegeta.Targeter) vegeta.Targeter {
	return func(t *vegeta.Target) error {
		switch r := rand.IntN(10); {
		case r == 0:
			return write(t)
		case r < 7:
			return public(t)
		default:
			return status(t)
		}
	}
}

func claimBody(outageID, category string) []byte {
	b, _ := json.Marshal(map[string]any{"outage_id": outageID, "category": category, "monetary": true,
		"description": "부하 시험 청구", "claimed_amount_krw": 0, "details": map[string]any{"monthly_fee_krw": 39000},
		"payout_account": map[string]string{"bank": "004", "number": "110-123-456789", "holder": "부하"}})
	return b
}

// submitClaim files a new claim each time, from a rotating claimant, for an
// outage and category that claimant has not claimed yet.
func submitClaim(fx *fixture, target string) vegeta.Targeter {
	return func(t *vegeta.Target) error {
		i := int(fx.next.Add(1) - 1)
		c := i % len(fx.tokens)
		combo := i / len(fx.tokens)
		o := combo / len(fileCategories)
		if o >= len(fx.fresh) {
			return fmt.Errorf("out of fresh outages after %d claims", i)
		}
		t.Method, t.URL = http.MethodPost, target+"/api/v1/claims"
		t.Body = claimBody(fx.fresh[o], fileCategories[combo%len(fileCategories)])
		t.Header = http.Header{"Authorization": {"Bearer " + fx.tokens[c]}, "Content-Type": {"application/json"}, "Idempotency-Key": {uuid.NewString()}}
		return nil
	}
}

func publicOutage(fx *fixture, target string) vegeta.Targeter {
	return func(t *vegeta.Target) error {
		t.Method, t.URL = http.MethodGet, target+"/api/v1/outages/"+fx.outages[rand.IntN(len(fx.outages))]
		t.Header = http.Header{}
		return nil
	}
}

func claimStatus(fx *fixture, target string) vegeta.Targeter {
	return func(t *vegeta.Target) error {
		c := rand.IntN(len(fx.tokens))
		ids := fx.claims[c]
		t.Method, t.URL = http.MethodGet, target+"/api/v1/claims/"+ids[rand.IntN(len(ids))]
		t.Header = http.Header{"Authorization": {"Bearer " + fx.tokens[c]}}
		return nil
	}
}

// loadFixture finds the claimants, outages and claims that prepare made, logs
// every claimant in and creates fresh outages for new claims.
func loadFixture(ctx context.Context, pool *pgxpool.Pool, target string) (*fixture, error) {
	fx := &fixture{}
	rows, err := pool.Query(ctx, `SELECT id, email FROM users WHERE email LIKE 'load-%' ORDER BY created_at DESC, email LIMIT 200`)
	if err != nil {
		return nil, err
	}
	var emails []string
	for rows.Next() {
		var id, email string
		if err := rows.Scan(&id, &email); err != nil {
			return nil, err
		}
		fx.claimants, emails = append(fx.claimants, id), append(emails, email)
	}
	if len(emails) == 0 {
		return nil, fmt.Errorf("no load claimants: run bosang-load prepare first")
	}
	for _, email := range emails {
		tok, err := login(ctx, target, email)
		if err != nil {
			return nil, err
		}
		fx.tokens = append(fx.tokens, tok)
	}
	for _, id := range fx.claimants {
		var ids []string
		r, err := pool.Query(ctx, `SELECT id FROM claims WHERE claimant_id = $1 LIMIT 50`, id)
		if err != nil {
			return nil, err
		}
		ids, err = pgx.CollectRows(r, pgx.RowTo[string])
		if err != nil || len(ids) == 0 {
			return nil, fmt.Errorf("claimant %s has no claims to read (prepare with --claims > 0): %v", id, err)
		}
		fx.claims = append(fx.claims, ids)
	}
	r, err := pool.Query(ctx, `SELECT o.id FROM outages o JOIN services s ON s.id = o.service_id WHERE s.code LIKE 'load-%' LIMIT 500`)
	if err != nil {
		return nil, err
	}
	if fx.outages, err = pgx.CollectRows(r, pgx.RowTo[string]); err != nil || len(fx.outages) == 0 {
		return nil, fmt.Errorf("no load outages: %v", err)
	}
	fx.fresh, err = freshOutages(ctx, pool, fx.claimants[0], 2000)
	return fx, err
}

// freshOutages copies n new outages of the load service, ended two days ago.
func freshOutages(ctx context.Context, pool *pgxpool.Pool, creator string, n int) ([]string, error) {
	var service, feature string
	err := pool.QueryRow(ctx, `SELECT s.id, f.id FROM services s JOIN service_features f ON f.service_id = s.id WHERE s.code LIKE 'load-%' LIMIT 1`).Scan(&service, &feature)
	if err != nil {
		return nil, fmt.Errorf("load service: %w", err)
	}
	now := time.Now().UTC()
	end := now.Add(-48 * time.Hour)
	ids := make([]string, n)
	outRows, featRows := make([][]any, n), make([][]any, n)
	for i := range ids {
		ids[i] = newID()
		outRows[i] = []any{ids[i], service, "overload", false, "부하 시험(신규 청구)", "[]", end.Add(-6 * time.Hour), end, 1, creator, now, now}
		featRows[i] = []any{ids[i], feature}
	}
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{"outages"}, []string{"id", "service_id", "cause", "critical_facility", "summary", "regions", "started_at", "ended_at", "version", "created_by", "created_at", "updated_at"}, pgx.CopyFromRows(outRows)); err != nil {
		return nil, err
	}
	_, err = pool.CopyFrom(ctx, pgx.Identifier{"outage_features"}, []string{"outage_id", "feature_id"}, pgx.CopyFromRows(featRows))
	return ids, err
}

func login(ctx context.Context, target, email string) (string, error) {
	body := strings.NewReader(fmt.Sprintf(`{"email":%q,"password":%q}`, email, LoadPassword))
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, target+"/api/v1/auth/login", body)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var p struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil || p.AccessToken == "" {
		return "", fmt.Errorf("login %s: status %d", email, resp.StatusCode)
	}
	return p.AccessToken, nil
}

// overload measures Bosang's claim-filing capacity closed loop, then offers
// twice that rate open loop, and reports what was admitted (2xx) separately
// from what was shed (503/429 with Retry-After) and from anything else.
func overload(ctx context.Context, o runOptions, fx *fixture, out io.Writer) error {
	closed := o
	closed.Rate = 0
	capacity := attack(ctx, closed, submitClaim(fx, o.Target)).Throughput
	rate := int(2 * capacity)
	if rate < 1 {
		return fmt.Errorf("no capacity measured")
	}
	a := vegeta.NewAttacker(vegeta.Connections(10*o.Concurrency), vegeta.MaxConnections(10*o.Concurrency), vegeta.KeepAlive(true),
		vegeta.Workers(uint64(o.Concurrency)), vegeta.MaxWorkers(uint64(20*o.Concurrency)), vegeta.Timeout(10*time.Second))
	var admitted, shed, other vegeta.Metrics
	withRetryAfter := 0
	for res := range a.Attack(submitClaim(fx, o.Target), vegeta.Rate{Freq: rate, Per: time.Second}, o.Duration, "overload") {
		switch {
		case res.Code >= 200 && res.Code < 300:
			admitted.Add(res)
		case res.Code == http.StatusServiceUnavailable || res.Code == http.StatusTooManyRequests:
			shed.Add(res)
			if res.Headers.Get("Retry-After") != "" {
				withRetryAfter++
			}
		default:
			other.Add(res)
		}
		if ctx.Err() != nil {
			a.Stop()
		}
	}
	admitted.Close()
	shed.Close()
	other.Close()
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }
	fmt.Fprintf(out, "\nOverload: capacity %.0f claims/s closed loop at %d connections; offered %d/s open loop for %s.\n\n", capacity, o.Concurrency, rate, o.Duration)
	fmt.Fprintf(out, "| outcome | requests | throughput (req/s) | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|---|\n")
	fmt.Fprintf(out, "| admitted (2xx) | %d | %.0f | %s | %s | %s |\n", admitted.Requests, admitted.Throughput, ms(admitted.Latencies.P50), ms(admitted.Latencies.P99), ms(admitted.Latencies.Max))
	fmt.Fprintf(out, "| shed (503/429) | %d | %.0f | %s | %s | %s |\n", shed.Requests, shed.Throughput, ms(shed.Latencies.P50), ms(shed.Latencies.P99), ms(shed.Latencies.Max))
	fmt.Fprintf(out, "| other | %d | | | | |\n\n", other.Requests)
	fmt.Fprintf(out, "Shed responses with Retry-After: %d of %d. Other statuses: %v\n", withRetryAfter, shed.Requests, other.StatusCodes)
	return nil
}
