package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
)

// ClaimPage reads a claim with its estimates, events, files, outcome
// decisions and paid payout item. On PostgreSQL that is one statement that
// returns the page as one JSON document (a claimant's page is the hottest
// read, and six round trips cost more than the rows); SQLite, in process,
// reads them one statement each. On PostgreSQL a page read before is
// answered from the claim page cache while the claim's row is unchanged
// (claimPageCache): then the only statement is the read of the row's stamp.
func (s ClaimStore) ClaimPage(ctx context.Context, id string) (*claims.Page, error) {
	if !validUUID(id) {
		return nil, fmt.Errorf("claim %q: %w", id, apperr.ErrNotFound)
	}
	if s.db.dialect == Postgres {
		return s.claimPagePG(ctx, id)
	}
	c, err := s.Claim(ctx, id)
	if err != nil {
		return nil, err
	}
	p := &claims.Page{Claim: *c}
	est, err := s.Estimates(ctx, id)
	if err != nil {
		return nil, err
	}
	p.Estimates = est[id]
	if p.Events, err = s.Events(ctx, id); err != nil {
		return nil, err
	}
	if p.Evidence, err = s.EvidenceOf(ctx, id); err != nil {
		return nil, err
	}
	decisions, err := s.OutcomeDecisions(ctx, id)
	if err != nil {
		return nil, err
	}
	p.Decisions = decisions[id]
	paid, err := s.Payments(ctx, id)
	if err != nil {
		return nil, err
	}
	if it, ok := paid[id]; ok {
		p.Payment = &it
	}
	return p, nil
}

// claimPagePG answers from the claim page cache when the claim's row still
// has the stamp its page was cached with (see claimPageCache), and reads
// the page otherwise. Inside a transaction it always reads and keeps
// nothing: a transaction writes every row version under its one xmin, so a
// page it read between two of its writes would outlive the second.
func (s ClaimStore) claimPagePG(ctx context.Context, id string) (*claims.Page, error) {
	cache := s.db.pages
	if cache == nil || s.db.changed != nil {
		p, _, err := s.readClaimPagePG(ctx, id)
		return p, err
	}
	if e, ok := cache.get(id); ok {
		var stamp string
		err := s.g(ctx).Statement.ConnPool.QueryRowContext(ctx, claimStampSQL, id).Scan(&stamp)
		if errors.Is(err, sql.ErrNoRows) {
			cache.forget(id)
			return nil, fmt.Errorf("find claim %s: %w", id, apperr.ErrNotFound)
		}
		if err != nil {
			return nil, translate(err, "find claim "+id)
		}
		if stamp == e.stamp {
			cache.hits.Add(1)
			p := *e.page // the caller's copy; its slices stay shared and are only read
			return &p, nil
		}
	}
	cache.misses.Add(1)
	p, stamp, err := s.readClaimPagePG(ctx, id)
	if err != nil {
		return nil, err
	}
	cache.put(id, stamp, p)
	cp := *p
	return &cp, nil
}

// claimStampSQL reads the stamp of a claim's row: see claimPageCache.
const claimStampSQL = `SELECT xmin::text FROM claims WHERE id = $1`

// readClaimPagePG reads a claim's page in one statement, with the stamp of
// the claim's row it was read with.
func (s ClaimStore) readClaimPagePG(ctx context.Context, id string) (*claims.Page, string, error) {
	q, err := claimPageQuery(s.g(ctx))
	if err != nil {
		return nil, "", err
	}
	// Straight to the connection (or the transaction): gorm would scan the
	// long statement for placeholders on every call.
	var doc []byte
	err = s.g(ctx).Statement.ConnPool.QueryRowContext(ctx, q, id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", fmt.Errorf("find claim %s: %w", id, apperr.ErrNotFound)
	}
	if err != nil {
		return nil, "", translate(err, "find claim page "+id)
	}
	var p struct {
		claims.Page
		Stamp string
	}
	if err := json.Unmarshal(doc, &p); err != nil {
		return nil, "", fmt.Errorf("decode claim page %s: %w", id, err)
	}
	utcPage(&p.Page)
	return &p.Page, p.Stamp, nil
}

