package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/jobs"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/review"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// adjCase is one submitted claim of the adjudication table: approve says
// whether the batch run must approve it.
type adjCase struct {
	name     string
	category models.ClaimCategory
	monetary bool
	account  bool // has a payout account
	estimate int64
	auto     bool // the estimate's Auto
	review   bool // the estimate's ReviewRequired
	evidence []string
	sampled  bool
	approve  bool
	setup    func(t *testing.T, w *adjWorld, c *models.Claim, u *models.User)
}

type adjWorld struct {
	db     *store.DB
	now    time.Time
	outage string
	staff  string
	others int
	after  []func()
}

// sampledID draws UUIDv7 ids until one falls in (or out of) the 5% sample,
// with the rule of review.sampled.
func sampledID(want bool) string {
	for {
		id := uuid.Must(uuid.NewV7()).String()
		sum := sha256.Sum256([]byte(id))
		if (binary.BigEndian.Uint32(sum[:4])%10000 < 500) == want {
			return id
		}
	}
}

// TestAdjudicateBatchSameDecisionsOnBothDialects runs Adjudicate (the
// set-based path on PostgreSQL, the per-claim path on SQLite) over a table
// of claims, one per ineligibility reason, and expects exactly the eligible
// ones approved, each with its decision, event, outbox message and audit
// entry; a rerun decides nothing more.
func TestAdjudicateBatchSameDecisionsOnBothDialects(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newAdjWorld(t, db)
		cl := claims.NewService(db.Claims(), nil, nil, nil, claims.EvidenceLimits{}, fixedClock, uuid.NewString)
		if err := cl.EnsureDefaultPolicy(ctx); err != nil {
			t.Fatal(err)
		}
		cases := []adjCase{
			{name: "free user, no money", category: "free_user", auto: true, approve: true},
			{name: "paid subscriber with billing", category: "paid_subscriber", monetary: true, account: true, estimate: 9000, auto: true, evidence: []string{"billing"}, approve: true},
			{name: "merchant with everything", category: "merchant", monetary: true, account: true, estimate: 120000, auto: true, evidence: []string{"business_certificate", "sales_records"}, approve: true},
			{name: "sampled", category: "free_user", auto: true, sampled: true},
			{name: "rule not automatic (partner)", category: "partner_business", monetary: true, account: true, estimate: 5000, auto: true, evidence: []string{"logs"}},
			{name: "estimate not automatic", category: "free_user", auto: false},
			{name: "estimate needs review", category: "free_user", auto: true, review: true},
			{name: "evidence missing", category: "paid_subscriber", monetary: true, account: true, estimate: 9000, auto: true},
			{name: "money asked without an account", category: "merchant", monetary: true, estimate: 120000, auto: true, evidence: []string{"business_certificate", "sales_records"}},
			{name: "over the authority limit", category: "paid_subscriber", monetary: true, account: true, estimate: 600000, auto: true, evidence: []string{"billing"}},
			{name: "shared account", category: "free_user", auto: true, setup: func(t *testing.T, w *adjWorld, c *models.Claim, u *models.User) {
				c.PayoutFingerprint = "fp-shared"
				w.other(t, func(o *models.Claim, _ *models.User) { o.PayoutFingerprint = "fp-shared" })
			}},
			{name: "shared phone", category: "free_user", auto: true, setup: func(t *testing.T, w *adjWorld, c *models.Claim, u *models.User) {
				u.Phone = "010-1111-2222"
				w.other(t, func(_ *models.Claim, o *models.User) { o.Phone = "010-1111-2222" })
			}},
			{name: "shared business number", category: "free_user", auto: true, setup: func(t *testing.T, w *adjWorld, c *models.Claim, u *models.User) {
				w.after = append(w.after, func() { w.profile(t, u.ID, "123-45-67890") })
				w.other(t, func(_ *models.Claim, o *models.User) {
					w.after = append(w.after, func() { w.profile(t, o.ID, "123-45-67890") })
				})
			}},
			{name: "shared evidence file", category: "paid_subscriber", monetary: true, account: true, estimate: 9000, auto: true, evidence: []string{"billing"},
				setup: func(t *testing.T, w *adjWorld, c *models.Claim, u *models.User) {
					w.other(t, func(o *models.Claim, _ *models.User) {
						w.after = append(w.after, func() { w.evidence(t, o.ID, "billing", "hash-billing-"+c.ID) })
					})
				}},
			{name: "burst from one address", category: "free_user", auto: true, setup: func(t *testing.T, w *adjWorld, c *models.Claim, u *models.User) {
				c.ClientIP = "203.0.113.9"
				for range 5 {
					w.other(t, func(o *models.Claim, _ *models.User) { o.ClientIP = "203.0.113.9" })
				}
			}},
		}
		want := map[string]string{} // claim id -> case name, approvals only
		submitted := 0
		for _, k := range cases {
			id := w.add(t, k)
			submitted++
			if k.approve {
				want[id] = k.name
			}
		}
		submitted += w.others
		// A claim already under review is not the batch's business.
		busy := w.add(t, adjCase{name: "under review", category: "free_user", auto: true})
		if err := sqlExec(ctx, db, "UPDATE claims SET status = 'under_review' WHERE id = ?", busy); err != nil {
			t.Fatal(err)
		}

		settings := review.DefaultSettings
		// Pages of 3 claims: on PostgreSQL several pages are written at
		// once (review.SetWriters) while the next is read.
		settings.BatchPageSize = 3
		rv := review.NewService(db.Review(), cl, settings, fixedClock, uuid.NewString)
		p, err := rv.Adjudicate(ctx, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if p.Seen != submitted || p.Approved != len(want) || p.Sampled != 1 {
			t.Errorf("progress %+v; want %d seen, %d approved, 1 sampled", p, submitted, len(want))
		}
		var got []string
		if err := sqlStrings(ctx, db, "SELECT id FROM claims WHERE status = 'approved' ORDER BY id", &got); err != nil {
			t.Fatal(err)
		}
		for _, id := range got {
			if _, ok := want[id]; !ok {
				t.Errorf("claim %s approved, want it left to people", id)
			}
		}
		for id, name := range want {
			if !slices.Contains(got, id) {
				t.Errorf("%s: not approved", name)
			}
		}
		for _, table := range []string{"decisions", "claim_events"} {
			var n []string
			if err := sqlStrings(ctx, db, "SELECT claim_id FROM "+table+" WHERE claim_id IN (SELECT id FROM claims WHERE status = 'approved')", &n); err != nil {
				t.Fatal(err)
			}
			if len(n) != len(want)+countSeeded(table, len(want)) {
				t.Errorf("%s: %d rows for approved claims, want %d", table, len(n), len(want))
			}
		}
		var outbox []string
		if err := sqlStrings(ctx, db, "SELECT dedupe_id FROM outbox WHERE topic = 'claim.status'", &outbox); err != nil || len(outbox) != len(want) {
			t.Errorf("%d claim.status outbox messages (%v), want %d", len(outbox), err, len(want))
		}
		var audits []string
		if err := sqlStrings(ctx, db, "SELECT entity_id FROM audit_entries WHERE action = 'claim.decide'", &audits); err != nil {
			t.Fatal(err)
		}
		if len(audits) != len(want) {
			t.Errorf("%d claim.decide audit entries, want %d", len(audits), len(want))
		}
		var versions []string
		if err := sqlStrings(ctx, db, "SELECT CAST(version AS text) || ':' || CAST(approved_amount_krw = estimate_amount_krw AS text) FROM claims WHERE status = 'approved'", &versions); err != nil {
			t.Fatal(err)
		}
		for _, v := range versions {
			if v != "2:true" && v != "2:1" {
				t.Errorf("approved claim version:amount-matches %s, want 2 and the estimate", v)
			}
		}
		again, err := rv.Adjudicate(ctx, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if again.Approved != 0 || again.Seen != submitted-len(want) {
			t.Errorf("rerun %+v; want nothing approved and %d seen", again, submitted-len(want))
		}
	})
}

