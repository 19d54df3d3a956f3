package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config is one chaos run.
type Config struct {
	Bosang     string        // path of the built bosang binary
	AdminDSN   string        // a postgres:// URL on which to create the fresh database
	Kills      int           // SIGKILLs per kill phase
	Phases     []int         // which of 1, 2, 3 to run
	PGStop     bool          // run phase 3 (stops this machine's PostgreSQL)
	PGDown     time.Duration // how long PostgreSQL stays down in phase 3
	Clients    int           // concurrent client goroutines
	Claimants  int
	Outages    int
	Drain      time.Duration // after the load stops, how long keys may take to get an answer
	Keep       bool          // keep the database and work directory
	WorkDir    string        // logs and data dirs; a temp dir when empty
	MinGap     time.Duration // kill spacing, uniform in [MinGap, MaxGap]
	MaxGap     time.Duration
	HangLimit  time.Duration // a request during the database stop slower than this is a hang
	RecoverMax time.Duration // a claim must succeed within this after PostgreSQL returns
	// S3, when set, is the object store every instance keeps evidence in;
	// phase 2 then also uploads evidence through one instance while they
	// are killed and downloads each acknowledged file through the other.
	S3 S3
}

// DefaultConfig is the full `make chaos` run.
func DefaultConfig() Config {
	return Config{Kills: 20, Phases: []int{1, 2, 3}, PGStop: true, PGDown: 10 * time.Second, Clients: 16, Claimants: 32, Outages: 4000,
		Drain: 150 * time.Second, MinGap: 300 * time.Millisecond, MaxGap: 1500 * time.Millisecond, HangLimit: 5 * time.Second, RecoverMax: 5 * time.Second,
		AdminDSN: "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"}
}

// PhaseResult is what one phase measured and reconciled.
type PhaseResult struct {
	Name                          string
	Duration                      time.Duration
	Kills                         int
	RestartMax, RestartTotal      time.Duration // kill .. ready again
	P50, P99, Max                 time.Duration // fresh 2xx latency
	Sent, OK2xx, Replays, Retries int64
	Acked                         int
	ByStatus                      map[string]int
	Terminal, Unresolved          int
	Rec                           *reconciliation
	Messages                      *messageCheck
	Examples                      []string
	// Evidence is phase 2's shared-storage check, when S3 is set.
	Evidence *evidenceFigures
	// Phase 3 only.
	PG *pgFigures
	// Failures are the reasons this phase fails.
	Failures []string

	acked    map[string]ack
	terminal map[string]string
}

// evidenceFigures: uploads tried and acknowledged while instances were
// killed, and how many acknowledged files the other instance could not serve.
type evidenceFigures struct {
	Attempts, Acked, Failed, Checked, Lost int
	Examples                               []string
}

type pgFigures struct {
	DownFor             time.Duration // stop returned .. start invoked
	RequestsWhileDown   int
	SlowestWhileDown    time.Duration
	StatusesWhileDown   map[string]int
	Hangs               int // requests while down slower than HangLimit (or timed out)
	ReadyzWhileDown     map[string]int
	Recovery            time.Duration // start returned .. first 2xx
	RecoveryFromInvoke  time.Duration // start invoked .. first 2xx
	Recovered           bool
	ProbeRecovery       time.Duration // start returned .. the probe's first 2xx
	ReadyAgainAfter     time.Duration // start returned .. /readyz 200
	StuckKeysAfterStart int           // keys answered 409 in flight more than 5 s after start returned
}

// Report is the whole run.
type Report struct {
	DB     string
	Phases []*PhaseResult
}

// Failed reports whether any phase failed.
func (r *Report) Failed() bool {
	for _, p := range r.Phases {
		if len(p.Failures) > 0 {
			return true
		}
	}
	return false
}

