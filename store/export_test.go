package store

import (
	"context"

	"github.com/bosang/bosang/claims"
)

// WriteFilingGroup writes fs as one group of filings that take their keys,
// as createClaimGrouped's writer does when they queued together, and
// returns each filing's answer and whether the group's statement failed,
// so that they were written one by one (PostgreSQL only).
func (s ClaimStore) WriteFilingGroup(ctx context.Context, fs []claims.Filing) (errs []error, fellBack bool) {
	group := make([]*queuedFiling, len(fs))
	for i, f := range fs {
		group[i] = &queuedFiling{ctx: ctx, f: f, done: make(chan error, 1)}
	}
	fellBack = s.writeGroup(group)
	errs = make([]error, len(fs))
	for i, q := range group {
		errs[i] = <-q.done
	}
	return errs, fellBack
}

// TakeFilingGroup queues fs (each with its request's context) as
// createClaimGrouped does, without a writer, takes one group as the writer
// would, and returns the keys of the group in its order, the keys left
// queued, and the answers given to filings that were not taken.
func TakeFilingGroup(ctxs []context.Context, fs []claims.Filing) (group, left []string, answered map[string]error) {
	g := &filingGroups{}
	for i, f := range fs {
		g.queue = append(g.queue, &queuedFiling{ctx: ctxs[i], f: f, done: make(chan error, 1)})
	}
	queued := g.queue
	for _, q := range g.take() {
		group = append(group, q.f.Answer.Key)
	}
	for _, q := range g.queue {
		left = append(left, q.f.Answer.Key)
	}
	answered = map[string]error{}
	for _, q := range queued {
		select {
		case err := <-q.done:
			answered[q.f.Answer.Key] = err
		default:
		}
	}
	return group, left, answered
}
