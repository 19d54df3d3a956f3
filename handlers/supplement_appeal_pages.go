package handlers

import (
	"context"
	"errors"
	"github.com/bosang/bosang/models"
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
	st := d.C.Status
	if st != models.StatusSupplementRequested && !st.Decided() {
		return nil
	}
	f, err := s.review.Facts(ctx, d.C.ID)
	if err != nil {
		return err
	}
	if st == models.StatusSupplementRequested {
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

// appealSubmit contests the decision on the owner's claim: the reason, and
// from the multipart form an optional file (kind, then file) stored with the
// appeal or not at all. A refused file re-renders the page with why and
// appeals nothing; a refused appeal keeps no file.
func (s *server) appealSubmit(c *gin.Context) {
	v := s.view(c, "claims.claim.title")
	var up *claims.Upload
	if strings.HasPrefix(c.ContentType(), "multipart/") {
		vals, file, err := s.readMultipart(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		defer file.discard()
		v.Form["appeal_reason"], v.Form["appeal_kind"] = vals.Get("reason"), vals.Get("kind")
		if file != nil {
			up = &claims.Upload{Kind: vals.Get("kind"), Name: file.name, Body: file.body}
		}
	} else {
		v.Form["appeal_reason"] = c.PostForm("reason")
	}
	_, err := s.review.AppealWithEvidence(c.Request.Context(), currentUser(c), c.Param("id"), v.Form["appeal_reason"], up)
	var late *claims.LateError
	var ve *apperr.ValidationError
	m := classify(err)
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, "/claims/"+c.Param("id")+"?done=appealed")
		return
	case errors.As(err, &late):
		v.Flash = v.L.T("claims.appeal.late")
	case m.status == http.StatusRequestEntityTooLarge || m.status == http.StatusUnsupportedMediaType:
		v.Flash = v.L.T("claims.appeal.not_sent")
		v.Errors["appeal_file"] = v.L.T("claims.appeal.file_error." + evidenceErrorCode(err))
	case errors.As(err, &ve):
		v.Errors = appealErrors(localize(ve.Fields, v.Lang))
		if v.Errors["appeal_file"] != "" || v.Errors["appeal_kind"] != "" {
			v.Flash = v.L.T("claims.appeal.not_sent")
		}
	case errors.Is(err, apperr.ErrConflict):
		v.Flash = v.L.T("claims.appeal.conflict")
	default:
		s.fail(c, err)
		return
	}
	s.renderClaim(c, m.status, v)
}

// appealErrors names the file fields of the appeal form apart from the
// evidence form's, which the same page shows.
func appealErrors(errs map[string]string) map[string]string {
	for _, k := range []string{"file", "kind"} {
		if msg, ok := errs[k]; ok {
			delete(errs, k)
			errs["appeal_"+k] = msg
		}
	}
	return errs
}
