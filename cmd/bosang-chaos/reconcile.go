package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// reconciliation is what the database says about the acknowledged keys.
type reconciliation struct {
	Reconciled  int      // acknowledged keys of the phase found exactly as answered
	Lost        int      // acknowledged keys whose claim is missing or differs
	Duplicates  int      // extra claims for one (claimant, outage, category) or one key
	Orphans     int      // claims (whole database) no acknowledged key of the run points at
	ClaimsInDB  int      // claims in the database after the phase
	AckedSoFar  int      // acknowledged keys of the run so far
	Problems    []string // first few details
	TerminalHit int      // keys answered with a final non-2xx whose claim nevertheless exists
}

func (r *reconciliation) problem(format string, args ...any) {
	if len(r.Problems) < 20 {
		r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
	}
}

// reconcile checks phase's acknowledged keys against idempotency_keys and
// claims, and the whole database for duplicates and for claims nobody was
// told about. all holds every key acknowledged in the run so far.
func reconcile(ctx context.Context, fx *fixture, phase map[string]ack, terminal map[string]string, all map[string]ack) (*reconciliation, error) {
	conn, err := pgx.Connect(ctx, fx.DSN)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	type keyRow struct {
		state  string
		status int
		body   string
	}
	keys := map[[2]string]keyRow{}
	rows, err := conn.Query(ctx, `SELECT user_id::text, key, state, response_status, response_body FROM idempotency_keys`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var u, k string
		var kr keyRow
		if err := rows.Scan(&u, &k, &kr.state, &kr.status, &kr.body); err != nil {
			return nil, err
		}
		keys[[2]string{u, k}] = kr
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	type claimRow struct{ claimant, outage, category string }
	claims := map[string]claimRow{}
	rows, err = conn.Query(ctx, `SELECT id::text, claimant_id::text, outage_id::text, category FROM claims`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id string
		var c claimRow
		if err := rows.Scan(&id, &c.claimant, &c.outage, &c.category); err != nil {
			return nil, err
		}
		claims[id] = c
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	r := &reconciliation{ClaimsInDB: len(claims), AckedSoFar: len(all)}

	// Every acknowledged key of the phase maps to exactly the claim it was
	// told about, and that claim is the one the client filed.
	for key, a := range phase {
		u := fx.Claimants[a.Claimant].ID
		kr, ok := keys[[2]string{u, key}]
		if !ok {
			r.Lost++
			r.problem("LOST: key %s (claim %s acknowledged) has no idempotency_keys row", key, a.ClaimID)
			continue
		}
		var v struct {
			ID string `json:"id"`
		}
		json.Unmarshal([]byte(kr.body), &v) //nolint:errcheck // an empty id is reported below
		c, exists := claims[a.ClaimID]
		switch {
		case kr.state != "done" || kr.status/100 != 2:
			r.Lost++
			r.problem("LOST: key %s acknowledged with claim %s but stored as %s/%d", key, a.ClaimID, kr.state, kr.status)
		case v.ID != a.ClaimID:
			r.Lost++
			r.problem("LOST: key %s acknowledged with claim %s but stores claim %q", key, a.ClaimID, v.ID)
		case !exists:
			r.Lost++
			r.problem("LOST: claim %s acknowledged for key %s is not in claims", a.ClaimID, key)
		case c.claimant != u || c.outage != a.Outage || c.category != "driver":
			r.Lost++
			r.problem("LOST: claim %s of key %s is (%s, %s, %s), filed as (%s, %s, driver)", a.ClaimID, key, c.claimant, c.outage, c.category, u, a.Outage)
		default:
			r.Reconciled++
		}
	}
	// A key answered with a final error must not have produced a claim.
	for key, label := range terminal {
		for _, cl := range fx.Claimants {
			if kr, ok := keys[[2]string{cl.ID, key}]; ok && kr.status/100 == 2 {
				r.TerminalHit++
				r.problem("key %s was answered %s yet stores a %d", key, label, kr.status)
			}
		}
	}
	// No claim twice: per (claimant, outage, category), and per key.
	perUnit := map[claimRow]int{}
	for _, c := range claims {
		perUnit[c]++
	}
	for unit, n := range perUnit {
		if n > 1 {
			r.Duplicates += n - 1
			r.problem("DUPLICATE: %d claims for claimant %s, outage %s, category %s", n, unit.claimant, unit.outage, unit.category)
		}
	}
	perClaim := map[string]int{}
	for k, kr := range keys {
		if kr.status/100 != 2 {
			continue
		}
		var v struct {
			ID string `json:"id"`
		}
		if json.Unmarshal([]byte(kr.body), &v) == nil && v.ID != "" {
			perClaim[v.ID]++
			if perClaim[v.ID] == 2 {
				r.problem("DUPLICATE: claim %s is the answer of more than one key (one is %s)", v.ID, k[1])
			}
		}
	}
	for _, n := range perClaim {
		if n > 1 {
			r.Duplicates += n - 1
		}
	}
	// Claims that no acknowledged key points at: filed, yet nobody was told.
	ackedIDs := make(map[string]bool, len(all))
	for _, a := range all {
		ackedIDs[a.ClaimID] = true
	}
	for id := range claims {
		if !ackedIDs[id] {
			r.Orphans++
			r.problem("ORPHAN: claim %s exists but no client got a 2xx for it", id)
		}
	}
	return r, nil
}
