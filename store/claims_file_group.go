package store

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bosang/bosang/claims"
)

// Filings that take their idempotency key, outside a transaction, are
// written on PostgreSQL in groups (a group commit): while the writer is
// busy, the filings that arrive queue, in arrival order, and it then takes
// up to FilingGroupMax of them into one statement. A filing alone is
// written by itself at once, so a quiet portal adds no wait; in a surge the
// statement's fixed costs (planning, executor start, the commit and its WAL
// flush, the round trip) are shared by the group. Each filing stays all or
// nothing: its rows are written only when its key is taken, as in its own
// statement. When a group's statement fails, every filing in it is written
// again by itself, so each gets its own answer (a duplicate claim, a used
// key) and one filing's fault never fails another.
//
// One writer a process, with groups of up to 32, filed the most on the
// bench machine (BENCHMARKS.md, issue 15, fifth session): two or four
// writers made smaller groups and spent more of PostgreSQL's CPU.
const (
	// FilingGroupMax is the most filings one statement writes.
	FilingGroupMax = 32
	filingWriters  = 1
	// filingGroupTimeout bounds a group's statement; a filing's own
	// statement has its request's deadline.
	filingGroupTimeout = 10 * time.Second
)

// FilingGroup is how many filings one statement writes at most: 0 on
// SQLite, whose filings are written one by one.
func (db *DB) FilingGroup() int {
	if db.dialect == Postgres {
		return FilingGroupMax
	}
	return 0
}

// filingGroups is the queue of filings waiting for a writer.
type filingGroups struct {
	mu      sync.Mutex
	queue   []*queuedFiling
	writers int
	report  func(FilingGroupReport)
}

type queuedFiling struct {
	ctx    context.Context
	f      claims.Filing
	queued time.Time
	done   chan error
}

// FilingGroupReport is what the writer tells of each group it wrote: how
// long each filing waited in the queue before the group was taken, how
// long writing the group took, and whether its statement failed, so that
// its filings were written one by one.
type FilingGroupReport struct {
	Waits    []time.Duration
	Took     time.Duration
	FellBack bool
}

// OnFilingGroup makes fn the function told of every group of filings
// written (PostgreSQL; a filing written alone is a group of one); serve
// counts them in /metrics. fn runs on the writer, after the group's
// filings have their answers, so it must not block; a panic in it is
// logged and the writer goes on.
func (db *DB) OnFilingGroup(fn func(FilingGroupReport)) {
	db.filings.mu.Lock()
	defer db.filings.mu.Unlock()
	db.filings.report = fn
}