// countSeeded is how many rows of table the fixtures wrote for approved
// claims before the run: each claim is created with one timeline event.
func countSeeded(table string, approved int) int {
	if table == "claim_events" {
		return approved
	}
	return 0
}

// TestDecideManySkipsClaimsChangedMeanwhile: an approval read at a version
// the claim has left is not stored, nor anything that goes with it.
func TestDecideManySkipsClaimsChangedMeanwhile(t *testing.T) {
	db := dbtest.NewPostgres(t)
	ctx := context.Background()
	w := newAdjWorld(t, db)
	cl := claims.NewService(db.Claims(), nil, nil, nil, claims.EvidenceLimits{}, fixedClock, uuid.NewString)
	if err := cl.EnsureDefaultPolicy(ctx); err != nil {
		t.Fatal(err)
	}
	stale := w.add(t, adjCase{name: "stale", category: "free_user", auto: true})
	fresh := w.add(t, adjCase{name: "fresh", category: "free_user", auto: true})
	if err := sqlExec(ctx, db, "UPDATE claims SET version = 2 WHERE id = ?", stale); err != nil {
		t.Fatal(err)
	}
	now := testNow
	list := []review.AutoApproval{}
	for _, id := range []string{stale, fresh} {
		c := &models.Claim{ID: id, Status: "approved", Version: 2, UpdatedAt: now, DecidedAt: &now, ClaimantID: uuid.NewString()}
		d := &models.Decision{ID: uuid.NewString(), ClaimID: id, ClaimVersion: 1, ActorRole: "system", Action: "auto_approve", FromStatus: "submitted", ToStatus: "approved", CreatedAt: now}
		ev := &models.ClaimEvent{ID: uuid.NewString(), ClaimID: id, Status: "approved", CreatedAt: now}
		out := &models.OutboxMessage{ID: uuid.NewString(), Topic: "claim.status", DedupeID: "claim-event-" + ev.ID, Payload: "{}", AvailableAt: now, CreatedAt: now}
		list = append(list, review.AutoApproval{Claim: c, Decision: d, Event: ev, Outbox: out, Audit: entryFor("claim.decide", audit.EntityClaim, id, now)})
	}
	n, err := db.Review().DecideMany(ctx, list)
	if err != nil {
		t.Fatal(err)
	}
	var decided []string
	if err := sqlStrings(ctx, db, "SELECT claim_id FROM decisions", &decided); err != nil {
		t.Fatal(err)
	}
	if n != 1 || len(decided) != 1 || decided[0] != fresh {
		t.Fatalf("decided %d %v; want only the fresh claim", n, decided)
	}
}