// Run sets up a fresh database, runs the phases and reconciles after each.
func Run(ctx context.Context, cfg Config, out io.Writer) (rep *Report, err error) {
	rep = &Report{}
	logf := func(format string, args ...any) {
		fmt.Fprintf(out, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05.000")}, args...)...)
	}
	if cfg.WorkDir == "" {
		dir, err := os.MkdirTemp("", "bosang-chaos-")
		if err != nil {
			return rep, err
		}
		cfg.WorkDir = dir
		if !cfg.Keep {
			defer func() {
				if err == nil && !rep.Failed() {
					os.RemoveAll(dir)
				} else {
					logf("portal logs kept in %s", dir)
				}
			}()
		}
	}
	name, dsn, err := createDatabase(ctx, cfg.AdminDSN)
	if err != nil {
		return rep, err
	}
	rep.DB = name
	logf("created database %s; work dir %s", name, cfg.WorkDir)
	defer func() {
		if cfg.Keep {
			logf("kept database %s (-keep)", name)
			return
		}
		dctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if derr := dropDatabase(dctx, cfg.AdminDSN, name); derr != nil {
			logf("drop database %s: %v", name, derr)
		} else {
			logf("dropped database %s", name)
		}
	}()
	// Every instance gets the same keys, so tokens and sealed account
	// numbers work on all of them; data directories are their own. The
	// load comes from one loopback address, so the per-client rate limit
	// is off.
	baseEnv := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "BOSANG_DATABASE_URL=" + dsn,
		"BOSANG_JWT_KEY=" + randomHex(32), "BOSANG_CSRF_KEY=" + randomHex(32), "BOSANG_ENCRYPTION_KEY=" + randomHex(32),
		"BOSANG_AUDIT_KEY=" + randomHex(32), "BOSANG_RATE_LIMIT=0"}
	if cfg.S3.Endpoint != "" {
		if cfg.S3.Bucket == "" {
			cfg.S3.Bucket = "bosang-chaos-" + randomHex(4)
		}
		baseEnv = append(baseEnv, cfg.S3.env()...)
		logf("evidence in S3 at %s, bucket %s", cfg.S3.Endpoint, cfg.S3.Bucket)
	}
	if err := migrate(ctx, cfg.Bosang, append(baseEnv, "BOSANG_DATA_DIR="+cfg.WorkDir+"/migrate-data")); err != nil {
		return rep, err
	}
	cs, outages, err := seed(ctx, dsn, cfg.Claimants, cfg.Outages)
	if err != nil {
		return rep, err
	}
	fx := &fixture{DSN: dsn, DBName: name, Claimants: cs, Outages: outages}
	logf("seeded %d claimants and %d outages (room for %d distinct claims)", len(cs), len(outages), len(cs)*len(outages))
	sl := &slots{claimants: len(cs), outages: outages}
	all := map[string]ack{}
	twiceBefore := 0 // messages sent more than once before the current phase
	a, err := newInstance("a", cfg.Bosang, cfg.WorkDir, baseEnv)
	if err != nil {
		return rep, err
	}
	b, err := newInstance("b", cfg.Bosang, cfg.WorkDir, baseEnv)
	if err != nil {
		return rep, err
	}
	defer a.kill()
	defer b.kill()
	for _, ph := range cfg.Phases {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		var res *PhaseResult
		switch ph {
		case 1:
			res, err = killPhase(ctx, cfg, fx, sl, []*instance{a}, "1: one instance, SIGKILL", logf)
		case 2:
			res, err = killPhase(ctx, cfg, fx, sl, []*instance{a, b}, "2: two instances, one SIGKILLed", logf)
		case 3:
			if !cfg.PGStop {
				logf("phase 3 (PostgreSQL stopped for %s) SKIPPED: -pg-stop=false", cfg.PGDown)
				continue
			}
			res, err = pgStopPhase(ctx, cfg, fx, sl, a, logf)
		default:
			return rep, fmt.Errorf("unknown phase %d", ph)
		}
		if err != nil {
			return rep, fmt.Errorf("phase %d: %w", ph, err)
		}
		if err := finishPhase(ctx, fx, res, all, []string{a.logPath, b.logPath}, twiceBefore, logf); err != nil {
			return rep, fmt.Errorf("phase %d reconciliation: %w", ph, err)
		}
		twiceBefore = res.Messages.SentTwice
		rep.Phases = append(rep.Phases, res)
		printPhase(out, res)
	}
	return rep, nil
}

// driver runs the clients of a phase and collects them at the end.
type driver struct {
	l       *load
	stop    chan struct{}
	drainBy atomic.Pointer[time.Time]
	wg      sync.WaitGroup
	started time.Time
}

