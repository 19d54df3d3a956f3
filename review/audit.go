package review

import (
	"context"
	"time"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/models"
)

// The audit records of the review use cases: each use case builds its entry
// (auditEntry) and hands it to the store with the change it records.

// leaseRecord is the record of leasing c until until.
func leaseRecord(c *models.Claim, until time.Time) audit.Record {
	return audit.Record{Action: "claim.lease", Entity: audit.EntityClaim, EntityID: c.ID, SubjectID: c.ClaimantID,
		Details: map[string]any{"until": until.UTC()}}
}

// decideRecord is the record of the decision d on c.
func decideRecord(c *models.Claim, d *models.Decision) audit.Record {
	return audit.Record{Action: "claim.decide", Entity: audit.EntityClaim, EntityID: c.ID, SubjectID: c.ClaimantID,
		Details: map[string]any{"decision_id": d.ID, "action": d.Action, "from": d.FromStatus, "to": d.ToStatus,
			"amount_krw": d.AmountKRW, "reason_code": d.ReasonCode, "claim_version": d.ClaimVersion}}
}

// auditEntry builds the entry of r, completed with the actor in ctx, at the
// service's clock.
func (s *Service) auditEntry(ctx context.Context, r audit.Record) (*models.AuditEntry, error) {
	return audit.BuildFor(ctx, r, s.now(), s.newID())
}