func newAdjWorld(t *testing.T, db *store.DB) *adjWorld {
	t.Helper()
	ctx := context.Background()
	w := &adjWorld{db: db, now: testNow}
	staff := newUser("staff@example.com")
	staff.Role = models.RoleSupervisor
	if err := db.CreateUser(ctx, staff); err != nil {
		t.Fatal(err)
	}
	w.staff = staff.ID
	prov := &models.Provider{ID: uuid.NewString(), Name: "플랫폼", Kind: "value_added", CreatedAt: w.now}
	if err := db.Outages().CreateProvider(ctx, prov); err != nil {
		t.Fatal(err)
	}
	svc := &models.Service{ID: uuid.NewString(), Code: "taxi", Name: "taxi", ProviderID: prov.ID, Paid: true, CreatedAt: w.now}
	feat := models.Feature{ID: uuid.NewString(), ServiceID: svc.ID, Code: "main", Name: "main"}
	o := &models.Outage{ID: uuid.NewString(), ServiceID: svc.ID, Cause: "fire", Summary: "화재", Regions: "[]",
		StartedAt: w.now.AddDate(0, 0, -3), Version: 1, CreatedBy: staff.ID, CreatedAt: w.now, UpdatedAt: w.now}
	if err := db.InTx(ctx, func(tx *store.DB) error {
		if err := tx.Outages().CreateService(ctx, svc, []models.Feature{feat}, nil); err != nil {
			return err
		}
		return tx.Outages().CreateOutage(ctx, o, []models.OutageFeature{{OutageID: o.ID, FeatureID: feat.ID}}, entryFor("outage.create", audit.EntityOutage, o.ID, o.CreatedAt))
	}); err != nil {
		t.Fatal(err)
	}
	w.outage = o.ID
	return w
}

