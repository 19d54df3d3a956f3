package store_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// filingWorld is a claimant who may file for one outage, with the jobs of
// every outbox row recorded.
type filingWorld struct {
	*statsWorld
	jobs *recordingInserter
	// inserter is db's JobInserter: jobs, or River's client after useRiver.
	inserter store.JobInserter
	claimant *models.User
}

func newFilingWorld(t *testing.T, db *store.DB) *filingWorld {
	t.Helper()
	w := &filingWorld{statsWorld: newStatsWorld(t, db), jobs: &recordingInserter{db: db}, claimant: newUser("filer@example.com")}
	w.inserter = w.jobs
	db.SetJobs(w.jobs)
	if err := db.CreateUser(context.Background(), w.claimant); err != nil {
		t.Fatal(err)
	}
	return w
}

// filing is a new claim as package claims builds it, answering key.
func (w *filingWorld) filing(key string) claims.Filing {
	now := w.now
	c := &models.Claim{ID: uuid.NewString(), Number: "BS-2026-" + uuid.NewString()[:6], ClaimantID: w.claimant.ID, OutageID: w.paidOut,
		Category: "paid_subscriber", Monetary: true, Description: "택시 호출 불가", ClaimedAmountKRW: 12000, Details: `{"monthly_fee_krw":9900}`,
		PayoutBank: "004", PayoutHolder: "홍길동", PayoutNumberSealed: "sealed", PayoutKeyID: "k1", PayoutNumberMasked: "****1234",
		Status: "submitted", EstimateAmountKRW: 3300, PolicyVersion: 1, Version: 1, CreatedAt: now, UpdatedAt: now, Flags: "[]",
		PayoutFingerprint: "fp", ClientIP: "127.0.0.1"}
	e := &models.ClaimEstimate{ID: uuid.NewString(), ClaimID: c.ID, PolicyVersion: 1, AmountKRW: 3300, Steps: `[{"label":"월 요금"}]`,
		Auto: true, ReviewReason: "", ExtensionDays: 3, InKind: "3일 연장", InKindEN: "3 days", Reason: `{"code":"filed"}`, CreatedAt: now}
	ev := &models.ClaimEvent{ID: uuid.NewString(), ClaimID: c.ID, Status: "submitted", ActorID: &w.claimant.ID, CreatedAt: now}
	f := claims.Filing{Claim: c, Estimate: e, Event: ev, Outbox: []*models.OutboxMessage{newMessage("claim-event-"+ev.ID, now), newMessage("claim-review-"+c.ID, now)},
		Audit: filingEntry(c)}
	if key != "" {
		f.Answer = &claims.KeyAnswer{UserID: w.claimant.ID, Key: key, Status: 201, Body: `{"id":"` + c.ID + `"}`}
	}
	return f
}

// filed files a new claim and returns its filing.
func (w *filingWorld) filed(t *testing.T) claims.Filing {
	t.Helper()
	f := w.filing("")
	if err := w.db.Claims().CreateClaim(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	return f
}

// takeKey takes key in flight, as a request does before it files.
func (w *filingWorld) takeKey(t *testing.T, key string) {
	t.Helper()
	k := &models.IdempotencyKey{UserID: w.claimant.ID, Key: key, RequestHash: "h", State: "in_flight", CreatedAt: w.now}
	if _, owned, err := w.db.Claims().ClaimKey(context.Background(), k, claims.StaleInFlight, claims.KeyTTL); err != nil || !owned {
		t.Fatalf("take key %s: owned %v, %v", key, owned, err)
	}
}

// dispatch queues the jobs of the messages a filing marked (PostgreSQL),
// as a working jobs client's dispatcher does, through db's inserter.
func (w *filingWorld) dispatch(t *testing.T) {
	t.Helper()
	if _, err := w.db.DispatchOutbox(context.Background(), w.inserter, 100); err != nil {
		t.Fatal(err)
	}
}

// written lists what the store holds of f's claim: the claim, its
// estimates, events, outbox rows and their jobs (once dispatched), and
// audit entries.
func (w *filingWorld) written(t *testing.T, f claims.Filing) (claim *models.Claim, estimates []models.ClaimEstimate, events []models.ClaimEvent, outbox, jobs int, entries []models.AuditEntry) {
	t.Helper()
	ctx := context.Background()
	w.dispatch(t)
	s := w.db.Claims()
	claim, err := s.Claim(ctx, f.Claim.ID)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		t.Fatal(err)
	}
	ests, err := s.Estimates(ctx, f.Claim.ID)
	if err != nil {
		t.Fatal(err)
	}
	if events, err = s.Events(ctx, f.Claim.ID); err != nil {
		t.Fatal(err)
	}
	ids, queued := outboxIDs(t, w.db), w.jobs.got()
	for _, m := range f.Outbox {
		if slices.Contains(ids, m.ID) {
			outbox++
		}
		if slices.Contains(queued, m.ID) {
			jobs++
		}
	}
	if entries, err = w.db.Audit().AuditEntries(ctx, audit.Filter{EntityID: f.Claim.ID, Limit: 10}); err != nil {
		t.Fatal(err)
	}
	return claim, ests[f.Claim.ID], events, outbox, jobs, entries
}

