package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// TestFilingJobsThatCannotBeQueuedLoseNothing: when River cannot take the
// jobs, no message is lost and none is queued twice. SQLite's filing
// queues its jobs itself, so it fails whole and writes nothing. A filing
// on PostgreSQL marks its messages and succeeds; the dispatcher's failing
// transaction leaves the marks in place, and the next one queues each
// message once.
func TestFilingJobsThatCannotBeQueuedLoseNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newFilingWorld(t, db)
		w.jobs.fail = errors.New("river is down")
		f := w.filing("")
		err := db.Claims().CreateClaim(ctx, f)
		if db.Dialect() == store.SQLite {
			if !errors.Is(err, w.jobs.fail) {
				t.Fatalf("filing on SQLite: got %v, want the inserter's error", err)
			}
			if c, _, _, outbox, _, entries := w.written(t, f); c != nil || outbox != 0 || len(entries) != 0 {
				t.Fatalf("after the failure: claim %v, %d outbox rows, %d entries; want nothing", c != nil, outbox, len(entries))
			}
			return
		}
		if err != nil {
			t.Fatalf("filing on PostgreSQL: %v, want it written with its messages marked", err)
		}
		if n, err := db.UnqueuedOutbox(ctx); err != nil || n != 2 {
			t.Fatalf("marked messages: %d, %v; want the filing's 2", n, err)
		}
		if n, err := db.DispatchOutbox(ctx, w.jobs, 100); !errors.Is(err, w.jobs.fail) || n != 0 {
			t.Fatalf("dispatch while River is down: %d, %v; want 0 and the inserter's error", n, err)
		}
		if n, err := db.UnqueuedOutbox(ctx); err != nil || n != 2 || len(w.jobs.got()) != 0 {
			t.Fatalf("after the failed dispatch: %d marked (%v), %d queued; want 2 and 0", n, err, len(w.jobs.got()))
		}
		w.jobs.fail = nil
		if n, err := db.DispatchOutbox(ctx, w.jobs, 100); err != nil || n != 2 {
			t.Fatalf("dispatch: %d, %v; want 2", n, err)
		}
		got := w.jobs.got()
		slices.Sort(got)
		want := []string{f.Outbox[0].ID, f.Outbox[1].ID}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("queued %v, want the filing's messages %v once each", got, want)
		}
		if n, err := db.UnqueuedOutbox(ctx); err != nil || n != 0 {
			t.Fatalf("marks left: %d, %v", n, err)
		}
	})
}

// TestDispatchOutboxConcurrent: dispatchers racing over the same marks (one
// per instance) queue every marked message exactly once between them.
// EnqueueNew, which the periodic reminders and alerts use, adds only new
// messages and marks each; a repeat of a dedupe id adds and marks nothing.
func TestDispatchOutboxConcurrent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const n = 60
		var want []string
		for i := range n {
			m := newMessage(fmt.Sprintf("dispatch-%d", i), testNow)
			// EnqueueNew marks what it adds.
			if added, err := db.EnqueueNew(ctx, m); err != nil || !added {
				t.Fatalf("enqueue %s: added %v, %v", m.DedupeID, added, err)
			}
			want = append(want, m.ID)
		}
		if added, err := db.EnqueueNew(ctx, newMessage("dispatch-0", testNow)); err != nil || added {
			t.Fatalf("a repeated dedupe id: added %v, %v; want nothing added", added, err)
		}
		if marks, err := db.UnqueuedOutbox(ctx); err != nil || marks != n {
			t.Fatalf("marks: %d, %v; want %d", marks, err, n)
		}
		jobs := &recordingInserter{db: db}
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() {
				for {
					got, err := db.DispatchOutbox(ctx, jobs, 7)
					if err != nil || got == 0 {
						errs[i] = err
						return
					}
				}
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		got := jobs.got()
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("queued %d messages (%d distinct), want each of %d once", len(got), len(slices.Compact(slices.Clone(got))), n)
		}
	})
}

// TestOrphanSweepLeavesMarkedMessages: the sweep, which queues a job for a
// message that has none, does not take a message the dispatcher will
// queue (EnqueueNew marks what it adds); once its mark is gone without a
// job, the sweep finds it.
func TestOrphanSweepLeavesMarkedMessages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		m := newMessage("marked", testNow)
		if _, err := db.EnqueueNew(ctx, m); err != nil {
			t.Fatal(err)
		}
		orphans := func() []string {
			t.Helper()
			list, err := db.OrphanOutbox(ctx, testNow.Add(time.Hour), 10)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, o := range list {
				ids = append(ids, o.ID)
			}
			return ids
		}
		if got := orphans(); slices.Contains(got, m.ID) {
			t.Fatalf("orphans %v include the marked message", got)
		}
		if err := sqlExec(ctx, db, `DELETE FROM outbox_unqueued WHERE outbox_id = ?`, m.ID); err != nil {
			t.Fatal(err)
		}
		if got := orphans(); !slices.Contains(got, m.ID) {
			t.Fatalf("orphans %v miss the message whose mark went without a job", got)
		}
	})
}

