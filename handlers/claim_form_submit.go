package handlers

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/bosang/bosang/models"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/claims"
)

// formKeyPrefix keeps the form's idempotency keys apart from API clients'.
const formKeyPrefix = "form:"

// claimFormNames are the text fields of the filing form, in the order the
// request hash reads them.
var claimFormNames = []string{"outage_id", "category", "monetary", "description", "claimed_amount_krw", "details.monthly_fee_krw",
	"evidence_kind", "payout_account.bank", "payout_account.number", "payout_account.holder", "consent"}

// feeCategories are priced on a monthly fee the form asks for.
var feeCategories = []string{string(models.CategoryPaidSubscriber), string(models.CategoryDriver), string(models.CategoryPartnerBusiness)}

// newClaimSubmit files a claim from the form: the text fields first, then
// the evidence file streamed as the last part. The form's hidden key makes
// a double click or a resubmitted form land on the one claim it made.
func (s *server) newClaimSubmit(c *gin.Context) {
	ctx, user := c.Request.Context(), currentUser(c)
	vals, file, err := s.readMultipart(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	defer file.discard()
	key := vals.Get("form_key")
	if len(key) < 1 || len(key) > 200 {
		s.fail(c, &malformed{errors.New("the form has no form_key")})
		return
	}
	v := s.view(c, "claims.new.title")
	for _, name := range claimFormNames {
		v.Form[name] = strings.TrimSpace(vals.Get(name))
	}
	if file != nil {
		v.Form["file_attached"] = "yes"
	}
	in, ferr := claimInput(v.Form, file != nil)
	if ferr = apperr.Merge(ferr, claims.Validate(in)); ferr != nil {
		s.claimFormError(c, v, key, ferr)
		return
	}
	// A new key is taken by the filing itself; a key in use, or a filing
	// refused, goes the way that checks the key first.
	cv, _, err := s.claims.FileFirst(ctx, user, formKeyPrefix+key, formHash(v.Form), in, claimAnswer)
	if err != nil {
		if cv = s.fileFormKeyed(c, v, key, in); cv == nil {
			return
		}
	}
	target := "/claims/" + cv.ID + "?done=filed"
	if file != nil {
		if _, err := s.claims.AddEvidence(ctx, user, cv.ID, claims.Upload{Kind: v.Form["evidence_kind"], Name: file.name, Body: file.body}); err != nil {
			// The claim stands; the claim page says what was wrong with the file.
			level := slog.LevelInfo
			if classify(err).status >= 500 {
				level = slog.LevelError
			}
			s.log.Log(ctx, level, "evidence refused while filing", "request_id", requestID(c), "claim_id", cv.ID, "err", err)
			target += "&evidence_error=" + evidenceErrorCode(err)
		}
	}
	c.Redirect(http.StatusSeeOther, target)
}

// fileFormKeyed files the form under its key taken with beginForm: a
// repeated form is sent to its first claim, another form under the key
// starts afresh. It answers the request itself and returns nil unless the
// claim was filed.
func (s *server) fileFormKeyed(c *gin.Context, v *view, key string, in claims.NewClaim) *claims.View {
	ctx, user := c.Request.Context(), currentUser(c)
	replay, err := s.beginForm(ctx, user.ID, formKeyPrefix+key, formHash(v.Form))
	var mismatch claims.KeyMismatchError
	switch {
	case errors.As(err, &mismatch):
		// The same form sent again with other answers after it filed a
		// claim: a fresh form, and a pointer to the list of claims.
		v.Flash = v.L.T("claims.new.resubmitted")
		s.renderClaimForm(c, http.StatusUnprocessableEntity, s.keepForm(v), uuid.NewString())
		return nil
	case err != nil:
		s.fail(c, err)
		return nil
	case replay != nil:
		s.redirectReplay(c, replay)
		return nil
	}
	cv, _, err := s.claims.File(ctx, user, formKeyPrefix+key, in, claimAnswer)
	if err != nil {
		// The key is released either way: a corrected form reuses it.
		s.abandonKey(c, formKeyPrefix+key)
		s.claimFormError(c, v, key, err)
		return nil
	}
	return cv
}

// keepForm drops the account number from a form that starts afresh.
func (s *server) keepForm(v *view) *view {
	delete(v.Form, "payout_account.number")
	return v
}

// claimFormError re-renders the form with err's field errors, or the error
// page when err is not about the input.
func (s *server) claimFormError(c *gin.Context, v *view, key string, err error) {
	var dup *claims.DuplicateError
	var ve *apperr.ValidationError
	var fe fielder
	switch {
	case errors.As(err, &dup):
		v.Data = dup
		v.Errors = map[string]string{"claim": v.L.T("claims.new.duplicate", map[string]any{"Number": dup.Number})}
	case errors.As(err, &ve):
		v.Errors = localize(ve.Fields, v.Lang)
	case errors.As(err, &fe):
		v.Errors = localize(fe.Fields(), v.Lang)
	default:
		s.fail(c, err)
		return
	}
	// Every typed value stays, the account number included, so a correction
	// is one change; the file cannot (browsers never refill a file input).
	s.renderClaimForm(c, classify(err).status, v, key)
}

// claimInput turns the form into a claim, checking what only the form
// asks: triage, consent, the amounts as numbers, the evidence kind.
func claimInput(form map[string]string, withFile bool) (claims.NewClaim, error) {
	var f apperr.Fields
	in := claims.NewClaim{OutageID: form["outage_id"], Category: form["category"], Description: form["description"], Details: map[string]any{}}
	switch form["monetary"] {
	case "yes":
		in.Monetary = true
		in.PayoutAccount = claims.Account{Bank: form["payout_account.bank"], Number: form["payout_account.number"], Holder: form["payout_account.holder"]}
	case "no":
	default:
		f.AddMsg("monetary", apperr.M("handlers.monetary_missing"))
	}
	if in.OutageID == "" {
		f.AddMsg("outage_id", apperr.M("handlers.outage_missing"))
	}
	if n, ok := parseWon(form["claimed_amount_krw"]); ok {
		in.ClaimedAmountKRW = n
	} else {
		f.AddMsg("claimed_amount_krw", apperr.M("handlers.amount_digits"))
	}
	if fee := form["details.monthly_fee_krw"]; fee != "" && slices.Contains(feeCategories, in.Category) {
		if n, ok := parseWon(fee); ok {
			in.Details["monthly_fee_krw"] = float64(n) // as JSON would decode it
		} else {
			f.AddMsg("details.monthly_fee_krw", apperr.M("handlers.monthly_fee_digits"))
		}
	}
	if withFile && !slices.Contains(claims.EvidenceKinds, form["evidence_kind"]) {
		f.AddMsg("evidence_kind", apperr.M("handlers.evidence_kind_missing"))
	}
	if form["consent"] != "yes" {
		f.AddMsg("consent", apperr.M("handlers.consent_missing"))
	}
	return in, f.Err()
}

// parseWon reads a whole number of won: digits with optional thousands
// commas, spaces, a leading ₩ or a trailing 원. Empty is 0.
func parseWon(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "₩"), "원")
	s = strings.NewReplacer(",", "", " ", "").Replace(s)
	if s == "" {
		return 0, true
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n <= claims.MaxClaimKRW
}

