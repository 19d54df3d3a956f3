package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
)

// Appender inserts one unsealed entry, filling e.Seq. A store bound to a
// transaction appends within it, so the entry commits or rolls back with the
// change it records.
type Appender interface {
	AppendAudit(ctx context.Context, e *models.AuditEntry) error
}

// Store is the persistence the audit trail needs.
type Store interface {
	Appender
	// SealTx runs fn in one transaction that holds the sealer lock, so at
	// most one sealer extends the chain at a time.
	SealTx(ctx context.Context, fn func(SealTx) error) error
	// AuditChain returns up to limit sealed entries with chain_pos > after,
	// in chain_pos order.
	AuditChain(ctx context.Context, after int64, limit int) ([]models.AuditEntry, error)
	// UnsealedAfter returns up to limit committed unsealed entries with
	// seq > after, in seq order, outside any sealing transaction: the
	// sealer reads the next page with it while it writes the current one.
	UnsealedAfter(ctx context.Context, after int64, limit int) ([]models.AuditEntry, error)
	// CountUnsealed counts committed entries not yet in the chain.
	CountUnsealed(ctx context.Context) (int64, error)
	// AuditCheckpoints lists every checkpoint in chain_pos order.
	AuditCheckpoints(ctx context.Context) ([]models.AuditCheckpoint, error)
	// AddAuditCheckpoint records cp; recording the same position again is a
	// no-op.
	AddAuditCheckpoint(ctx context.Context, cp *models.AuditCheckpoint) error
	// AppendAudits inserts es unsealed, in order, in as few statements as
	// it can, filling each Seq.
	AppendAudits(ctx context.Context, es []*models.AuditEntry) error
	// AuditEntries lists entries matching f, newest (highest seq) first.
	AuditEntries(ctx context.Context, f Filter) ([]models.AuditEntry, error)
}

// SealTx is the sealer's view of the store inside its transaction.
type SealTx interface {
	// ChainHead returns the position and hash of the last sealed entry, or
	// 0 and "" when nothing is sealed.
	ChainHead(ctx context.Context) (pos int64, hash string, err error)
	// LatestAuditCheckpoint returns the checkpoint with the highest
	// position; apperr.ErrNotFound when there is none.
	LatestAuditCheckpoint(ctx context.Context) (*models.AuditCheckpoint, error)
	// UnsealedEntries returns up to limit unsealed entries in seq order.
	UnsealedEntries(ctx context.Context, limit int) ([]models.AuditEntry, error)
	// SealEntry sets the chain fields of the unsealed entry seq: its
	// position, the hash before it, its hash and the algorithm of that hash.
	SealEntry(ctx context.Context, seq, pos int64, prevHash, hash, alg string) error
	// SealEntries does what SealEntry does for each of list, in as few
	// statements as it can. If any entry is already sealed (or missing),
	// it returns apperr.ErrNotFound and the transaction must not commit.
	SealEntries(ctx context.Context, list []Link) error
}

// Link is the chain fields one entry is sealed with.
type Link struct {
	Seq, Pos       int64
	PrevHash, Hash string
	Alg            string
}

// Filter selects entries to list. Zero fields select everything.
type Filter struct {
	Entity   string
	EntityID string
	// SubjectID selects the entries about that user's personal data: those
	// naming them as subject, and those about a payout batch holding one
	// of their claims (building, exporting or settling a batch touches
	// every claimant in it; the batch's items say who they are).
	SubjectID string
	// ActorID selects the entries of one acting user.
	ActorID string
	// From and To, when set, select entries at or after From and before
	// To.
	From, To time.Time
	// Before, when positive, lists only entries with seq < Before: the
	// cursor of the next page.
	Before int64
	Limit  int
}

// The entities entries are about.
const (
	EntityClaim       = "claim"
	EntityOutage      = "outage"
	EntityPayoutBatch = "payout_batch"
	EntityPolicy      = "policy"
	EntityUser        = "user"
	EntityAPIKey      = "api_key"
	// EntityOffer is a proactive offer (package offers).
	EntityOffer = "offer"
)

// Entities lists the entity names Append accepts.
var Entities = []string{EntityClaim, EntityOutage, EntityPayoutBatch, EntityPolicy, EntityUser, EntityAPIKey, EntityOffer}

// Record is what a caller reports; Append adds the id and time.
type Record struct {
	// ActorID is the acting user's id; empty for the system.
	ActorID   string
	ActorRole string
	IP        string
	// Action is "<entity>.<verb>", e.g. "outage.create", "claim.view",
	// "claim.decide".
	Action   string
	Entity   string
	EntityID string
	// SubjectID is the user whose personal data was touched, if any.
	SubjectID string
	// Details is encoded as JSON; nil stores {}.
	Details any
}

// Service appends, seals, verifies and checkpoints the audit trail.
type Service struct {
	store Store
	key   Key
	// log, when set, receives the signed checkpoints off the database and
	// is read back by every verification.
	log   CheckpointLog
	now   func() time.Time
	newID func() string
}

// NewService returns a Service over store that seals and signs with key
// (from NewKey), with an injected clock and id generator.
func NewService(store Store, key Key, now func() time.Time, newID func() string) *Service {
	return &Service{store: store, key: key, now: now, newID: newID}
}