// createClaimGrouped queues f (which takes its key) for the next group
// and waits for its answer or for ctx. A request that gives up while its
// group is being written may still find its claim written: its key then
// holds the answer for its retry.
func (s ClaimStore) createClaimGrouped(ctx context.Context, f claims.Filing) error {
	g := s.db.filings
	q := &queuedFiling{ctx: ctx, f: f, queued: s.db.now(), done: make(chan error, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, q)
	start := g.writers < filingWriters
	if start {
		g.writers++
	}
	g.mu.Unlock()
	if start {
		go s.writeGroups()
	}
	select {
	case err := <-q.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// writeGroups writes groups until the queue is empty.
func (s ClaimStore) writeGroups() {
	g := s.db.filings
	for {
		g.mu.Lock()
		group := g.take()
		if len(group) == 0 {
			g.writers--
			g.mu.Unlock()
			return
		}
		report := g.report
		g.mu.Unlock()
		taken := s.db.now()
		fellBack := s.writeGroup(group)
		if report != nil {
			r := FilingGroupReport{Waits: make([]time.Duration, len(group)), Took: s.db.now().Sub(taken), FellBack: fellBack}
			for i, q := range group {
				r.Waits[i] = taken.Sub(q.queued)
			}
			tell(report, r)
		}
	}
}

// tell gives r to report; a panic there must not stop the writer, whose
// queue would then never be written.
func tell(report func(FilingGroupReport), r FilingGroupReport) {
	defer func() {
		if p := recover(); p != nil {
			slog.Error("filing group report panicked", "panic", p)
		}
	}()
	report(r)
}

// take removes up to FilingGroupMax filings from the queue, in order,
// answering those whose request has ended. A filing under the same key as
// one already taken waits for the next group: one statement must not
// write two filings under one key. The group is sorted by key, so that
// groups written at once take their keys' index entries in one order.
func (g *filingGroups) take() []*queuedFiling {
	var group, rest []*queuedFiling
	keys := map[[2]string]bool{}
	for _, q := range g.queue {
		k := [2]string{q.f.Answer.UserID, q.f.Answer.Key}
		switch {
		case q.ctx.Err() != nil:
			q.done <- q.ctx.Err()
		case len(group) == FilingGroupMax || keys[k]:
			rest = append(rest, q)
		default:
			keys[k] = true
			group = append(group, q)
		}
	}
	g.queue = rest
	slices.SortFunc(group, func(a, b *queuedFiling) int {
		return cmp.Or(cmp.Compare(a.f.Answer.UserID, b.f.Answer.UserID), cmp.Compare(a.f.Answer.Key, b.f.Answer.Key))
	})
	return group
}

// writeGroup writes a group in one statement and answers each filing: nil,
// or claims.ErrKeyUsed when its key was there. A group of one, or a group
// whose statement failed, is written filing by filing; fellBack reports
// the latter. A panic while writing answers every filing not yet answered
// with an error instead of ending the process.
func (s ClaimStore) writeGroup(group []*queuedFiling) (fellBack bool) {
	answered := 0
	defer func() {
		if r := recover(); r != nil {
			for _, q := range group[answered:] {
				q.done <- fmt.Errorf("write filing group: %v", r)
			}
		}
	}()
	if len(group) > 1 {
		taken, err := s.insertGroup(group)
		if err == nil {
			s.db.wakeDispatch()
			for i, q := range group {
				if taken[i] {
					q.done <- nil
				} else {
					q.done <- claims.ErrKeyUsed
				}
			}
			return false
		}
		// One filing's conflict (a second claim for the same outage and
		// category) is enough; each filing gets its own answer below.
		slog.Info("filing group written filing by filing", "filings", len(group), "err", err)
		fellBack = true
	}
	for _, q := range group {
		err := q.ctx.Err()
		if err == nil {
			err = s.createClaimPG(q.ctx, nil, q.f, q.f.Audit)
		}
		q.done <- err
		answered++
	}
	return fellBack
}

// insertGroup runs the group's statement and reports which filings took
// their key (and so were written).
func (s ClaimStore) insertGroup(group []*queuedFiling) ([]bool, error) {
	pool, err := s.db.SQL()
	if err != nil {
		return nil, err
	}
	q, args := groupStatement(group)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(group[0].ctx), filingGroupTimeout)
	defer cancel()
	rows, err := pool.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	taken := make([]bool, len(group))
	for rows.Next() {
		var i int
		if err := rows.Scan(&i); err != nil {
			return nil, err
		}
		if i < 1 || i > len(group) {
			return nil, fmt.Errorf("filing group: row %d of %d", i, len(group))
		}
		taken[i-1] = true
	}
	return taken, rows.Err()
}

// groupStatement is the statement of a group: each table's rows come as
// one array parameter per column (unnest), each row with the position of
// its filing in the group; the keys are inserted first, and every other
// table takes the rows of the filings whose key was taken. It returns
// those positions.
func groupStatement(group []*queuedFiling) (string, []any) {
	var (
		keys, cs, es, evs, outs, marks, audits [][]any
		keyOf, outOf                           []any
	)
	for n, q := range group {
		f := q.f
		keys = append(keys, keyRow(f.Answer))
		cs, es, evs = append(cs, claimRow(f.Claim)), append(es, estimateRow(f.Estimate)), append(evs, eventRow(f.Event))
		audits = append(audits, auditRow(f.Audit))
		keyOf = append(keyOf, n+1)
		for _, m := range f.Outbox {
			outs, marks = append(outs, outboxRow(m)), append(marks, markRow(m))
			outOf = append(outOf, n+1)
		}
	}
	var b groupBuilder
	// The keys' insert comes first: its user_id and key columns are $1
	// and $2, which taken reads again.
	b.WriteString("WITH k AS (")
	b.insert(filingKeys, keys, nil)
	b.WriteString(" ON CONFLICT DO NOTHING RETURNING user_id, key),\ntaken AS (SELECT f.i FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS f(user_id, key, i)\n  JOIN k ON k.user_id = f.user_id AND k.key = f.key)")
	for _, t := range []struct {
		name  string
		table filingTable
		rows  [][]any
		of    []any
	}{{"claim", filingClaims, cs, keyOf}, {"estimate", filingEstimates, es, keyOf}, {"event", filingEvents, evs, keyOf},
		{"outbox", filingOutbox, outs, outOf}, {"unqueued", filingMarks, marks, outOf}, {"audit", filingAudit, audits, keyOf}} {
		if len(t.rows) == 0 {
			continue
		}
		b.WriteString(",\n" + t.name + " AS (")
		b.insert(t.table, t.rows, t.of)
		b.WriteString(")")
	}
	b.WriteString("\nSELECT i FROM taken")
	return b.String(), b.args
}

// groupBuilder writes a group's statement with numbered array parameters.
type groupBuilder struct {
	strings.Builder
	args []any
}

// param adds an array parameter of type typ and returns its placeholder.
func (b *groupBuilder) param(v []any, typ string) string {
	b.args = append(b.args, v)
	return "$" + strconv.Itoa(len(b.args)) + "::" + typ + "[]"
}

// insert writes t's insert of rows from unnest: a column whose value is a
// literal (the same in every row) is written as it is; with of, the rows
// are only those of the filings whose key was taken.
func (b *groupBuilder) insert(t filingTable, rows [][]any, of []any) {
	var sel, arrays, names []string
	for j, c := range t.cols {
		if lit, ok := rows[0][j].(sqlLiteral); ok {
			sel = append(sel, string(lit))
			continue
		}
		col := make([]any, len(rows))
		for i, r := range rows {
			col[i] = r[j]
		}
		sel, names = append(sel, "r."+c.name), append(names, c.name)
		arrays = append(arrays, b.param(col, c.typ))
	}
	if of != nil {
		arrays, names = append(arrays, b.param(of, "integer")), append(names, "i")
	}
	b.WriteString(t.ins + "\n  SELECT " + strings.Join(sel, ", ") + " FROM unnest(" + strings.Join(arrays, ", ") +
		") AS r(" + strings.Join(names, ", ") + ")")
	if of != nil {
		b.WriteString(" WHERE r.i IN (SELECT i FROM taken)")
	}
}