// formHash is the request body the key is bound to: the text fields, in a
// fixed order (the file is not part of it).
func formHash(form map[string]string) []byte {
	h := sha256.New()
	for _, name := range claimFormNames {
		fmt.Fprintf(h, "%s=%q\n", name, form[name])
	}
	return h.Sum(nil)
}

// formReplayWait is how long a repeated form waits for the first request
// with its key (a double click) to finish.
const formReplayWait = 10 * time.Second

// beginForm takes the form's key; while the first request with it is still
// running it waits for that one's answer. The wait is bounded by a timer,
// not by the business clock: it is how long a browser is kept waiting.
func (s *server) beginForm(ctx context.Context, userID, key string, hash []byte) (*claims.Replay, error) {
	limit := time.NewTimer(formReplayWait)
	defer limit.Stop()
	for {
		replay, err := s.claims.BeginRequest(ctx, userID, key, hash)
		if !errors.Is(err, apperr.ErrConflict) {
			return replay, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-limit.C:
			return replay, err
		case <-time.After(150 * time.Millisecond):
		}
	}
}

// redirectReplay sends a repeated form to the claim its first submission
// filed, with the confirmation the first one would have shown.
func (s *server) redirectReplay(c *gin.Context, r *claims.Replay) {
	var body struct {
		ID string `json:"id"`
	}
	if r.Status != http.StatusCreated || json.Unmarshal(r.Body, &body) != nil || body.ID == "" {
		s.errorPage(c, r.Status)
		return
	}
	c.Redirect(http.StatusSeeOther, "/claims/"+body.ID+"?done=filed")
}