// ExportTo makes log the place the service exports its signed checkpoints
// to, and compares the chain against on every verification; it returns s.
func (s *Service) ExportTo(log CheckpointLog) *Service {
	s.log = log
	return s
}

var actionPattern = regexp.MustCompile(`^[a-z][a-z_]*(\.[a-z][a-z_]*)+$`)

// maxDetails bounds the JSON details of one entry.
const maxDetails = 64 << 10

// Append records r as an unsealed entry through to (the service's own store
// when nil; pass a transaction-bound store to append inside a transaction)
// and returns it. A malformed record is a *apperr.ValidationError.
func (s *Service) Append(ctx context.Context, to Appender, r Record) (*models.AuditEntry, error) {
	e, err := Build(r, s.now(), s.newID())
	if err != nil {
		return nil, err
	}
	if to == nil {
		to = s.store
	}
	if err := to.AppendAudit(ctx, e); err != nil {
		return nil, fmt.Errorf("append audit entry %s: %w", e.Action, err)
	}
	return e, nil
}

// AppendAll records rs, each as Append would, through the service's own
// store in one batch (a page of staff reads records one entry per claimant
// shown), and returns them. A malformed record is a *apperr.ValidationError
// and nothing is recorded.
func (s *Service) AppendAll(ctx context.Context, rs []Record) ([]*models.AuditEntry, error) {
	es := make([]*models.AuditEntry, len(rs))
	for i, r := range rs {
		e, err := Build(r, s.now(), s.newID())
		if err != nil {
			return nil, err
		}
		es[i] = e
	}
	if len(es) == 0 {
		return es, nil
	}
	if err := s.store.AppendAudits(ctx, es); err != nil {
		return nil, fmt.Errorf("append %d audit entries (%s): %w", len(es), es[0].Action, err)
	}
	return es, nil
}

// Build validates r and builds the row with id at time at. Times keep
// microseconds, the precision both databases store, so that what is hashed
// is what is read. A malformed record is a *apperr.ValidationError.
func Build(r Record, at time.Time, id string) (*models.AuditEntry, error) {
	var f apperr.Fields
	if !actionPattern.MatchString(r.Action) || len(r.Action) > 64 {
		f.AddMsg("action", apperr.M("audit.action"))
	}
	if !slices.Contains(Entities, r.Entity) {
		f.AddMsg("entity", apperr.M("audit.entity"))
	}
	if r.EntityID == "" || len(r.EntityID) > 200 {
		f.AddMsg("entity_id", apperr.M("audit.entity_id"))
	}
	actor, ok := optionalUUID(r.ActorID)
	if !ok {
		f.AddMsg("actor_id", apperr.M("audit.actor_id"))
	}
	subject, ok := optionalUUID(r.SubjectID)
	if !ok {
		f.AddMsg("subject_id", apperr.M("audit.subject_id"))
	}
	if len(r.IP) > 64 || len(r.ActorRole) > 32 {
		f.AddMsg("ip", apperr.M("audit.ip"))
	}
	details := "{}"
	if r.Details != nil {
		b, err := json.Marshal(r.Details)
		if err != nil || len(b) > maxDetails {
			f.AddMsg("details", apperr.M("audit.details"))
		}
		details = string(b)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return &models.AuditEntry{
		ID: id, At: at.UTC().Truncate(time.Microsecond),
		ActorID: actor, ActorRole: clean(r.ActorRole), IP: clean(r.IP),
		Action: r.Action, Entity: r.Entity, EntityID: clean(r.EntityID), SubjectID: subject,
		Details: details,
	}, nil
}

// optionalUUID normalises a UUID to its lowercase form; empty is nil.
func optionalUUID(s string) (*string, bool) {
	if s == "" {
		return nil, true
	}
	u, err := uuid.Parse(s)
	if err != nil || len(s) != 36 {
		return nil, false
	}
	v := u.String()
	return &v, true
}

// clean makes s valid UTF-8, so that the canonical encoding (which would
// replace invalid bytes) hashes exactly what is stored.
func clean(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// List returns entries matching f, newest first, and the cursor of the next
// page (0 when this page is the last). Limit defaults to 50, at most 500.
func (s *Service) List(ctx context.Context, f Filter) ([]models.AuditEntry, int64, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 500)
	if f.EntityID != "" && f.Entity == "" {
		return nil, 0, apperr.InvalidMsg("entity", apperr.M("audit.filter_id_needs_entity"))
	}
	if f.SubjectID != "" {
		v, ok := optionalUUID(f.SubjectID)
		if !ok {
			return nil, 0, apperr.InvalidMsg("subject", apperr.M("audit.filter_subject"))
		}
		f.SubjectID = *v
	}
	if f.ActorID != "" {
		v, ok := optionalUUID(f.ActorID)
		if !ok {
			return nil, 0, apperr.InvalidMsg("actor", apperr.M("audit.filter_actor"))
		}
		f.ActorID = *v
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return nil, 0, apperr.InvalidMsg("to", apperr.M("audit.filter_range"))
	}
	want := f.Limit
	f.Limit++
	list, err := s.store.AuditEntries(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	if len(list) <= want {
		return list, 0, nil
	}
	list = list[:want]
	return list, list[want-1].Seq, nil
}