// adjWorld.add, other, profile and evidence insert the fixtures.
func (w *adjWorld) add(t *testing.T, k adjCase) string {
	t.Helper()
	u := newUser(uuid.NewString() + "@example.com")
	c := &models.Claim{ID: sampledID(k.sampled), Number: "T-" + uuid.NewString()[:13], OutageID: w.outage, Category: k.category,
		Monetary: k.monetary, Description: "피해", Details: "{}", Status: "submitted", EstimateAmountKRW: k.estimate, ClaimedAmountKRW: k.estimate,
		PolicyVersion: 1, Version: 1, CreatedAt: w.now, UpdatedAt: w.now, Flags: "[]"}
	if k.account {
		c.PayoutBank, c.PayoutHolder, c.PayoutNumberSealed, c.PayoutKeyID, c.PayoutNumberMasked = "004", "김", "sealed", "k", "110-***-****89"
		c.PayoutFingerprint = "fp-" + c.ID
	}
	w.after = nil
	if k.setup != nil {
		k.setup(t, w, c, u)
	}
	w.insert(t, c, u, k.auto, k.review)
	for _, kind := range k.evidence {
		w.evidence(t, c.ID, kind, "hash-"+kind+"-"+c.ID)
	}
	for _, f := range w.after {
		f()
	}
	return c.ID
}

func (w *adjWorld) insert(t *testing.T, c *models.Claim, u *models.User, auto, reviewRequired bool) {
	t.Helper()
	ctx := context.Background()
	c.ClaimantID = u.ID
	if err := w.db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	e := &models.ClaimEstimate{ID: uuid.NewString(), ClaimID: c.ID, PolicyVersion: 1, AmountKRW: c.EstimateAmountKRW, Steps: "[]",
		Auto: auto, ReviewRequired: reviewRequired, CreatedAt: c.CreatedAt}
	ev := &models.ClaimEvent{ID: uuid.NewString(), ClaimID: c.ID, Status: c.Status, CreatedAt: c.CreatedAt}
	out := &models.OutboxMessage{ID: uuid.NewString(), Topic: "t", DedupeID: uuid.NewString(), Payload: "{}", AvailableAt: c.CreatedAt, CreatedAt: c.CreatedAt}
	if err := w.db.Claims().CreateClaim(ctx, claims.Filing{Claim: c, Estimate: e, Event: ev, Outbox: []*models.OutboxMessage{out},
		Audit: entryFor("claim.file", audit.EntityClaim, c.ID, c.CreatedAt)}); err != nil {
		t.Fatal(err)
	}
}

// other files a claim by another claimant, shaped by f, that is not itself
// approvable (its estimate needs review), so only the signal matters.
func (w *adjWorld) other(t *testing.T, f func(*models.Claim, *models.User)) {
	t.Helper()
	u := newUser(uuid.NewString() + "@example.com")
	c := &models.Claim{ID: uuid.Must(uuid.NewV7()).String(), Number: "T-" + uuid.NewString()[:13], OutageID: w.outage, Category: "free_user",
		Description: "피해", Details: "{}", Status: "submitted", PolicyVersion: 1, Version: 1, CreatedAt: w.now, UpdatedAt: w.now, Flags: "[]"}
	f(c, u)
	w.insert(t, c, u, true, true)
	w.others++
}

func (w *adjWorld) profile(t *testing.T, userID, number string) {
	t.Helper()
	if err := sqlExec(context.Background(), w.db, "INSERT INTO claimant_profiles (user_id, kind, data, business_number, updated_at) VALUES (?, 'merchant', '{}', ?, ?)",
		userID, number, w.now); err != nil {
		t.Fatal(err)
	}
}