func startLoad(cfg Config, fx *fixture, sl *slots, instances []*instance) *driver {
	d := &driver{l: newLoad(fx, sl, instances), stop: make(chan struct{}), started: time.Now()}
	for i := range cfg.Clients {
		d.wg.Add(1)
		go func() { defer d.wg.Done(); d.l.run(i, d.stop, &d.drainBy) }()
	}
	return d
}

// finish stops new claims and waits until every key has its answer (or the
// drain time is over).
func (d *driver) finish(cfg Config, logf func(string, ...any)) {
	by := time.Now().Add(cfg.Drain)
	d.drainBy.Store(&by)
	close(d.stop)
	t := time.Now()
	d.wg.Wait()
	logf("load stopped; in-flight keys settled in %s", time.Since(t).Round(time.Millisecond))
}

func (d *driver) result(name string, kills int) *PhaseResult {
	l := d.l
	l.mu.Lock()
	defer l.mu.Unlock()
	r := &PhaseResult{Name: name, Duration: time.Since(d.started), Kills: kills, Sent: l.sent.Load(), OK2xx: l.ok2xx.Load(), Replays: l.replays.Load(),
		Retries: l.retries.Load(), Acked: len(l.acked), ByStatus: l.byStatus, Terminal: len(l.terminal), Unresolved: len(l.unresolved), Examples: l.examples,
		acked: l.acked, terminal: l.terminal}
	if lat := slices.Sorted(slices.Values(l.okLatency)); len(lat) > 0 {
		r.P50, r.P99, r.Max = lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1]
	}
	if l.exhausted {
		r.Examples = append(r.Examples, "note: ran out of distinct (claimant, outage) slots; raise -outages")
	}
	for k, last := range l.unresolved {
		r.Failures = append(r.Failures, fmt.Sprintf("key %s got no answer within the drain time (last: %s)", k, last))
		if len(r.Failures) > 10 {
			break
		}
	}
	return r
}

func killPhase(ctx context.Context, cfg Config, fx *fixture, sl *slots, insts []*instance, name string, logf func(string, ...any)) (*PhaseResult, error) {
	logf("phase %s: starting %d instance(s)", name, len(insts))
	for _, in := range insts {
		if err := in.start(ctx); err != nil {
			return nil, err
		}
	}
	if err := fx.ensureLogin(ctx, insts[0].baseURL(), logf); err != nil {
		return nil, err
	}
	d := startLoad(cfg, fx, sl, insts)
	var up *uploader
	if cfg.S3.Endpoint != "" && len(insts) > 1 {
		up = startUploader(d.l)
	}
	victim := insts[0]
	kills := 0
	var runErr error
	var restartMax, restartTotal time.Duration
	for kills < cfg.Kills && ctx.Err() == nil {
		gap := cfg.MinGap + rand.N(cfg.MaxGap-cfg.MinGap+1)
		select {
		case <-ctx.Done():
		case <-time.After(gap):
		}
		t := time.Now()
		victim.kill()
		kills++
		if err := victim.start(ctx); err != nil {
			runErr = err
			break
		}
		restartMax = max(restartMax, time.Since(t))
		restartTotal += time.Since(t)
	}
	// Let the last restart take some load before stopping.
	time.Sleep(time.Second)
	logf("phase %s: %d kills done; stopping load", name, kills)
	d.finish(cfg, logf)
	res := d.result(name, kills)
	res.RestartMax, res.RestartTotal = restartMax, restartTotal
	if up != nil {
		up.finish()
		res.Evidence = up.check(ctx)
		if res.Evidence.Lost > 0 {
			res.Failures = append(res.Failures, fmt.Sprintf("LOST: %d acknowledged evidence file(s) not served by the other instance", res.Evidence.Lost))
		}
		if res.Evidence.Acked == 0 {
			res.Failures = append(res.Failures, "no evidence upload was acknowledged: the shared-storage check did not run")
		}
		logf("phase %s: evidence %d acknowledged of %d tried, %d checked through the other instance, %d lost", name, res.Evidence.Acked, res.Evidence.Attempts, res.Evidence.Checked, res.Evidence.Lost)
	}
	for _, in := range insts {
		in.stop()
	}
	return res, runErr
}

