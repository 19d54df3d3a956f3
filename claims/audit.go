package claims

import (
	"context"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/models"
)

// The audit records of the claims use cases: each use case builds its entry
// (auditEntry) and hands it to the store with the change it records.

// fileRecord is the record of filing c.
func fileRecord(c *models.Claim) audit.Record {
	return audit.Record{Action: "claim.file", Entity: audit.EntityClaim, EntityID: c.ID, SubjectID: c.ClaimantID,
		Details: map[string]any{"number": c.Number, "category": c.Category, "estimate_krw": c.EstimateAmountKRW}}
}

// statusRecord is the record of moving c as ev says.
func statusRecord(c *models.Claim, ev *models.ClaimEvent) audit.Record {
	return audit.Record{Action: "claim.status", Entity: audit.EntityClaim, EntityID: c.ID, SubjectID: c.ClaimantID,
		Details: map[string]any{"status": c.Status, "version": c.Version, "note": ev.Note}}
}

// evidenceRecord is the record of adding the file e to claim c.
func evidenceRecord(c *models.Claim, e *models.Evidence) audit.Record {
	return audit.Record{Action: "claim.evidence", Entity: audit.EntityClaim, EntityID: e.ClaimID, SubjectID: c.ClaimantID,
		Details: map[string]any{"evidence_id": e.ID, "kind": e.Kind, "sha256": e.SHA256, "size": e.Size}}
}

// auditEntry builds the entry of r, completed with the actor in ctx, at the
// service's clock.
func (s *Service) auditEntry(ctx context.Context, r audit.Record) (*models.AuditEntry, error) {
	return audit.BuildFor(ctx, r, s.now(), s.newID())
}

// appendAudit records r, completed with the actor in ctx, through to:
// inside a transaction it commits or rolls back with the change.
func (s *Service) appendAudit(ctx context.Context, to audit.Appender, r audit.Record) error {
	e, err := s.auditEntry(ctx, r)
	if err != nil {
		return err
	}
	return to.AppendAudit(ctx, e)
}
