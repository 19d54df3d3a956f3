package audit

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
)

// The reasons Verify gives, each starting with a stable prefix.
const (
	ReasonHashMismatch       = "hash mismatch: the entry was edited after sealing"
	ReasonGap                = "gap: chain position %d is missing (an entry was deleted)"
	ReasonBrokenLink         = "broken link: prev_hash is not the hash of the entry before (an entry was deleted, inserted or moved)"
	ReasonCheckpointMismatch = "checkpoint mismatch: the checkpoint of %s records another hash at this position (the chain was rewritten)"
	ReasonTruncated          = "truncated: the chain ends at position %d but the checkpoint of %s records position %d"
)

// verifyBatch is how many entries Verify reads at a time.
const verifyBatch = 1000

// BrokenEntry names where the chain first fails: the position, the id of
// the entry found there (empty when it is missing) and why.
type BrokenEntry struct {
	ChainPos int64  `json:"chain_pos"`
	ID       string `json:"id"`
	Reason   string `json:"reason"`
}

// Result is the outcome of Verify. Entries counts the sealed entries found
// intact (up to the first broken one); Head is the hash of the last of them
// (Genesis when there are none); Unsealed counts entries awaiting the sealer,
// which is not an error.
type Result struct {
	OK          bool         `json:"ok"`
	Entries     int64        `json:"entries"`
	Head        string       `json:"head"`
	FirstBroken *BrokenEntry `json:"first_broken"`
	Unsealed    int64        `json:"unsealed"`
}

// Verify walks the whole chain in position order, a batch at a time,
// recomputing every hash and checking it against the checkpoints recorded in
// the database. Only errors reading the store are returned as errors; a
// broken chain is a Result with OK false.
func (s *Service) Verify(ctx context.Context) (Result, error) {
	return s.VerifyWith(ctx, nil)
}

// VerifyWith is Verify that also checks the chain against extra checkpoints,
// typically read back from an exported file with ReadCheckpoints.
func (s *Service) VerifyWith(ctx context.Context, extra []models.AuditCheckpoint) (Result, error) {
	cps, err := s.store.AuditCheckpoints(ctx)
	if err != nil {
		return Result{}, err
	}
	cps = append(cps, extra...)
	slices.SortStableFunc(cps, func(a, b models.AuditCheckpoint) int { return cmp.Compare(a.ChainPos, b.ChainPos) })
	unsealed, err := s.store.CountUnsealed(ctx)
	if err != nil {
		return Result{}, err
	}
	res, err := s.walk(ctx, cps)
	res.Unsealed = unsealed
	return res, err
}

// walk checks each entry, in this order: its position follows the previous
// one, its hash recomputes from its own prev_hash and fields, its prev_hash
// is the previous hash, and it agrees with any checkpoint at its position.
// So an edited entry is named for its hash, a deleted one by the entry after
// the gap, a moved one by the first position it no longer links to.
func (s *Service) walk(ctx context.Context, cps []models.AuditCheckpoint) (Result, error) {
	res := Result{Head: Genesis}
	var pos int64
	ci := 0
	for {
		page, err := s.store.AuditChain(ctx, pos, verifyBatch)
		if err != nil {
			return res, err
		}
		for i := range page {
			e := &page[i]
			if b := check(e, pos, res.Head, cps, &ci); b != nil {
				res.FirstBroken = b
				return res, nil
			}
			pos, res.Head = *e.ChainPos, e.Hash
			res.Entries++
		}
		if len(page) < verifyBatch {
			break
		}
	}
	for ; ci < len(cps); ci++ {
		if cps[ci].ChainPos > pos {
			cp := cps[ci]
			res.FirstBroken = &BrokenEntry{ChainPos: pos + 1,
				Reason: fmt.Sprintf(ReasonTruncated, pos, stamp(cp.At), cp.ChainPos)}
			return res, nil
		}
	}
	res.OK = true
	return res, nil
}

func check(e *models.AuditEntry, prevPos int64, prevHash string, cps []models.AuditCheckpoint, ci *int) *BrokenEntry {
	at := *e.ChainPos
	switch {
	case at != prevPos+1:
		return &BrokenEntry{ChainPos: at, ID: e.ID, Reason: fmt.Sprintf(ReasonGap, prevPos+1)}
	case Hash(e.PrevHash, e) != e.Hash:
		return &BrokenEntry{ChainPos: at, ID: e.ID, Reason: ReasonHashMismatch}
	case e.PrevHash != prevHash:
		return &BrokenEntry{ChainPos: at, ID: e.ID, Reason: ReasonBrokenLink}
	}
	for ; *ci < len(cps) && cps[*ci].ChainPos <= at; *ci++ {
		if cp := cps[*ci]; cp.ChainPos == at && cp.Hash != e.Hash {
			return &BrokenEntry{ChainPos: at, ID: e.ID, Reason: fmt.Sprintf(ReasonCheckpointMismatch, stamp(cp.At))}
		}
	}
	return nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Checkpoint verifies the whole chain and records its head as a checkpoint,
// which it returns. A broken chain is apperr.ErrConflict (nothing is
// recorded: a checkpoint must never bless tampering); an empty one too.
// Checkpointing an unchanged head again returns the existing checkpoint.
func (s *Service) Checkpoint(ctx context.Context) (*models.AuditCheckpoint, error) {
	res, err := s.Verify(ctx)
	if err != nil {
		return nil, err
	}
	if !res.OK {
		b := res.FirstBroken
		return nil, fmt.Errorf("audit chain broken at position %d (%s): %s: %w", b.ChainPos, b.ID, b.Reason, apperr.ErrConflict)
	}
	if res.Entries == 0 {
		return nil, fmt.Errorf("audit chain is empty, nothing to checkpoint: %w", apperr.ErrConflict)
	}
	cp := &models.AuditCheckpoint{ChainPos: res.Entries, Hash: res.Head, At: s.now().UTC().Truncate(time.Microsecond)}
	if err := s.store.AddAuditCheckpoint(ctx, cp); err != nil {
		return nil, fmt.Errorf("record audit checkpoint: %w", err)
	}
	return cp, nil
}

// ExportCheckpoints writes every checkpoint to w as JSON lines
// ({"chain_pos":…,"hash":…,"at":…}), oldest first, for safekeeping off the
// database.
func (s *Service) ExportCheckpoints(ctx context.Context, w io.Writer) error {
	cps, err := s.store.AuditCheckpoints(ctx)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	for _, cp := range cps {
		cp.At = cp.At.UTC()
		if err := enc.Encode(cp); err != nil {
			return fmt.Errorf("export audit checkpoints: %w", err)
		}
	}
	return nil
}

// ReadCheckpoints parses checkpoints written by ExportCheckpoints. A
// malformed line is apperr.ErrInvalid naming the line.
func ReadCheckpoints(r io.Reader) ([]models.AuditCheckpoint, error) {
	var out []models.AuditCheckpoint
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var cp models.AuditCheckpoint
		if err := json.Unmarshal(sc.Bytes(), &cp); err != nil || cp.ChainPos <= 0 || len(cp.Hash) != len(Genesis) {
			return nil, fmt.Errorf("checkpoint line %d is malformed: %w", n, apperr.ErrInvalid)
		}
		out = append(out, cp)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read checkpoints: %w", err)
	}
	return out, nil
}