var claimPageSQL struct {
	once sync.Once
	q    string
	err  error
}

// claimPageQuery builds the page statement once from the models' gorm
// schemas, so a column added to a model is read without editing it.
func claimPageQuery(g *gorm.DB) (string, error) {
	claimPageSQL.once.Do(func() {
		var obj [6]string
		for i, m := range []struct {
			model any
			alias string
		}{{&models.Claim{}, "c"}, {&models.ClaimEstimate{}, "e"}, {&models.ClaimEvent{}, "v"},
			{&models.Evidence{}, "f"}, {&models.Decision{}, "d"}, {&models.PayoutItem{}, "p"}} {
			o, err := jsonObject(g, m.model, m.alias)
			if err != nil {
				claimPageSQL.err = err
				return
			}
			obj[i] = o
		}
		statuses := "'" + strings.Join(outcomeStatuses, "', '") + "'"
		claimPageSQL.q = `SELECT json_build_object('Stamp', c.xmin::text, 'Claim', ` + obj[0] + `,
 'Estimates', (SELECT json_agg(` + obj[1] + ` ORDER BY e.created_at, e.id) FROM claim_estimates e WHERE e.claim_id = c.id),
 'Events', (SELECT json_agg(` + obj[2] + ` ORDER BY v.created_at, v.id) FROM claim_events v WHERE v.claim_id = c.id),
 'Evidence', (SELECT json_agg(` + obj[3] + ` ORDER BY f.created_at, f.id) FROM evidence f WHERE f.claim_id = c.id),
 'Decisions', (SELECT json_agg(` + obj[4] + ` ORDER BY d.claim_version) FROM decisions d
    WHERE d.claim_id = c.id AND d.to_status IN (` + statuses + `)),
 'Payment', (SELECT ` + obj[5] + ` FROM payout_items p WHERE p.claim_id = c.id AND p.status = 'paid' LIMIT 1)
)::text FROM claims c WHERE c.id = $1`
	})
	return claimPageSQL.q, claimPageSQL.err
}

// jsonObject is a json_build_object of every column of model's row under
// alias, keyed by the Go field name that encoding/json fills.
func jsonObject(g *gorm.DB, model any, alias string) (string, error) {
	stmt := &gorm.Statement{DB: g}
	if err := stmt.Parse(model); err != nil {
		return "", fmt.Errorf("schema of %T: %w", model, err)
	}
	pairs := make([]string, 0, len(stmt.Schema.Fields))
	for _, f := range stmt.Schema.Fields {
		if f.DBName != "" {
			pairs = append(pairs, fmt.Sprintf("'%s', %s.%q", f.Name, alias, f.DBName))
		}
	}
	return "json_build_object(" + strings.Join(pairs, ", ") + ")", nil
}

// utcPage puts the page's times in UTC, as the rows gorm scans come.
func utcPage(p *claims.Page) {
	c := &p.Claim
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	for _, t := range []*time.Time{c.LeaseExpiresAt, c.DecidedAt, c.AppealedAt, c.SupplementDueAt} {
		utcPtr(t)
	}
	for i := range p.Estimates {
		p.Estimates[i].CreatedAt = p.Estimates[i].CreatedAt.UTC()
		utcPtr(p.Estimates[i].SupersededAt)
	}
	for i := range p.Events {
		p.Events[i].CreatedAt = p.Events[i].CreatedAt.UTC()
	}
	for i := range p.Evidence {
		p.Evidence[i].CreatedAt = p.Evidence[i].CreatedAt.UTC()
	}
	for i := range p.Decisions {
		p.Decisions[i].CreatedAt = p.Decisions[i].CreatedAt.UTC()
		utcPtr(p.Decisions[i].DueAt)
	}
	if it := p.Payment; it != nil {
		it.CreatedAt = it.CreatedAt.UTC()
		utcPtr(it.SettledAt)
	}
}

func utcPtr(t *time.Time) {
	if t != nil {
		*t = t.UTC()
	}
}
