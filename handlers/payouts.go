package handlers

import (
	"context"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/payout"
)

// payoutRoutes serves payout batches to supervisors (and admins, whom
// requireRole always admits).
func (s *server) payoutRoutes(g *gin.RouterGroup) {
	supervisor := s.requireRole(models.RoleSupervisor)
	g.POST("/payouts/batches", s.requireUser, supervisor, s.createPayoutBatch)
	g.GET("/payouts/batches/:id", s.requireUser, supervisor, s.getPayoutBatch)
	g.GET("/payouts/batches/:id/export.csv", s.requireUser, supervisor, s.exportPayoutBatch(payout.CSV))
	g.GET("/payouts/batches/:id/export.xlsx", s.requireUser, supervisor, s.exportPayoutBatch(payout.XLSX))
	g.POST("/payouts/batches/:id/paid", s.requireUser, supervisor, s.settlePayoutBatch)
}

func payoutAccess(c *gin.Context) payout.Access {
	return payout.Access{Actor: currentUser(c), IP: clientIP(c)}
}

func (s *server) createPayoutBatch(c *gin.Context) {
	var in struct {
		OutageID string `json:"outage_id"`
	}
	if c.Request.ContentLength != 0 {
		if err := bindJSON(c, &in); err != nil {
			s.fail(c, err)
			return
		}
	}
	v, err := s.payouts.Build(c.Request.Context(), payoutAccess(c), in.OutageID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/payouts/batches/"+v.ID)
	c.JSON(http.StatusCreated, v)
}

// getPayoutBatch shows a batch with a page of its items (?limit=&next=).
func (s *server) getPayoutBatch(c *gin.Context) {
	limit := 0
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > payout.MaxPage {
			s.fail(c, apperr.InvalidMsg("limit", apperr.M("handlers.limit_1000")))
			return
		}
		limit = n
	}
	v, err := s.payouts.Get(c.Request.Context(), payoutAccess(c), c.Param("id"), c.Query("next"), limit)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.recordBatchAccess(c, v); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// exportPayoutBatch streams the bank transfer file. The service checks and
// records the reason before the first byte; an error after that can only
// be logged, the status having been sent.
func (s *server) exportPayoutBatch(f payout.Format) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		x, err := s.payouts.Export(ctx, payoutAccess(c), c.Param("id"), f, c.Query("reason"))
		if err != nil {
			s.fail(c, err)
			return
		}
		s.sendExport(c, f, x)
	}
}

// sendFile streams a download of personal data: an attachment named
// filename, never sniffed or cached. An error after the first byte is
// logged (idKey names c's id parameter) and the response cut short, so
// the client sees an incomplete file, not a complete one.
func (s *server) sendFile(c *gin.Context, contentType, filename string, write func(context.Context, io.Writer) error, idKey string) {
	ctx := c.Request.Context()
	c.Header("Content-Type", contentType)
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filename}))
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Cache-Control", "private, no-store")
	c.Status(http.StatusOK)
	if err := write(ctx, c.Writer); err != nil {
		s.log.ErrorContext(ctx, "download interrupted; the file sent is incomplete", "request_id", requestID(c), idKey, c.Param("id"), "err", err)
		c.Abort()
	}
}

// sendExport writes a prepared transfer file as the response, logging the
// staff access first.
func (s *server) sendExport(c *gin.Context, f payout.Format, x *payout.Export) {
	s.logPayoutAccess(c, "export_payout_batch", c.Param("id"), "format", string(f), "reason", c.Query("reason"))
	s.sendFile(c, f.ContentType(), x.Filename, x.Write, "batch_id")
}

// recordBatchAccess records a page of a payout batch shown: each item's
// bank, masked account and masked holder are its claimant's personal data.
func (s *server) recordBatchAccess(c *gin.Context, b *payout.BatchView) error {
	reads := make([]audit.Record, len(b.Items))
	for i, it := range b.Items {
		reads[i] = audit.Record{Action: actionViewPayoutBatch, Entity: audit.EntityPayoutBatch, EntityID: b.ID, SubjectID: it.ClaimantID,
			Details: map[string]string{"claim_id": it.ClaimID}}
	}
	return s.recordStaffAccess(c, reads...)
}

// logPayoutAccess writes the server log line of a transfer file download;
// its audit entry, with the reason, is written by payout.Service.Export
// (whose data: every claimant of the batch, see audit.Filter).
func (s *server) logPayoutAccess(c *gin.Context, action, batchID string, attrs ...any) {
	u := currentUser(c)
	args := append([]any{"actor_id", u.ID, "actor_role", u.Role.String(), "ip", clientIP(c), "action", action,
		"batch_id", batchID, "request_id", requestID(c)}, attrs...)
	s.log.InfoContext(c.Request.Context(), "staff_access", args...)
}

func (s *server) settlePayoutBatch(c *gin.Context) {
	var in payout.SettleInput
	if err := bindJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	rep, err := s.payouts.Settle(c.Request.Context(), payoutAccess(c), c.Param("id"), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}
