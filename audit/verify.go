package audit

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/bosang/bosang/models"
)

// The reasons Verify gives, each starting with a stable prefix.
const (
	ReasonHashMismatch       = "hash mismatch: the entry was edited after sealing"
	ReasonUnkeyed            = "unkeyed: the entry's hash is plain SHA-256 after the chain was keyed (written without the audit key)"
	ReasonGap                = "gap: chain position %d is missing (an entry was deleted)"
	ReasonBrokenLink         = "broken link: prev_hash is not the hash of the entry before (an entry was deleted, inserted or moved)"
	ReasonCheckpointMismatch = "checkpoint mismatch: the checkpoint of %s records another hash at this position (the chain was rewritten)"
	ReasonTruncated          = "truncated: the chain ends at position %d but the checkpoint of %s records position %d"
)

// The reasons Verify gives about checkpoints themselves.
const (
	ReasonCheckpointWiped     = "wiped: the checkpoint exported at %s is missing from the database"
	ReasonCheckpointRewritten = "rewritten: the database's checkpoint differs from the one exported at %s"
	ReasonCheckpointForged    = "forged: the database's checkpoint does not carry a valid signature of the audit key"
	ReasonCheckpointUnsigned  = "unsigned: the database's checkpoint has no signature but the chain was keyed at this position"
	ReasonExportForged        = "export forged: the exported checkpoint does not carry a valid signature of the audit key"
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

// BrokenCheckpoint is a checkpoint that was wiped, rewritten or forged: in
// the database, or in the export it is compared with.
type BrokenCheckpoint struct {
	ChainPos int64  `json:"chain_pos"`
	Reason   string `json:"reason"`
}

// Result is the outcome of Verify. Entries counts the sealed entries found
// intact (up to the first broken one); Head is the hash of the last of them
// (Genesis when there are none); Unsealed counts entries awaiting the sealer,
// which is not an error. Exported counts the checkpoints read back from the
// export the chain and the database's checkpoints were compared with;
// BrokenCheckpoints lists the checkpoints found wiped, rewritten or forged.
// OK is true only with no broken entry and no broken checkpoint.
type Result struct {
	OK                bool               `json:"ok"`
	Entries           int64              `json:"entries"`
	Head              string             `json:"head"`
	FirstBroken       *BrokenEntry       `json:"first_broken"`
	Unsealed          int64              `json:"unsealed"`
	Exported          int                `json:"exported_checkpoints"`
	BrokenCheckpoints []BrokenCheckpoint `json:"broken_checkpoints"`
}

// Verify walks the whole chain in position order, a batch at a time,
// recomputing every hash with the algorithm of its entry, and checks it
// against the checkpoints recorded in the database and those exported to
// the service's CheckpointLog, which it compares one with the other. Only
// errors reading the store or the log are returned as errors; a broken
// chain or checkpoint is a Result with OK false.
func (s *Service) Verify(ctx context.Context) (Result, error) {
	return s.VerifyWith(ctx, nil)
}

// VerifyWith is Verify that also checks the chain and the database's
// checkpoints against extra checkpoints, typically read back from a file
// with ReadCheckpoints. Unsigned extra checkpoints (exported before the
// chain was keyed) are taken on trust; signed ones must verify.
func (s *Service) VerifyWith(ctx context.Context, extra []models.AuditCheckpoint) (Result, error) {
	db, err := s.store.AuditCheckpoints(ctx)
	if err != nil {
		return Result{}, err
	}
	external := slices.Clone(extra)
	if s.log != nil {
		exported, err := s.log.Checkpoints(ctx)
		if err != nil {
			return Result{}, fmt.Errorf("read exported audit checkpoints: %w", err)
		}
		external = append(external, exported...)
	}
	trusted, broken := s.compareCheckpoints(db, external)
	unsealed, err := s.store.CountUnsealed(ctx)
	if err != nil {
		return Result{}, err
	}
	res, unsignedAt, err := s.walk(ctx, trusted)
	if err != nil {
		return res, err
	}
	for _, pos := range slices.Compact(unsignedAt) {
		broken = append(broken, BrokenCheckpoint{ChainPos: pos, Reason: ReasonCheckpointUnsigned})
	}
	slices.SortStableFunc(broken, func(a, b BrokenCheckpoint) int { return cmp.Compare(a.ChainPos, b.ChainPos) })
	res.Unsealed, res.Exported, res.BrokenCheckpoints = unsealed, len(external), broken
	if res.BrokenCheckpoints == nil {
		res.BrokenCheckpoints = []BrokenCheckpoint{}
	}
	res.OK = res.FirstBroken == nil && len(broken) == 0
	return res, nil
}

// compareCheckpoints sorts the database's checkpoints and the external
// ones into those the chain is checked against (sorted by position) and
// those found broken: an external checkpoint with a bad signature, one the
// database lacks (wiped) or holds otherwise (rewritten), and a database
// checkpoint whose signature does not verify (forged). Broken checkpoints
// never judge the chain: a forged one would blame intact entries.
func (s *Service) compareCheckpoints(db, external []models.AuditCheckpoint) ([]models.AuditCheckpoint, []BrokenCheckpoint) {
	var trusted []models.AuditCheckpoint
	var broken []BrokenCheckpoint
	byPos := make(map[int64]models.AuditCheckpoint, len(db))
	for _, cp := range db {
		byPos[cp.ChainPos] = cp
	}
	reported := map[int64]bool{}
	for _, x := range external {
		if x.Sig != "" && !s.key.Signed(x) {
			broken = append(broken, BrokenCheckpoint{ChainPos: x.ChainPos, Reason: ReasonExportForged})
			continue
		}
		trusted = append(trusted, x)
		in, ok := byPos[x.ChainPos]
		switch {
		case reported[x.ChainPos]:
		case !ok:
			broken = append(broken, BrokenCheckpoint{ChainPos: x.ChainPos, Reason: fmt.Sprintf(ReasonCheckpointWiped, stamp(x.At))})
			reported[x.ChainPos] = true
		case in.Hash != x.Hash || x.Sig != "" && (in.Sig != x.Sig || !in.At.Equal(x.At)):
			broken = append(broken, BrokenCheckpoint{ChainPos: x.ChainPos, Reason: fmt.Sprintf(ReasonCheckpointRewritten, stamp(x.At))})
			reported[x.ChainPos] = true
		}
	}
	for _, cp := range db {
		switch {
		case cp.Sig == "":
			trusted = append(trusted, cp) // walk checks it stands on unkeyed entries
		case s.key.Signed(cp):
			trusted = append(trusted, cp)
		case !reported[cp.ChainPos]:
			broken = append(broken, BrokenCheckpoint{ChainPos: cp.ChainPos, Reason: ReasonCheckpointForged})
		}
	}
	slices.SortStableFunc(trusted, func(a, b models.AuditCheckpoint) int { return cmp.Compare(a.ChainPos, b.ChainPos) })
	return trusted, broken
}

// walk checks each entry, in this order: its position follows the previous
// one, its hash recomputes from its own prev_hash and fields with its own
// algorithm, it is keyed if any entry before it is, its prev_hash is the
// previous hash, and it agrees with any checkpoint at its position. So an
// edited entry is named for its hash, a forged unkeyed one for being
// unkeyed, a deleted one by the entry after the gap, a moved one by the
// first position it no longer links to. An unsigned checkpoint judges only
// unkeyed entries (the chain before it was keyed); the positions of those
// standing on keyed entries are returned.
func (s *Service) walk(ctx context.Context, cps []models.AuditCheckpoint) (Result, []int64, error) {
	res := Result{Head: Genesis}
	w := walker{key: s.key, cps: cps}
	for {
		page, err := s.store.AuditChain(ctx, w.pos, verifyBatch)
		if err != nil {
			return res, nil, err
		}
		for i := range page {
			e := &page[i]
			if b := w.check(e, res.Head); b != nil {
				res.FirstBroken = b
				return res, w.unsigned, nil
			}
			w.pos, res.Head = *e.ChainPos, e.Hash
			res.Entries++
		}
		if len(page) < verifyBatch {
			break
		}
	}
	for ; w.ci < len(w.cps); w.ci++ {
		cp := w.cps[w.ci]
		switch {
		case cp.ChainPos <= w.pos:
		case cp.Sig == "" && w.keyed:
			w.unsigned = append(w.unsigned, cp.ChainPos)
		default:
			res.FirstBroken = &BrokenEntry{ChainPos: w.pos + 1,
				Reason: fmt.Sprintf(ReasonTruncated, w.pos, stamp(cp.At), cp.ChainPos)}
			return res, w.unsigned, nil
		}
	}
	return res, w.unsigned, nil
}

// walker is the state of one walk along the chain.
type walker struct {
	key Key
	cps []models.AuditCheckpoint
	ci  int
	pos int64
	// keyed is set once a keyed entry has been seen: no unkeyed one may
	// follow.
	keyed    bool
	unsigned []int64
}

func (w *walker) check(e *models.AuditEntry, prevHash string) *BrokenEntry {
	at := *e.ChainPos
	h, known := w.key.hashOf(e)
	switch {
	case at != w.pos+1:
		return &BrokenEntry{ChainPos: at, ID: e.ID, Reason: fmt.Sprintf(ReasonGap, w.pos+1)}
	case !known || h != e.Hash:
		return &BrokenEntry{ChainPos: at, ID: e.ID, Reason: ReasonHashMismatch}
	case w.keyed && e.HashAlg == AlgSHA256:
		return &BrokenEntry{ChainPos: at, ID: e.ID, Reason: ReasonUnkeyed}
	case e.PrevHash != prevHash:
		return &BrokenEntry{ChainPos: at, ID: e.ID, Reason: ReasonBrokenLink}
	}
	w.keyed = w.keyed || e.HashAlg != AlgSHA256
	for ; w.ci < len(w.cps) && w.cps[w.ci].ChainPos <= at; w.ci++ {
		cp := w.cps[w.ci]
		switch {
		case cp.ChainPos != at:
		case cp.Sig == "" && e.HashAlg != AlgSHA256:
			w.unsigned = append(w.unsigned, at)
		case cp.Hash != e.Hash:
			return &BrokenEntry{ChainPos: at, ID: e.ID, Reason: fmt.Sprintf(ReasonCheckpointMismatch, stamp(cp.At))}
		}
	}
	return nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
