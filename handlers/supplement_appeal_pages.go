package handlers

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/i18n"
)

// ownerForms fills in the claimant's supplement and appeal forms when they
// apply.
func (s *server) ownerForms(ctx context.Context, l *i18n.Localizer, d *claimData) error {
	st := claims.Status(d.C.Status)
	if st != claims.SupplementRequested && !st.Decided() {
		return nil
	}
	f, err := s.review.Facts(ctx, d.C.ID)
	if err != nil {
		return err
	}
	if st == claims.SupplementRequested {
		d.CanSupplement, d.SupplementNote, d.SupplementDue = true, f.SupplementNote, kstText(f.SupplementDueAt)
	}
	d.CanAppeal = f.CanAppeal
	if f.CanAppeal && f.AppealClosesAt != nil {
		d.AppealCloses = l.T("claims.appeal.closes", map[string]any{"At": kstText(f.AppealClosesAt)})
	}
	return nil
}

// supplementSubmit answers a supplement request from the claim page: the
// text, then an optional file streamed like the evidence form's. The claim
// goes back to the queue.
func (s *server) supplementSubmit(c *gin.Context) {
	ctx, user := c.Request.Context(), currentUser(c)
	vals, file, err := s.readMultipart(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	defer file.discard()
	v := s.view(c, "claims.claim.title")
	v.Form["body"], v.Form["kind"] = vals.Get("body"), vals.Get("kind")
	body := strings.TrimSpace(vals.Get("body"))
	if n := len([]rune(body)); n == 0 || n > 5000 {
		v.Errors["body"] = v.L.T("claims.supplement.body_required")
		s.renderClaim(c, http.StatusUnprocessableEntity, v)
		return
	}
	if file != nil {
		kind := vals.Get("kind")
		if kind == "" {
			kind = "other"
		}
		_, err := s.claims.AddEvidence(ctx, user, c.Param("id"), claims.Upload{Kind: kind, Name: file.name, Body: file.body})
		if err != nil {
			s.evidenceFormError(c, v, err)
			return
		}
	}
	_, err = s.review.Supplement(ctx, user, c.Param("id"), body)
	var ve *apperr.ValidationError
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, "/claims/"+c.Param("id")+"?done=supplement")
		return
	case errors.As(err, &ve):
		v.Errors = localize(ve.Fields, v.Lang)
	case errors.Is(err, apperr.ErrConflict):
		v.Flash = v.L.T("claims.supplement.too_late")
	default:
		s.fail(c, err)
		return
	}
	s.renderClaim(c, classify(err).status, v)
}

// appealSubmit contests the decision on the owner's claim.
func (s *server) appealSubmit(c *gin.Context) {
	v := s.view(c, "claims.claim.title")
	v.Form["appeal_reason"] = c.PostForm("reason")
	_, err := s.review.Appeal(c.Request.Context(), currentUser(c), c.Param("id"), c.PostForm("reason"))
	var late *claims.LateError
	var ve *apperr.ValidationError
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, "/claims/"+c.Param("id")+"?done=appealed")
		return
	case errors.As(err, &late):
		v.Flash = v.L.T("claims.appeal.late")
	case errors.As(err, &ve):
		v.Errors = localize(ve.Fields, v.Lang)
	case errors.Is(err, apperr.ErrConflict):
		v.Flash = v.L.T("claims.appeal.conflict")
	default:
		s.fail(c, err)
		return
	}
	s.renderClaim(c, classify(err).status, v)
}