func pgStopPhase(ctx context.Context, cfg Config, fx *fixture, sl *slots, a *instance, logf func(string, ...any)) (res *PhaseResult, err error) {
	name := fmt.Sprintf("3: PostgreSQL stopped for %s", cfg.PGDown)
	logf("phase %s: starting instance", name)
	if err := a.start(ctx); err != nil {
		return nil, err
	}
	defer a.stop()
	if err := fx.ensureLogin(ctx, a.baseURL(), logf); err != nil {
		return nil, err
	}
	var mu sync.Mutex
	var attempts []attempt
	obs := func(at attempt) { mu.Lock(); attempts = append(attempts, at); mu.Unlock() }
	d := startLoad(cfg, fx, sl, []*instance{a})
	d.l.observe.Store(&obs)
	time.Sleep(2 * time.Second)

	pg := &pgFigures{StatusesWhileDown: map[string]int{}, ReadyzWhileDown: map[string]int{}}
	stopInvoked := time.Now()
	logf("phase %s: stopping PostgreSQL", name)
	pgDown := true
	defer func() {
		if pgDown { // whatever happened, PostgreSQL comes back
			if serr := pgCtl(context.Background(), "start"); serr != nil {
				logf("RESTARTING PostgreSQL FAILED: %v -- start it by hand", serr)
			}
		}
	}()
	if err := pgCtl(ctx, "stop"); err != nil {
		return nil, err
	}
	stopReturned := time.Now()
	// Probe /readyz while the database is down.
	probeStop := make(chan struct{})
	var probeWG sync.WaitGroup
	probeWG.Add(1)
	go func() {
		defer probeWG.Done()
		c := &http.Client{Timeout: cfg.HangLimit}
		for {
			select {
			case <-probeStop:
				return
			case <-time.After(200 * time.Millisecond):
			}
			resp, err := c.Get(a.baseURL() + "/readyz")
			label := "net"
			if err == nil {
				label = fmt.Sprint(resp.StatusCode)
				resp.Body.Close()
			}
			mu.Lock()
			pg.ReadyzWhileDown[label]++
			mu.Unlock()
		}
	}()
	select {
	case <-ctx.Done():
	case <-time.After(time.Until(stopReturned.Add(cfg.PGDown))):
	}
	close(probeStop)
	probeWG.Wait()
	startInvoked := time.Now()
	pg.DownFor = startInvoked.Sub(stopReturned)
	logf("phase %s: starting PostgreSQL after %s down", name, pg.DownFor.Round(time.Millisecond))
	if err := pgCtl(context.Background(), "start"); err != nil {
		return nil, err
	}
	pgDown = false
	startReturned := time.Now()
	// A probe files fresh claims every 100 ms until one succeeds, so the
	// recovery figure does not depend on the load clients' backoff. Each
	// probe key is retried until answered, like any client's.
	var probeOK atomic.Pointer[time.Time]
	probeDone := make(chan struct{})
	go func() {
		defer close(probeDone)
		for probeOK.Load() == nil && time.Now().Before(startReturned.Add(60*time.Second)) {
			j, ok := d.l.newJob(0)
			if !ok {
				return
			}
			for range 600 {
				if res, _ := d.l.try(j); res == done {
					if j.lastSeen[0] == '2' {
						t := time.Now()
						probeOK.CompareAndSwap(nil, &t)
					}
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
	}()
	// Wait for the first successful claim and for /readyz.
	c := &http.Client{Timeout: 2 * time.Second}
	deadline := startReturned.Add(60 * time.Second)
	for time.Now().Before(deadline) && (!pg.Recovered || pg.ReadyAgainAfter == 0) {
		if pg.ReadyAgainAfter == 0 {
			if resp, err := c.Get(a.baseURL() + "/readyz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					pg.ReadyAgainAfter = time.Since(startReturned)
				}
			}
		}
		mu.Lock()
		for _, at := range attempts {
			if at.OK && at.End.After(startReturned) && (!pg.Recovered || at.End.Sub(startReturned) < pg.Recovery) {
				pg.Recovered, pg.Recovery, pg.RecoveryFromInvoke = true, at.End.Sub(startReturned), at.End.Sub(startInvoked)
			}
		}
		mu.Unlock()
		time.Sleep(50 * time.Millisecond)
	}
	<-probeDone
	if t := probeOK.Load(); t != nil {
		pg.ProbeRecovery = t.Sub(startReturned)
	}
	time.Sleep(2 * time.Second)
	logf("phase %s: stopping load", name)
	d.finish(cfg, logf)
	res = d.result(name, 0)
	mu.Lock()
	for _, at := range attempts {
		if at.Start.Before(stopInvoked) || !at.Start.Before(startInvoked) {
			if at.Label == "409" && at.End.After(startReturned.Add(5*time.Second)) {
				pg.StuckKeysAfterStart++
			}
			continue
		}
		pg.RequestsWhileDown++
		pg.StatusesWhileDown[at.Label]++
		lat := at.End.Sub(at.Start)
		pg.SlowestWhileDown = max(pg.SlowestWhileDown, lat)
		if lat >= cfg.HangLimit || at.Label == "timeout" {
			pg.Hangs++
		}
	}
	mu.Unlock()
	res.PG = pg
	if pg.Hangs > 0 {
		res.Failures = append(res.Failures, fmt.Sprintf("HANG: %d request(s) during the database stop took >= %s (slowest %s)", pg.Hangs, cfg.HangLimit, pg.SlowestWhileDown.Round(time.Millisecond)))
	}
	if pg.ReadyzWhileDown["200"] > 0 || pg.ReadyzWhileDown["503"] == 0 {
		res.Failures = append(res.Failures, fmt.Sprintf("/readyz while the database was down: %v, want only 503", pg.ReadyzWhileDown))
	}
	if !pg.Recovered || pg.Recovery > cfg.RecoverMax {
		res.Failures = append(res.Failures, fmt.Sprintf("no claim succeeded within %s of PostgreSQL returning (recovered=%v after %s)", cfg.RecoverMax, pg.Recovered, pg.Recovery.Round(time.Millisecond)))
	}
	return res, nil
}

func finishPhase(ctx context.Context, fx *fixture, res *PhaseResult, all map[string]ack, logs []string, twiceBefore int, logf func(string, ...any)) error {
	for k, a := range res.acked {
		all[k] = a
	}
	rec, err := reconcile(ctx, fx, res.acked, res.terminal, all)
	if err != nil {
		return err
	}
	res.Rec = rec
	if rec.Lost > 0 {
		res.Failures = append(res.Failures, fmt.Sprintf("LOST: %d acknowledged claim(s) missing or different", rec.Lost))
	}
	if rec.Duplicates > 0 {
		res.Failures = append(res.Failures, fmt.Sprintf("DUPLICATED: %d claim(s)", rec.Duplicates))
	}
	if rec.Orphans > 0 {
		res.Failures = append(res.Failures, fmt.Sprintf("%d claim(s) exist that no client was acknowledged for", rec.Orphans))
	}
	if rec.TerminalHit > 0 {
		res.Failures = append(res.Failures, fmt.Sprintf("%d key(s) answered with a final error yet stored a success", rec.TerminalHit))
	}
	if rec.Reconciled == 0 {
		res.Failures = append(res.Failures, "no claim was acknowledged in this phase: the load did not run")
	}
	// Messages (jobs on River): with processes killed but the database up,
	// no message may be sent twice during the phase (a job runs on one
	// instance; one killed mid-send waits out River's 30-minute rescue).
	// With the database stopped, a send whose delivered mark was lost is
	// sent again: at least once, reported, not failed.
	mc, err := checkMessages(ctx, fx, logs)
	if err != nil {
		return err
	}
	res.Messages = mc
	if mc.SentTwice > twiceBefore && res.PG == nil {
		res.Failures = append(res.Failures, fmt.Sprintf("DUPLICATE SENDS: %d message(s) sent more than once: %v", mc.SentTwice-twiceBefore, mc.Twice))
	}
	if mc.Dead > 0 {
		res.Failures = append(res.Failures, fmt.Sprintf("%d message(s) dead: their jobs used up their attempts", mc.Dead))
	}
	logf("reconciled phase %s: %d claims", res.Name, rec.Reconciled)
	return nil
}

func printPhase(out io.Writer, r *PhaseResult) {
	var b strings.Builder
	fmt.Fprintf(&b, "\n=== phase %s (%s) ===\n", r.Name, r.Duration.Round(time.Millisecond))
	fmt.Fprintf(&b, "  kills %d | requests sent %d | 2xx %d (replayed %d) | retries %d | keys acknowledged %d | final non-2xx keys %d | unanswered keys %d\n",
		r.Kills, r.Sent, r.OK2xx, r.Replays, r.Retries, r.Acked, r.Terminal, r.Unresolved)
	fmt.Fprintf(&b, "  responses by status: %s\n", fmtCounts(r.ByStatus))
	fmt.Fprintf(&b, "  fresh 201 latency: p50 %s, p99 %s, max %s\n", r.P50.Round(time.Millisecond), r.P99.Round(time.Millisecond), r.Max.Round(time.Millisecond))
	if r.Kills > 0 {
		fmt.Fprintf(&b, "  restart after SIGKILL until /readyz 200: mean %s, max %s\n", (r.RestartTotal / time.Duration(r.Kills)).Round(time.Millisecond), r.RestartMax.Round(time.Millisecond))
	}
	if rec := r.Rec; rec != nil {
		fmt.Fprintf(&b, "  reconciled claims %d | lost = %d | duplicates = %d | orphans = %d | claims in db %d / acknowledged in run %d\n",
			rec.Reconciled, rec.Lost, rec.Duplicates, rec.Orphans, rec.ClaimsInDB, rec.AckedSoFar)
		for _, p := range rec.Problems {
			fmt.Fprintf(&b, "    %s\n", p)
		}
	}
	if mc := r.Messages; mc != nil {
		fmt.Fprintf(&b, "  %s\n", mc)
		for _, tw := range mc.Twice {
			fmt.Fprintf(&b, "    %s\n", tw)
		}
	}
	if ev := r.Evidence; ev != nil {
		fmt.Fprintf(&b, "  evidence in shared S3: %d uploads tried, %d acknowledged, %d failed (instance killed) | downloaded through the other instance %d | lost = %d\n",
			ev.Attempts, ev.Acked, ev.Failed, ev.Checked, ev.Lost)
		for _, e := range ev.Examples {
			fmt.Fprintf(&b, "    %s\n", e)
		}
	}
	if pg := r.PG; pg != nil {
		fmt.Fprintf(&b, "  database down %s: %d requests, slowest %s, statuses %s, hangs (>= limit) %d\n",
			pg.DownFor.Round(time.Millisecond), pg.RequestsWhileDown, pg.SlowestWhileDown.Round(time.Millisecond), fmtCounts(pg.StatusesWhileDown), pg.Hangs)
		fmt.Fprintf(&b, "  /readyz while down: %s\n", fmtCounts(pg.ReadyzWhileDown))
		fmt.Fprintf(&b, "  recovery: first 2xx %s after `pg_ctlcluster start` returned (%s after it was invoked; probe filing every 100 ms: %s); /readyz 200 after %s\n",
			pg.Recovery.Round(time.Millisecond), pg.RecoveryFromInvoke.Round(time.Millisecond), pg.ProbeRecovery.Round(time.Millisecond), pg.ReadyAgainAfter.Round(time.Millisecond))
		if pg.StuckKeysAfterStart > 0 {
			fmt.Fprintf(&b, "  note: %d answers of 409 (key still in flight) more than 5 s after PostgreSQL returned\n", pg.StuckKeysAfterStart)
		}
		if n := pg.StatusesWhileDown["500"]; n > 0 {
			fmt.Fprintf(&b, "  WARNING: %d requests answered 500 while the database was down; API.md/issue 6 want 503 with Retry-After\n", n)
		}
	}
	for _, e := range r.Examples {
		fmt.Fprintf(&b, "    example: %s\n", e)
	}
	if len(r.Failures) == 0 {
		fmt.Fprintf(&b, "  PASS\n")
	}
	for _, f := range r.Failures {
		fmt.Fprintf(&b, "  FAIL: %s\n", f)
	}
	fmt.Fprint(out, b.String())
}

func fmtCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, m[k])
	}
	if len(parts) == 0 {
		return "(none)"
	}
	return strings.Join(parts, " ")
}
