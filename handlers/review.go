package handlers

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/review"
)

func (s *server) reviewRoutes(g *gin.RouterGroup) {
	staff := s.requireRole(models.RoleReviewer, models.RoleSupervisor)
	g.POST("/review/next", s.requireUser, staff, s.reviewNext)
	g.GET("/review/queue", s.requireUser, staff, s.reviewQueue)
	g.POST("/review/claims/:id/lease", s.requireUser, staff, s.leaseClaim)
	g.POST("/review/bulk-decisions", s.requireUser, staff, s.decideBulk)
	g.POST("/claims/:id/decisions", s.requireUser, staff, s.decideClaim)
	g.GET("/claims/:id/decisions", s.requireUser, s.requireRole(claimReaders...), s.listDecisions)
	g.POST("/claims/:id/supplement", s.requireUser, s.requireRole(models.RoleClaimant), s.answerSupplement)
	g.POST("/claims/:id/appeal", s.requireUser, s.requireRole(models.RoleClaimant), s.appealClaim)
}

func (s *server) reviewNext(c *gin.Context) {
	v, err := s.review.Next(c.Request.Context(), currentUser(c))
	if err != nil {
		if errorsIsNotFound(err) {
			c.Status(http.StatusNoContent)
			return
		}
		s.fail(c, err)
		return
	}
	if err := s.recordStaffAccess(c, claimRead(actionLeaseClaim, v.ID, v.ClaimantID)); err != nil {
		s.fail(c, err)
		return
	}
	c.Header("ETag", etag(v.Version))
	c.JSON(http.StatusOK, v)
}

// leaseClaim takes one chosen claim for the caller (review.Service.Lease).
func (s *server) leaseClaim(c *gin.Context) {
	v, err := s.review.Lease(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.recordStaffAccess(c, claimRead(actionLeaseClaim, v.ID, v.ClaimantID)); err != nil {
		s.fail(c, err)
		return
	}
	c.Header("ETag", etag(v.Version))
	c.JSON(http.StatusOK, v)
}

// decideBulk applies one decision to a chosen set of claims
// (review.Service.DecideBulk) and reports each claim's result.
func (s *server) decideBulk(c *gin.Context) {
	var in review.BulkInput
	if err := bindJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	results, err := s.review.DecideBulk(c.Request.Context(), currentUser(c), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	lang := s.lang(c)
	out := make([]gin.H, len(results))
	for i, r := range results {
		out[i] = gin.H{"id": r.ID, "number": r.Number, "status": nil, "error": nil}
		if r.Status != "" {
			out[i]["status"] = r.Status
		}
		if r.Error != nil {
			out[i]["error"] = r.Error.In(lang)
		}
	}
	c.JSON(http.StatusOK, gin.H{"results": out})
}

func (s *server) decideClaim(c *gin.Context) {
	var in review.DecisionInput
	if err := bindJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	ifMatch, err := readIfMatch(c).Version(func() (int, error) {
		return s.claims.Version(c.Request.Context(), currentUser(c), c.Param("id"))
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.review.Decide(c.Request.Context(), currentUser(c), c.Param("id"), ifMatch, in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("ETag", etag(v.Version))
	c.JSON(http.StatusCreated, v)
}

func (s *server) listDecisions(c *gin.Context) {
	v, err := s.claims.Get(c.Request.Context(), currentUser(c), c.Param("id")) // ownership check
	if err != nil {
		s.fail(c, err)
		return
	}
	list, err := s.review.Decisions(c.Request.Context(), v.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.recordStaffAccess(c, claimRead(actionViewDecisions, v.ID, v.ClaimantID)); err != nil {
		s.fail(c, err)
		return
	}
	out := make([]gin.H, len(list))
	for i, d := range list {
		out[i] = gin.H{"id": d.ID, "action": d.Action, "from_status": d.FromStatus, "to_status": d.ToStatus, "amount_krw": d.AmountKRW,
			"reason_code": d.ReasonCode, "note": d.Note, "due_at": d.DueAt, "at": d.CreatedAt, "claim_version": d.ClaimVersion, "actor_role": d.ActorRole}
	}
	c.JSON(http.StatusOK, gin.H{"decisions": out})
}

func (s *server) reviewQueue(c *gin.Context) {
	var f apperr.Fields
	q := review.QueueFilter{Category: c.Query("category"), OutageID: c.Query("outage_id"), Flag: c.Query("flag"), After: c.Query("next")}
	if v := c.Query("status"); v != "" {
		q.Status = splitComma(v)
	}
	q.MinKRW = queryInt(c, &f, "min_krw")
	q.MaxKRW = queryInt(c, &f, "max_krw")
	if days := queryInt(c, &f, "older_than_days"); days != nil {
		t := s.now().Add(-time.Duration(*days) * 24 * time.Hour)
		q.OlderThan = &t
	}
	q.Limit = queryLimit(c, &f)
	if err := f.Err(); err != nil {
		s.fail(c, err)
		return
	}
	items, err := s.review.Queue(c.Request.Context(), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.recordQueueAccess(c, items); err != nil {
		s.fail(c, err)
		return
	}
	var next *string
	if len(items) == q.Limit {
		next = &items[len(items)-1].ID
	}
	c.JSON(http.StatusOK, gin.H{"claims": items, "next": next, "review_target_days": int(s.review.Settings().ReviewTarget.Hours() / 24)})
}

type textBody struct {
	Body   string `json:"body"`
	Reason string `json:"reason"`
}

func (s *server) answerSupplement(c *gin.Context) {
	var in textBody
	if err := bindJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.review.Supplement(c.Request.Context(), currentUser(c), c.Param("id"), in.Body)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// appealClaim takes {reason} as JSON, or as multipart form fields reason
// and kind followed by the part file: a file to appeal with, stored only
// with the appeal (review.AppealWithEvidence).
func (s *server) appealClaim(c *gin.Context) {
	var (
		in textBody
		up *claims.Upload
	)
	if strings.HasPrefix(c.ContentType(), "multipart/") {
		vals, file, err := s.readAPIMultipart(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		defer file.discard()
		in.Reason = vals.Get("reason")
		if file != nil {
			up = &claims.Upload{Kind: strings.TrimSpace(vals.Get("kind")), Name: file.name, Body: file.body}
		}
	} else if err := bindJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.review.AppealWithEvidence(c.Request.Context(), currentUser(c), c.Param("id"), in.Reason, up)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("ETag", etag(v.Version))
	c.JSON(http.StatusOK, v)
}

// recordQueueAccess records the queue page shown: its claim amounts and
// fraud flags are each claimant's personal data.
func (s *server) recordQueueAccess(c *gin.Context, items []review.QueueItem) error {
	reads := make([]audit.Record, len(items))
	for i, it := range items {
		reads[i] = claimRead(actionReviewQueue, it.ID, it.ClaimantID)
	}
	return s.recordStaffAccess(c, reads...)
}

func errorsIsNotFound(err error) bool { return errors.Is(err, apperr.ErrNotFound) }

func splitComma(v string) []string { return strings.Split(v, ",") }
