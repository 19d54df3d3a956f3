package handlers

import (
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/claims"
)

// actionPreviewEvidence is the access record of a file shown inline on the
// review page.
const actionPreviewEvidence = "claim.preview_evidence"

// previewReason is why a reviewer's page shows a claimant's file: to decide
// the claim. It goes into the access record.
const previewReason = "claim_review"

// previewKind is how the review page shows a file inline: "image" (JPEG,
// PNG), "pdf", or "" for files it only offers to download (CSV, XLSX).
func previewKind(contentType string) string {
	switch contentType {
	case claims.TypeJPEG, claims.TypePNG:
		return "image"
	case claims.TypePDF:
		return "pdf"
	}
	return ""
}

// previewEvidence serves an image or PDF of a claim inline for the review
// page's <img> or <object>, after recording the staff member's access with
// its reason; other files are 415 (they are downloaded instead).
func (s *server) previewEvidence(c *gin.Context) {
	e, f, err := s.claims.OpenEvidence(c.Request.Context(), currentUser(c), c.Param("id"), c.Param("eid"))
	if err != nil {
		s.fail(c, err)
		return
	}
	defer f.Close()
	if previewKind(e.ContentType) == "" {
		s.fail(c, fmt.Errorf("evidence %s is %s, not an image or PDF: %w", e.ID, e.ContentType, apperr.ErrUnsupportedType))
		return
	}
	rec := claimRead(actionPreviewEvidence, e.ClaimID, e.ClaimantID)
	rec.Details = map[string]any{"evidence_id": e.ID, "reason": previewReason}
	if err := s.recordStaffAccess(c, rec); err != nil {
		s.fail(c, err)
		return
	}
	h := c.Writer.Header()
	// Only the review page (same origin) may embed the file; it runs nothing.
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Content-Type", e.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": e.OriginalName}))
	h.Set("Cache-Control", "private, no-store")
	http.ServeContent(c.Writer, c.Request, url.PathEscape(e.OriginalName), e.CreatedAt, f)
}

// allowPreviewObjects lets the review page embed its PDF previews
// (<object> from this origin); every other page keeps object-src 'none'.
func allowPreviewObjects(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", strings.Replace(h.Get("Content-Security-Policy"), "object-src 'none'", "object-src 'self'", 1))
}