func (w *adjWorld) evidence(t *testing.T, claimID, kind, hash string) {
	t.Helper()
	e := &models.Evidence{ID: uuid.NewString(), ClaimID: claimID, Kind: kind, SHA256: hash, Size: 10, ContentType: "application/pdf",
		StorageKey: "k/" + uuid.NewString(), OriginalName: kind + ".pdf", CreatedAt: w.now}
	ctx := context.Background()
	if err := w.db.InTx(ctx, func(tx *store.DB) error {
		return tx.Claims().AddEvidence(ctx, e, entryFor("claim.evidence", audit.EntityClaim, claimID, w.now))
	}); err != nil {
		t.Fatal(err)
	}
}

// pgPlaceholders turns ? into $n on PostgreSQL.
func pgPlaceholders(db *store.DB, q string) string {
	if db.Dialect() != store.Postgres {
		return q
	}
	out, n := []byte{}, 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			out = append(out, "$"+strconv.Itoa(n)...)
			continue
		}
		out = append(out, q[i])
	}
	return string(out)
}

func sqlExec(ctx context.Context, db *store.DB, q string, args ...any) error {
	sqlDB, err := db.SQL()
	if err != nil {
		return err
	}
	_, err = sqlDB.ExecContext(ctx, pgPlaceholders(db, q), args...)
	return err
}

func sqlStrings(ctx context.Context, db *store.DB, q string, out *[]string) error {
	sqlDB, err := db.SQL()
	if err != nil {
		return err
	}
	rows, err := sqlDB.QueryContext(ctx, pgPlaceholders(db, q))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return err
		}
		*out = append(*out, v)
	}
	return rows.Err()
}

// failingDecide is the PostgreSQL review store with DecideMany failing on
// its failOn-th call, as a lost connection or a full disk would.
type failingDecide struct {
	store.ReviewStore
	calls  atomic.Int32
	failOn int32
	err    error
}

func (f *failingDecide) DecideMany(ctx context.Context, list []review.AutoApproval) (int, error) {
	if f.calls.Add(1) == f.failOn {
		return 0, f.err
	}
	return f.ReviewStore.DecideMany(ctx, list)
}

