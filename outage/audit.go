package outage

import (
	"context"
	"encoding/json"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/models"
)

// The audit records of the outage use cases: each use case builds its entry
// (auditEntry) and hands it to the store with the change it records.

// createRecord is the record of recording o.
func createRecord(o *models.Outage) audit.Record {
	return audit.Record{Action: "outage.create", Entity: audit.EntityOutage, EntityID: o.ID,
		Details: map[string]any{"service_id": o.ServiceID, "started_at": o.StartedAt, "ended_at": o.EndedAt, "cause": o.Cause}}
}

// correctRecord is the record of the correction rev of outage id, with the
// outage before and after so that the trail shows what changed.
func correctRecord(id string, rev *models.OutageRevision) audit.Record {
	details := map[string]any{"version": rev.Version, "reason": rev.Reason}
	if json.Valid([]byte(rev.Before)) && json.Valid([]byte(rev.After)) {
		details["before"], details["after"] = json.RawMessage(rev.Before), json.RawMessage(rev.After)
	}
	return audit.Record{Action: "outage.correct", Entity: audit.EntityOutage, EntityID: id, Details: details}
}

// noticeRecord is the record of recording the notice n.
func noticeRecord(n *models.Notice) audit.Record {
	return audit.Record{Action: "outage.notice", Entity: audit.EntityOutage, EntityID: n.OutageID,
		Details: map[string]any{"notice_id": n.ID, "kind": n.Kind, "sent_at": n.SentAt}}
}

// updateRecord is the record of the timeline entry u.
func updateRecord(u *models.OutageUpdate) audit.Record {
	return audit.Record{Action: "outage.update", Entity: audit.EntityOutage, EntityID: u.OutageID,
		Details: map[string]any{"update_id": u.ID}}
}

// auditEntry builds the entry of r, completed with the actor in ctx, at the
// service's clock.
func (s *Service) auditEntry(ctx context.Context, r audit.Record) (*models.AuditEntry, error) {
	return audit.BuildFor(ctx, r, s.now(), s.newID())
}