// TestDispatchOutboxDropsMarksWithoutMessage: a mark does not reference its
// row (migration 00032); one whose message is gone is taken and dropped
// without queueing anything, and the marked message beside it is queued.
func TestDispatchOutboxDropsMarksWithoutMessage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		m := newMessage("kept", testNow)
		if added, err := db.EnqueueNew(ctx, m); err != nil || !added {
			t.Fatalf("enqueue: added %v, %v", added, err)
		}
		const gone = "0190a000-0000-7000-8000-00000000dead"
		if err := sqlExec(ctx, db, `INSERT INTO outbox_unqueued (outbox_id) VALUES (?)`, gone); err != nil {
			t.Fatalf("a mark without its message: %v", err)
		}
		jobs := &recordingInserter{db: db}
		if n, err := db.DispatchOutbox(ctx, jobs, 100); err != nil || n != 1 {
			t.Fatalf("dispatch: %d, %v; want the one message that exists", n, err)
		}
		if got := jobs.got(); !slices.Equal(got, []string{m.ID}) {
			t.Fatalf("queued %v, want only %s", got, m.ID)
		}
		if n, err := db.UnqueuedOutbox(ctx); err != nil || n != 0 {
			t.Fatalf("marks left: %d, %v; want the dangling one dropped too", n, err)
		}
	})
}

// TestDispatchOutboxByTopic: a mark carries its message's topic, written by
// EnqueueNew and by a filing's statement; MarkedTopics lists the topics
// that have marks, MarkCounts counts them, and DispatchOutbox given topics
// takes only their marks, up to its limit.
func TestDispatchOutboxByTopic(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if topics, err := db.MarkedTopics(ctx); err != nil || len(topics) != 0 {
			t.Fatalf("topics with no marks: %v, %v; want none", topics, err)
		}
		byTopic := map[string][]string{}
		for i, topic := range []string{"claim.status", "claim.review", "claim.status", "claim.review", "claim.status"} {
			m := newMessage(fmt.Sprintf("by-topic-%d", i), testNow)
			m.Topic = topic
			if added, err := db.EnqueueNew(ctx, m); err != nil || !added {
				t.Fatalf("enqueue %s: added %v, %v", topic, added, err)
			}
			byTopic[topic] = append(byTopic[topic], m.ID)
		}
		if topics, err := db.MarkedTopics(ctx); err != nil || !slices.Equal(topics, []string{"claim.review", "claim.status"}) {
			t.Fatalf("marked topics: %v, %v; want claim.review and claim.status", topics, err)
		}
		want := []store.TopicCount{{Topic: "claim.review", N: 2}, {Topic: "claim.status", N: 3}}
		if counts, err := db.MarkCounts(ctx); err != nil || !slices.Equal(counts, want) {
			t.Fatalf("mark counts: %v, %v; want %v", counts, err, want)
		}
		jobs := &recordingInserter{db: db}
		if n, err := db.DispatchOutbox(ctx, jobs, 100, "claim.review"); err != nil || n != 2 {
			t.Fatalf("dispatch claim.review: %d, %v; want its 2 marks", n, err)
		}
		got := jobs.got()
		slices.Sort(got)
		slices.Sort(byTopic["claim.review"])
		if !slices.Equal(got, byTopic["claim.review"]) {
			t.Fatalf("queued %v, want only the claim.review messages %v", got, byTopic["claim.review"])
		}
		if topics, err := db.MarkedTopics(ctx); err != nil || !slices.Equal(topics, []string{"claim.status"}) {
			t.Fatalf("marked topics after: %v, %v; want claim.status alone", topics, err)
		}
		if n, err := db.DispatchOutbox(ctx, jobs, 2, "claim.status", "claim.other"); err != nil || n != 2 {
			t.Fatalf("dispatch 2 of claim.status: %d, %v", n, err)
		}
		if n, err := db.UnqueuedOutbox(ctx); err != nil || n != 1 {
			t.Fatalf("marks left: %d, %v; want 1 of claim.status", n, err)
		}
		if db.Dialect() != store.Postgres {
			return // SQLite's filing queues its jobs as it writes: no marks
		}
		w := newFilingWorld(t, db)
		f := w.filing("")
		if err := db.Claims().CreateClaim(ctx, f); err != nil {
			t.Fatal(err)
		}
		want = []store.TopicCount{{Topic: "claim.status", N: 1}}
		for _, m := range f.Outbox {
			i := slices.IndexFunc(want, func(c store.TopicCount) bool { return c.Topic == m.Topic })
			if i < 0 {
				want = append(want, store.TopicCount{Topic: m.Topic})
				i = len(want) - 1
			}
			want[i].N++
		}
		slices.SortFunc(want, func(a, b store.TopicCount) int { return strings.Compare(a.Topic, b.Topic) })
		if counts, err := db.MarkCounts(ctx); err != nil || !slices.Equal(counts, want) {
			t.Fatalf("mark counts after a filing: %v, %v; want %v", counts, err, want)
		}
	})
}