// TestCreateClaimWritesTheWholeFiling pins what one filing writes, on the
// one-statement path (PostgreSQL) and the row-by-row path (SQLite) alike:
// the claim as given, its estimate with the steps, the first event, both
// outbox rows with a job each, the audit entry, and the key's answer.
func TestCreateClaimWritesTheWholeFiling(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newFilingWorld(t, db)
		w.takeKey(t, "k1")
		f := w.filing("k1")
		if err := db.Claims().InTx(ctx, func(tx claims.Store) error { return tx.CreateClaim(ctx, f) }); err != nil {
			t.Fatal(err)
		}
		c, ests, events, outbox, jobs, entries := w.written(t, f)
		if c == nil || c.Number != f.Claim.Number || c.Details != f.Claim.Details || c.ClientIP != "127.0.0.1" || c.PayoutFingerprint != "fp" ||
			!c.CreatedAt.Equal(f.Claim.CreatedAt) || c.DecidedAt != nil || c.Version != 1 {
			t.Fatalf("claim: got %+v, want %+v", c, f.Claim)
		}
		if len(ests) != 1 || ests[0].Steps != f.Estimate.Steps || ests[0].InKindEN != "3 days" || ests[0].Reason != f.Estimate.Reason || !ests[0].Auto {
			t.Fatalf("estimates: got %+v, want %+v", ests, f.Estimate)
		}
		if len(events) != 1 || events[0].ActorID == nil || *events[0].ActorID != w.claimant.ID || events[0].Status != "submitted" {
			t.Fatalf("events: got %+v, want the first event by the claimant", events)
		}
		if outbox != 2 || jobs != 2 {
			t.Fatalf("outbox rows and jobs: got %d and %d, want 2 and 2", outbox, jobs)
		}
		// The entry is the one the filing carried, as built: the store adds
		// nothing of its own.
		if len(entries) != 1 || entries[0].ID != f.Audit.ID || entries[0].Action != "claim.file" || entries[0].SubjectID == nil ||
			*entries[0].SubjectID != w.claimant.ID || entries[0].ActorID == nil || *entries[0].ActorID != w.claimant.ID ||
			entries[0].IP != "192.0.2.7" || entries[0].Details != f.Audit.Details || !entries[0].At.Equal(f.Audit.At) {
			t.Fatalf("audit entries: got %+v, want the filing's own %+v", entries, f.Audit)
		}
		k := &models.IdempotencyKey{UserID: w.claimant.ID, Key: "k1", RequestHash: "h", State: "in_flight", CreatedAt: w.now}
		got, owned, err := db.Claims().ClaimKey(ctx, k, claims.StaleInFlight, claims.KeyTTL)
		if err != nil || owned || got.State != "done" || got.ResponseStatus != 201 || got.ResponseBody != f.Answer.Body {
			t.Fatalf("key after the filing: got %+v (owned %v, %v), want done with the answer", got, owned, err)
		}

		// Outside InTx the filing runs in a transaction of its own; without an
		// answer the key is left alone.
		f2 := w.filing("")
		f2.Claim.Category = "driver"
		if err := db.Claims().CreateClaim(ctx, f2); err != nil {
			t.Fatal(err)
		}
		if c, ests, events, outbox, jobs, entries := w.written(t, f2); c == nil || len(ests) != 1 || len(events) != 1 || outbox != 2 || jobs != 2 || len(entries) != 1 {
			t.Fatalf("filing without a key: claim %v, %d estimates, %d events, %d rows, %d jobs, %d entries; want all of one",
				c != nil, len(ests), len(events), outbox, jobs, len(entries))
		}
	})
}

