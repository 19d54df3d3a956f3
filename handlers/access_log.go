package handlers

import (
	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/audit"
)

// The actions of staff access records: what was read.
const (
	actionViewClaim        = "claim.view_claim"
	actionListClaims       = "claim.list_claims"
	actionViewDecisions    = "claim.view_decisions"
	actionDownloadEvidence = "claim.download_evidence"
	actionLeaseClaim       = "claim.lease_claim"
	actionReviewQueue      = "claim.review_queue"
	actionViewPayoutBatch  = "payout_batch.view"
)

// claimRead is the access record of a claim's personal data, whose owner
// is subjectID.
func claimRead(action, claimID, subjectID string) audit.Record {
	return audit.Record{Action: action, Entity: audit.EntityClaim, EntityID: claimID, SubjectID: subjectID}
}

// recordStaffAccess writes the access records of a staff member reading
// claimants' personal data (DOMAIN.md section 6), before the response shows
// it: one audit entry per claimant shown, each saying who read (the actor
// and role), when, from where (the client address), whose data (the
// subject) and what (the action and the record read). A claimant reading
// their own data is not recorded. The records are kept at least two years
// (audit.RetentionDays). A partner system's reads through its API key are
// recorded the same way, with the key as the actor. An error means nothing may be shown: a read that
// cannot be recorded does not happen.
func (s *server) recordStaffAccess(c *gin.Context, reads ...audit.Record) error {
	u := currentUser(c)
	keyID, _, isPartner := partnerOf(c)
	if (u == nil || !u.Role.IsStaff()) && !isPartner || len(reads) == 0 {
		return nil
	}
	actorID, actorRole := keyID, partnerRole
	if !isPartner {
		actorID, actorRole = u.ID, u.Role.String()
	}
	ctx := c.Request.Context()
	for i := range reads {
		reads[i] = audit.FromContext(ctx, reads[i])
	}
	s.log.InfoContext(ctx, "staff_access", "actor_id", actorID, "actor_role", actorRole, "ip", clientIP(c),
		"action", reads[0].Action, "entity_id", reads[0].EntityID, "subjects", len(reads), "request_id", requestID(c))
	if s.audit == nil {
		return nil
	}
	_, err := s.audit.AppendAll(ctx, reads)
	return err
}