// TestAdjudicateWriterFailure: pages are written concurrently
// (review.SetWriters); when one write fails the run stops with that error,
// what it reports approved is exactly what is stored, and a rerun approves
// the rest, each claim once.
func TestAdjudicateWriterFailure(t *testing.T) {
	db := dbtest.NewPostgres(t)
	ctx := context.Background()
	w := newAdjWorld(t, db)
	cl := claims.NewService(db.Claims(), nil, nil, nil, claims.EvidenceLimits{}, fixedClock, uuid.NewString)
	if err := cl.EnsureDefaultPolicy(ctx); err != nil {
		t.Fatal(err)
	}
	const n = 30
	for i := range n {
		w.add(t, adjCase{name: "free " + strconv.Itoa(i), category: "free_user", auto: true})
	}
	settings := review.DefaultSettings
	settings.BatchPageSize = 3
	boom := errors.New("connection lost")
	failing := &failingDecide{ReviewStore: db.Review(), failOn: 4, err: boom}
	p, err := review.NewService(failing, cl, settings, fixedClock, uuid.NewString).Adjudicate(ctx, "", nil)
	if !errors.Is(err, boom) {
		t.Fatalf("run with a failing write: got %v, want %v", err, boom)
	}
	stored := func() (approved, decisions int) {
		var a, d []string
		if err := sqlStrings(ctx, db, "SELECT id FROM claims WHERE status = 'approved'", &a); err != nil {
			t.Fatal(err)
		}
		if err := sqlStrings(ctx, db, "SELECT claim_id FROM decisions", &d); err != nil {
			t.Fatal(err)
		}
		return len(a), len(d)
	}
	approved, decisions := stored()
	if approved != p.Approved || decisions != approved || approved >= n-p.Sampled {
		t.Fatalf("after the failure: progress %+v, %d approved and %d decisions stored; want them equal and short of the whole run", p, approved, decisions)
	}
	rest, err := review.NewService(db.Review(), cl, settings, fixedClock, uuid.NewString).Adjudicate(ctx, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	approved, decisions = stored()
	if approved != p.Approved+rest.Approved || decisions != approved || approved+rest.Sampled != n {
		t.Fatalf("after the rerun: first %+v, rerun %+v, %d approved and %d decisions stored; want all %d approved or sampled, each once", p, rest, approved, decisions, n)
	}
}

// TestDecideManyJobsAsRiverWritesThem: DecideMany marks its outbox rows
// for the dispatcher and writes no River row itself; the jobs the
// dispatcher then queues, one per outbox row, are the rows River writes for
// messages of the same topics enqueued any other way.
func TestDecideManyJobsAsRiverWritesThem(t *testing.T) {
	db := dbtest.NewPostgres(t)
	ctx := context.Background()
	c, err := jobs.New(db, jobs.Config{Lanes: map[string]jobs.Lane{claims.TopicReview: jobs.Review}})
	if err != nil {
		t.Fatal(err)
	}
	db.SetJobs(c)
	w := newAdjWorld(t, db)
	if err := claims.NewService(db.Claims(), nil, nil, nil, claims.EvidenceLimits{}, func() time.Time { return w.now }, uuid.NewString).EnsureDefaultPolicy(ctx); err != nil {
		t.Fatal(err)
	}
	now := w.now
	var list []review.AutoApproval
	for _, topic := range []string{claims.TopicStatus, claims.TopicReview} {
		id := w.add(t, adjCase{name: topic, category: "free_user", auto: true})
		c := &models.Claim{ID: id, Status: "approved", Version: 2, UpdatedAt: now, DecidedAt: &now, ClaimantID: uuid.NewString()}
		d := &models.Decision{ID: uuid.NewString(), ClaimID: id, ClaimVersion: 1, ActorRole: "system", Action: "auto_approve", FromStatus: "submitted", ToStatus: "approved", CreatedAt: now}
		ev := &models.ClaimEvent{ID: uuid.NewString(), ClaimID: id, Status: "approved", CreatedAt: now}
		out := &models.OutboxMessage{ID: uuid.NewString(), Topic: topic, DedupeID: "claim-event-" + ev.ID, Payload: "{}", AvailableAt: now, CreatedAt: now}
		list = append(list, review.AutoApproval{Claim: c, Decision: d, Event: ev, Outbox: out, Audit: entryFor("claim.decide", audit.EntityClaim, id, now)})
	}
	if n, err := db.Review().DecideMany(ctx, list); err != nil || n != len(list) {
		t.Fatalf("decided %d, %v; want %d", n, err, len(list))
	}
	for _, a := range list {
		var jobs, marks []string
		if err := sqlStrings(ctx, db, `SELECT id FROM river_job WHERE args->>'outbox_id' = '`+a.Outbox.ID+`'`, &jobs); err != nil || len(jobs) != 0 {
			t.Fatalf("River jobs of %s after DecideMany: %v, %v; want none before the dispatcher", a.Outbox.Topic, jobs, err)
		}
		if err := sqlStrings(ctx, db, `SELECT topic FROM outbox_unqueued WHERE outbox_id = '`+a.Outbox.ID+`'`, &marks); err != nil ||
			!slices.Equal(marks, []string{a.Outbox.Topic}) {
			t.Fatalf("marks of %s: topics %v, %v; want one, of its topic", a.Outbox.Topic, marks, err)
		}
	}
	if n, err := db.DispatchOutbox(ctx, c, 100); err != nil || n < len(list) {
		t.Fatalf("dispatched %d, %v; want at least the page's %d", n, err, len(list))
	}
	for _, a := range list {
		m := newMessage(uuid.NewString(), now)
		m.Topic = a.Outbox.Topic
		if err := db.EnqueueOnce(ctx, m); err != nil {
			t.Fatal(err)
		}
		if decided, river := jobRow(t, db, a.Outbox.ID), jobRow(t, db, m.ID); decided != river {
			t.Errorf("%s job: DecideMany's is %q, River writes %q", m.Topic, decided, river)
		}
	}
}