// TestCreateClaimAllOrNothing: a filing that fails at any step leaves
// nothing of itself behind, and a key it could not answer as it was.
func TestCreateClaimAllOrNothing(t *testing.T) {
	cases := []struct {
		name string
		// prepare sets the world up for f to fail and returns the error wanted.
		prepare func(t *testing.T, w *filingWorld, f *claims.Filing) error
	}{
		{"the key is not in flight (answered by a retry that took it over)", func(t *testing.T, w *filingWorld, f *claims.Filing) error {
			return apperr.ErrConflict
		}},
		{"a claim for the same outage and category exists", func(t *testing.T, w *filingWorld, f *claims.Filing) error {
			w.takeKey(t, f.Answer.Key)
			first := w.filing("")
			if err := w.db.Claims().CreateClaim(context.Background(), first); err != nil {
				t.Fatal(err)
			}
			return apperr.ErrConflict
		}},
		{"an unknown outage", func(t *testing.T, w *filingWorld, f *claims.Filing) error {
			w.takeKey(t, f.Answer.Key)
			f.Claim.OutageID = uuid.NewString()
			return apperr.ErrInvalid
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				w := newFilingWorld(t, db)
				f := w.filing("k1")
				want := tc.prepare(t, w, &f)
				err := db.Claims().InTx(ctx, func(tx claims.Store) error { return tx.CreateClaim(ctx, f) })
				if !errors.Is(err, want) {
					t.Fatalf("got %v, want %v", err, want)
				}
				// Jobs are not counted: the recorder keeps what it was asked
				// even when the transaction then rolls back (River's rows
				// roll back with it).
				c, ests, events, outbox, _, entries := w.written(t, f)
				if c != nil || len(ests) != 0 || len(events) != 0 || outbox != 0 || len(entries) != 0 {
					t.Fatalf("after the failure: claim %v, %d estimates, %d events, %d rows, %d entries; want nothing",
						c != nil, len(ests), len(events), outbox, len(entries))
				}
				k := &models.IdempotencyKey{UserID: w.claimant.ID, Key: "k1", RequestHash: "h", State: "in_flight", CreatedAt: w.now.Add(time.Second)}
				if got, _, err := db.Claims().ClaimKey(ctx, k, claims.StaleInFlight, claims.KeyTTL); err != nil || got.State != "in_flight" {
					t.Fatalf("key after the failure: got %+v, %v; want it in flight or absent", got, err)
				}
			})
		})
	}
}

// TestFilingJobsAsRiverWritesThem: the jobs the dispatcher queues for a
// filing's outbox rows (PostgreSQL; SQLite's filing queues them itself)
// are the rows River writes for messages of the same topics enqueued any
// other way, so River works them alike.
func TestFilingJobsAsRiverWritesThem(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newFilingWorld(t, db)
		w.useRiver(t)
		f := w.filing("")
		f.Outbox[0].Topic, f.Outbox[1].Topic = claims.TopicStatus, claims.TopicReview
		if err := db.Claims().CreateClaim(ctx, f); err != nil {
			t.Fatal(err)
		}
		w.dispatch(t)
		var viaRiver []*models.OutboxMessage
		for _, topic := range []string{claims.TopicStatus, claims.TopicReview} {
			m := newMessage(uuid.NewString(), w.now)
			m.Topic = topic
			if err := db.EnqueueOnce(ctx, m); err != nil {
				t.Fatal(err)
			}
			viaRiver = append(viaRiver, m)
		}
		for i, m := range f.Outbox {
			filed, river := jobRow(t, db, m.ID), jobRow(t, db, viaRiver[i].ID)
			if filed != river {
				t.Errorf("%s job: the filing's is %q, River writes %q", m.Topic, filed, river)
			}
		}
	})
}

// jobRow is the River job of outbox message id, every column that does
// not name the message or the moment, as text.
func jobRow(t *testing.T, db *store.DB, id string) string {
	t.Helper()
	q := `SELECT kind || '|' || queue || '|' || max_attempts || '|' || priority || '|' || state || '|' || CAST(metadata AS text) || '|' ||
  COALESCE(CAST(tags AS text), 'null') || '|' || (unique_key IS NULL) || '|' || (unique_states IS NULL) || '|' || (attempt) || '|' ||
  (args->>'topic') || '|' || (scheduled_at <= created_at) || '|' || (finalized_at IS NULL)
FROM river_job WHERE args->>'outbox_id' = '` + id + `'`
	var rows []string
	if err := sqlStrings(context.Background(), db, q, &rows); err != nil || len(rows) != 1 {
		t.Fatalf("job of %s: %v, %d rows", id, err, len(rows))
	}
	return rows[0]
}

// TestNextClaimNumberUnique: numbers keep rising and never repeat, across
// the blocks a process takes from the PostgreSQL sequence and across
// processes sharing the database.
func TestNextClaimNumberUnique(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seen := map[int]bool{}
		last := 0
		for i := range 100 {
			var n int
			err := db.Claims().InTx(ctx, func(tx claims.Store) error {
				var err error
				n, err = tx.NextClaimNumber(ctx, 2026)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if seen[n] || n <= last {
				t.Fatalf("number %d: got %d after %d, want a new, higher one", i, n, last)
			}
			seen[n], last = true, n
		}
		if db.Dialect() != store.Postgres {
			return
		}
		// Another process takes its numbers from the sequence after this
		// one's block.
		var next []string
		if err := sqlStrings(ctx, db, `SELECT CAST(nextval('claim_number_seq') AS text)`, &next); err != nil {
			t.Fatal(err)
		}
		if n, _ := strconv.Atoi(next[0]); seen[n] {
			t.Fatalf("another process: got %d, want a number this one did not hand out", n)
		}
	})
}
