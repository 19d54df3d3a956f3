package handlers

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/estimate"
	"github.com/bosang/bosang/i18n"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/policy"
)

// claimPageRoutes registers the claimant's pages: the list, the filing
// form, a claim with its evidence and withdrawal, and the profiles.
func (s *server) claimPageRoutes(g *gin.RouterGroup) {
	claimant := s.requireRole(models.RoleClaimant)
	g.GET("/claims", s.requireUser, claimant, s.claimsPage)
	g.GET("/claims/new", s.requireUser, claimant, s.newClaimPage)
	g.POST("/claims/new", s.requireUser, claimant, s.newClaimSubmit)
	g.GET("/claims/:id", s.requireUser, s.claimPage)
	g.POST("/claims/:id/evidence", s.requireUser, claimant, s.claimEvidenceSubmit)
	g.GET("/claims/:id/evidence/:eid", s.requireUser, s.downloadEvidence) // renders the 404 page off /api
	g.POST("/claims/:id/withdraw", s.requireUser, claimant, s.withdrawSubmit)
	s.profilePageRoutes(g)
}

// filingListDays is how far back the filing form lists outages (besides
// every outage whose filing window is still open).
const filingListDays = 180

// formKeyPrefix keeps the form's idempotency keys apart from API clients'.
const formKeyPrefix = "form:"

// outageNames returns a memoized lookup of "service · start" for outage ids.
func (s *server) outageNames(ctx context.Context, lang string) func(id string) string {
	seen := map[string]string{}
	return func(id string) string {
		if name, ok := seen[id]; ok {
			return name
		}
		name := id
		if o, err := s.outages.Get(ctx, id); err == nil {
			name = localName(lang, o.Service.Name, o.Service.NameEN) + " · " + o.StartedAt.In(kst).Format("2006-01-02 15:04")
		}
		seen[id] = name
		return name
	}
}

// outageChoice is one outage the filing form offers.
type outageChoice struct {
	ID, Label, Impacted string
	// Window says until when claims may be filed, or that they no longer may.
	Window            string
	Ongoing, Selected bool
}

// categoryChoice is one claimant category with how it is priced.
type categoryChoice struct {
	Value, Label, Explain string
	Selected              bool
}

type claimFormData struct {
	Key           string
	Outages       []outageChoice
	Categories    []categoryChoice
	Banks         []option
	EvidenceKinds []option
	Monetary      string
	FileAgain     bool
	Duplicate     *claims.DuplicateError
	// Other are errors about no field on the form.
	Other []string
}

// claimFormFields are the error keys the form shows next to a field.
var claimFormFields = []string{"outage_id", "category", "profile.merchant", "monetary", "description", "claimed_amount_krw",
	"details.monthly_fee_krw", "details.opening_hours", "evidence_kind", "file", "payout_account.bank", "payout_account.number",
	"payout_account.holder", "consent"}

func (s *server) newClaimPage(c *gin.Context) {
	v := s.view(c, "claims.new.title")
	q := c.Request.URL.Query()
	v.Form = map[string]string{"outage_id": q.Get("outage"), "category": s.categoryForRole(c.Request.Context(), q.Get("role"), q.Get("service")),
		"monetary": "yes"}
	s.renderClaimForm(c, http.StatusOK, v, uuid.NewString())
}

// categoryForRole maps the eligibility checker's role (and service, for
// users of paid services) to a claimant category.
func (s *server) categoryForRole(ctx context.Context, role, service string) string {
	switch role {
	case "merchant":
		return string(policy.Merchant)
	case "driver":
		return string(policy.Driver)
	case "partner":
		return string(policy.PartnerBusiness)
	case "user":
		if catalog, err := s.outages.Catalog(ctx); err == nil {
			if e := findService(catalog, service); e != nil && e.Service.Paid {
				return string(policy.PaidSubscriber)
			}
		}
		return string(policy.FreeUser)
	}
	return ""
}

// renderClaimForm renders the filing form with v.Form, v.Errors and the
// form's idempotency key.
func (s *server) renderClaimForm(c *gin.Context, status int, v *view, key string) {
	ctx := c.Request.Context()
	d := claimFormData{Key: key, Monetary: v.Form["monetary"], FileAgain: v.Form["file_attached"] != "" && len(v.Errors) > 0}
	policies, err := s.claims.Policies(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	outages, err := s.filingOutages(ctx, v.Form["outage_id"])
	if err != nil {
		s.fail(c, err)
		return
	}
	priceAt := time.Now()
	for _, o := range outages {
		row := outageChoice{ID: o.ID, Label: outageLabel(v.Lang, o), Ongoing: o.Ongoing, Selected: o.ID == v.Form["outage_id"]}
		var names []string
		for _, i := range o.Impacted {
			names = append(names, localName(v.Lang, i.Name, i.NameEN))
		}
		row.Impacted = strings.Join(names, ", ")
		if p, err := policy.Select(policies, o.StartedAt); err == nil {
			if _, closes, open := policy.FilingWindow(p, o.StartedAt, o.EndedAt); !open {
				id := "claims.new.window_open"
				if time.Now().After(closes) {
					id = "claims.new.window_closed"
				}
				row.Window = v.L.T(id, map[string]any{"At": kstText(closes)})
			}
		}
		if row.Selected {
			priceAt = o.StartedAt
		}
		d.Outages = append(d.Outages, row)
	}
	p, _ := policy.Select(policies, priceAt)
	for _, cat := range policy.Categories() {
		ch := categoryChoice{Value: string(cat), Label: v.L.T("claims.category." + string(cat)), Selected: v.Form["category"] == string(cat)}
		if cr, ok := p.Categories[cat]; ok {
			ch.Explain = ruleText(v.L, cr)
		}
		d.Categories = append(d.Categories, ch)
	}
	for _, b := range claims.Banks {
		d.Banks = append(d.Banks, option{Value: b.Code, Label: localName(v.Lang, b.Name, b.NameEN), Selected: v.Form["payout_account.bank"] == b.Code})
	}
	for _, k := range claims.EvidenceKinds {
		d.EvidenceKinds = append(d.EvidenceKinds, option{Value: k, Label: v.L.T("claims.evidence." + k), Selected: v.Form["evidence_kind"] == k})
	}
	for k, msg := range v.Errors {
		if !slices.Contains(claimFormFields, k) && k != "claim" {
			d.Other = append(d.Other, msg)
		}
	}
	slices.Sort(d.Other)
	if prev, ok := v.Data.(*claims.DuplicateError); ok {
		d.Duplicate = prev
	}
	v.Data = &d
	s.render(c, status, "claim_new", v)
}

// filingOutages are the outages a claim can be filed for: those of the last
// filingListDays days, those whose filing window is still open, and the one
// the form names.
func (s *server) filingOutages(ctx context.Context, selected string) ([]*outage.View, error) {
	all, err := s.outages.List(ctx, outage.Filter{Limit: 500})
	if err != nil {
		return nil, err
	}
	policies, err := s.claims.Policies(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	since := now.AddDate(0, 0, -filingListDays)
	var out []*outage.View
	for _, o := range all {
		keep := o.ID == selected || o.Ongoing || o.StartedAt.After(since) || o.EndedAt != nil && o.EndedAt.After(since)
		if p, err := policy.Select(policies, o.StartedAt); !keep && err == nil {
			keep = !policy.Late(p, o.StartedAt, o.EndedAt, now)
		}
		if keep {
			out = append(out, o)
		}
	}
	if selected != "" && !slices.ContainsFunc(out, func(o *outage.View) bool { return o.ID == selected }) {
		if o, err := s.outages.Get(ctx, selected); err == nil {
			out = append(out, o)
		}
	}
	return out, nil
}

// outageLabel names an outage for a radio button: service, affected
// features and when.
func outageLabel(lang string, o *outage.View) string {
	var features []string
	for _, f := range o.Features {
		features = append(features, localName(lang, f.Name, f.NameEN))
	}
	label := localName(lang, o.Service.Name, o.Service.NameEN)
	if len(features) > 0 {
		label += " (" + strings.Join(features, ", ") + ")"
	}
	return label + " · " + kstText(o.StartedAt)
}

// ruleText says in one line how a category is priced under a policy rule.
func ruleText(l *i18n.Localizer, cr policy.CategoryRule) string {
	r := cr.Rule
	var s string
	switch r.Kind {
	case policy.KindFlat:
		s = l.T("claims.rule.flat", map[string]any{"Amount": estimate.FormatKRW(r.AmountKRW)})
		if r.AmountKRW == 0 && cr.InKind != "" {
			s = l.T("claims.rule.in_kind_only", map[string]any{"InKind": cr.InKind})
		}
	case policy.KindFeeDays:
		s = l.T("claims.rule.fee_days", map[string]any{"Multiplier": r.Multiplier, "Round": estimate.FormatKRW(max(r.RoundUpToKRW, 1))})
	case policy.KindBands:
		var bands []string
		for _, b := range r.Bands {
			bands = append(bands, l.T("claims.rule.band", map[string]any{"UpTo": estimate.FormatKRW(b.UpToKRW), "Amount": estimate.FormatKRW(b.AmountKRW)}))
		}
		s = l.T("claims.rule.bands", map[string]any{"Bands": strings.Join(bands, " · ")})
	case policy.KindLossEstimate:
		s = l.T("claims.rule.loss_estimate")
	case policy.KindAvailabilityTiers:
		var tiers []string
		for _, t := range r.Tiers {
			tiers = append(tiers, l.T("claims.rule.tier", map[string]any{"Below": estimate.FormatBP(t.BelowBP), "Credit": estimate.FormatBP(t.CreditBP)}))
		}
		s = l.T("claims.rule.tiers", map[string]any{"Tiers": strings.Join(tiers, " · ")})
	}
	if cr.CapKRW > 0 {
		s += " " + l.T("claims.rule.cap", map[string]any{"Cap": estimate.FormatKRW(cr.CapKRW)})
	}
	return s
}

// claimFormNames are the text fields of the filing form, in the order the
// request hash reads them.
var claimFormNames = []string{"outage_id", "category", "monetary", "description", "claimed_amount_krw", "details.monthly_fee_krw",
	"evidence_kind", "payout_account.bank", "payout_account.number", "payout_account.holder", "consent"}

// feeCategories are priced on a monthly fee the form asks for.
var feeCategories = []string{string(policy.PaidSubscriber), string(policy.Driver), string(policy.PartnerBusiness)}

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
	if ferr != nil {
		s.claimFormError(c, v, key, ferr)
		return
	}
	replay, err := s.beginForm(ctx, user.ID, formKeyPrefix+key, formHash(v.Form))
	var mismatch claims.KeyMismatchError
	switch {
	case errors.As(err, &mismatch):
		// The same form sent again with other answers after it filed a
		// claim: a fresh form, and a pointer to the list of claims.
		v.Flash = v.L.T("claims.new.resubmitted")
		s.renderClaimForm(c, http.StatusUnprocessableEntity, s.keepForm(v), uuid.NewString())
		return
	case err != nil:
		s.fail(c, err)
		return
	case replay != nil:
		s.redirectReplay(c, replay)
		return
	}
	cv, err := s.claims.File(ctx, user, formKeyPrefix+key, in)
	if err != nil {
		// The key is released either way: a corrected form reuses it.
		s.claims.AbandonRequest(ctx, user.ID, formKeyPrefix+key)
		s.claimFormError(c, v, key, err)
		return
	}
	target := "/claims/" + cv.ID
	if file != nil {
		if _, err := s.claims.AddEvidence(ctx, user, cv.ID, claims.Upload{Kind: v.Form["evidence_kind"], Name: file.name, Body: file.body}); err != nil {
			// The claim stands; the claim page says what was wrong with the file.
			level := slog.LevelInfo
			if classify(err).status >= 500 {
				level = slog.LevelError
			}
			s.log.Log(ctx, level, "evidence refused while filing", "request_id", requestID(c), "claim_id", cv.ID, "err", err)
			target += "?evidence_error=" + evidenceErrorCode(err)
		}
	}
	c.Redirect(http.StatusSeeOther, target)
}

// keepForm drops what the form must never echo back: the account number.
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
	s.renderClaimForm(c, classify(err).status, s.keepForm(v), key)
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
		f.Add("monetary", "금전 보상을 청구하는지, 피해만 알리는지 고르세요.", "Choose whether you claim money or only report harm.")
	}
	if in.OutageID == "" {
		f.Add("outage_id", "장애를 고르세요.", "Choose an outage.")
	}
	if n, ok := parseWon(form["claimed_amount_krw"]); ok {
		in.ClaimedAmountKRW = n
	} else {
		f.Add("claimed_amount_krw", "금액은 숫자로 입력하세요. 예: 350,000", "Enter the amount in digits, e.g. 350,000.")
	}
	if fee := form["details.monthly_fee_krw"]; fee != "" && slices.Contains(feeCategories, in.Category) {
		if n, ok := parseWon(fee); ok {
			in.Details["monthly_fee_krw"] = float64(n) // as JSON would decode it
		} else {
			f.Add("details.monthly_fee_krw", "월 이용료는 숫자로 입력하세요. 예: 39,000", "Enter the monthly fee in digits, e.g. 39,000.")
		}
	}
	if withFile && !slices.Contains(claims.EvidenceKinds, form["evidence_kind"]) {
		f.Add("evidence_kind", "첨부한 증빙의 종류를 고르세요.", "Choose the kind of the attached evidence.")
	}
	if form["consent"] != "yes" {
		f.Add("consent", "개인정보 수집·이용에 동의해야 청구할 수 있습니다.", "You must consent to the use of your data to file a claim.")
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
// running it waits for that one's answer.
func (s *server) beginForm(ctx context.Context, userID, key string, hash []byte) (*claims.Replay, error) {
	deadline := time.Now().Add(formReplayWait)
	for {
		replay, err := s.claims.BeginRequest(ctx, userID, key, hash)
		if !errors.Is(err, apperr.ErrConflict) || time.Now().After(deadline) {
			return replay, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(150 * time.Millisecond):
		}
	}
}

// redirectReplay sends a repeated form to the claim its first submission
// filed.
func (s *server) redirectReplay(c *gin.Context, r *claims.Replay) {
	var body struct {
		ID string `json:"id"`
	}
	if r.Status != http.StatusCreated || json.Unmarshal(r.Body, &body) != nil || body.ID == "" {
		s.errorPage(c, r.Status)
		return
	}
	c.Redirect(http.StatusSeeOther, "/claims/"+body.ID)
}

// evidenceErrorCodes are the ?evidence_error= codes the claim page explains.
var evidenceErrorCodes = []string{"too_large", "unsupported_type", "invalid", "failed"}

func evidenceErrorCode(err error) string {
	switch classify(err).status {
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	case http.StatusUnsupportedMediaType:
		return "unsupported_type"
	case http.StatusUnprocessableEntity:
		return "invalid"
	}
	return "failed"
}

// formFile is the file part of a multipart form, read last.
type formFile struct {
	name string
	body io.Reader
	done func()
}

// discard drains and closes the file so the response is not cut off by an
// unread body; the body limit bounds the work.
func (f *formFile) discard() {
	if f == nil {
		return
	}
	io.Copy(io.Discard, f.body) //nolint:errcheck // draining
	if f.done != nil {
		f.done()
	}
}

const (
	maxFieldBytes = 16 << 10
	maxFormBytes  = 64 << 10
)

// readMultipart reads a multipart form's text fields up to the part named
// "file", which it returns unread (nil when no file was chosen), so the file
// streams to the blob store. The CSRF token is checked from the fields read
// before the file. When a middleware has already parsed the form, its
// result is used instead.
func (s *server) readMultipart(c *gin.Context) (url.Values, *formFile, error) {
	if mf := c.Request.MultipartForm; mf != nil {
		vals := url.Values(mf.Value)
		if fhs := mf.File["file"]; len(fhs) > 0 && fhs[0].Filename != "" {
			f, err := fhs[0].Open()
			if err != nil {
				return nil, nil, err
			}
			return vals, &formFile{name: fhs[0].Filename, body: f, done: func() { f.Close() }}, nil
		}
		return vals, nil, nil
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return nil, nil, fmt.Errorf("multipart/form-data expected: %w", apperr.ErrUnsupportedType)
	}
	vals, total := url.Values{}, 0
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, &malformed{err}
		}
		if part.FormName() == "file" {
			if part.FileName() == "" { // the file input left empty
				io.Copy(io.Discard, part) //nolint:errcheck // draining
				continue
			}
			if !s.multipartCSRF(c, vals.Get(csrfField)) {
				return nil, nil, apperr.ErrForbidden
			}
			return vals, &formFile{name: part.FileName(), body: part}, nil
		}
		b, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
		if err != nil {
			return nil, nil, &malformed{err}
		}
		if total += len(b); len(b) > maxFieldBytes || total > maxFormBytes {
			return nil, nil, fmt.Errorf("form fields over %d bytes: %w", maxFormBytes, apperr.ErrTooLarge)
		}
		vals.Add(part.FormName(), string(b))
	}
	if !s.multipartCSRF(c, vals.Get(csrfField)) {
		return nil, nil, apperr.ErrForbidden
	}
	return vals, nil, nil
}

// multipartCSRF checks the CSRF token of a streamed multipart form (header
// or field) without making gin parse the whole body.
func (s *server) multipartCSRF(c *gin.Context, field string) bool {
	seed, err := c.Cookie(csrfCookie)
	if err != nil {
		return false
	}
	want := []byte(s.csrfFor(seed))
	for _, tok := range []string{c.GetHeader(csrfHeader), field} {
		if tok != "" && hmac.Equal([]byte(tok), want) {
			return true
		}
	}
	return false
}

// stepRow is one line of an estimate in the page's language.
type stepRow struct{ Label, Value string }

type estimateView struct {
	Amount        int64
	PolicyVersion int
	Review, Auto  bool
	Steps         []stepRow
}

type eventRow struct {
	Status, Note string
	At           time.Time
}

type evidenceRow struct {
	ID, Kind, Name, Size, SHA256 string
	At                           time.Time
}

type claimData struct {
	C              *claims.View
	Outage         string
	Category       string
	Status         string
	Estimate       *estimateView
	Past           []estimateView
	Events         []eventRow
	Evidence       []evidenceRow
	Bank           string
	FilingCloses   string
	Owner          bool
	CanWithdraw    bool
	CanUpload      bool
	EvidenceKinds  []option
	Notice         string
	WithdrawReason string
	// The open supplement request and the appeal, for the owner.
	CanSupplement  bool
	SupplementNote string
	SupplementDue  string
	CanAppeal      bool
	AppealCloses   string
}

func (s *server) claimPage(c *gin.Context) {
	v := s.view(c, "claims.claim.title")
	q := c.Request.URL.Query()
	switch {
	case slices.Contains(evidenceErrorCodes, q.Get("evidence_error")):
		v.Flash = v.L.T("claims.evidence_error." + q.Get("evidence_error"))
	case q.Get("done") == "evidence":
		v.Form["notice"] = v.L.T("claims.claim.evidence_added")
	case q.Get("done") == "withdrawn":
		v.Form["notice"] = v.L.T("claims.claim.withdrawn")
	case q.Get("done") == "supplement" || q.Get("done") == "appealed":
		v.Form["notice"] = v.L.T("claims.claim.done_" + q.Get("done"))
	}
	s.renderClaim(c, http.StatusOK, v)
}

// renderClaim shows claim :id to its owner or staff (anyone else gets the
// 404 page), with the forms keeping v.Form and v.Errors.
func (s *server) renderClaim(c *gin.Context, status int, v *view) {
	_, d, ok := s.loadClaimPage(c, v)
	if !ok {
		return
	}
	v.Data = d
	s.render(c, status, "claim", v)
}

// loadClaimPage reads claim :id for v's user (404 for anyone but the owner
// and staff), records a staff view, and builds what the claim page shows.
// On failure it has rendered the error and returns false.
func (s *server) loadClaimPage(c *gin.Context, v *view) (*claims.View, claimData, bool) {
	cv, err := s.claims.Get(c.Request.Context(), v.User, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return nil, claimData{}, false
	}
	s.logStaffAccess(c, "view_claim", cv.ClaimantID, cv.ID)
	d, err := s.claimDataOf(c, v, cv)
	if err != nil {
		s.fail(c, err)
		return nil, claimData{}, false
	}
	return cv, d, true
}

// claimDataOf is what the claim page, and the staff's review page, show of
// cv: the estimate, timeline, evidence and payout account in v's language,
// and for the owner the forms that apply now.
func (s *server) claimDataOf(c *gin.Context, v *view, cv *claims.View) (claimData, error) {
	ctx := c.Request.Context()
	owner := v.User.ID == cv.ClaimantID
	d := claimData{C: cv, Outage: s.outageNames(ctx, v.Lang)(cv.OutageID), Category: v.L.T("claims.category." + cv.Category),
		Status: v.L.T("claims.status." + cv.Status), Owner: owner, CanWithdraw: owner && cv.Withdrawable,
		CanUpload: owner && cv.Withdrawable, Notice: v.Form["notice"], WithdrawReason: v.Form["reason"]}
	v.Title = v.L.T("claims.claim.title_of", map[string]any{"Number": cv.Number})
	if cv.Estimate != nil {
		e := estimateOf(v.Lang, *cv.Estimate)
		d.Estimate = &e
	}
	for i := len(cv.PastEstimates) - 1; i >= 0; i-- { // newest first
		d.Past = append(d.Past, estimateOf(v.Lang, cv.PastEstimates[i]))
	}
	for _, e := range cv.Events {
		d.Events = append(d.Events, eventRow{Status: v.L.T("claims.status." + e.Status), Note: eventNoteText(v.L, e.Note), At: e.At})
	}
	for _, e := range cv.Evidence {
		d.Evidence = append(d.Evidence, evidenceRow{ID: e.ID, Kind: v.L.T("claims.evidence." + e.Kind), Name: e.Name,
			Size: sizeText(e.Size), SHA256: e.SHA256, At: e.CreatedAt})
	}
	for _, b := range claims.Banks {
		if b.Code == cv.PayoutAccount.Bank {
			d.Bank = localName(v.Lang, b.Name, b.NameEN)
		}
	}
	if at := cv.Deadlines["filing_closes_at"]; at != nil {
		if t, err := time.Parse(time.RFC3339, *at); err == nil {
			d.FilingCloses = kstText(t)
		}
	}
	for _, k := range claims.EvidenceKinds {
		d.EvidenceKinds = append(d.EvidenceKinds, option{Value: k, Label: v.L.T("claims.evidence." + k), Selected: v.Form["kind"] == k})
	}
	if owner && s.review != nil {
		if err := s.ownerForms(ctx, v.L, &d); err != nil {
			return d, err
		}
	}
	return d, nil
}

func estimateOf(lang string, e policy.Estimate) estimateView {
	ev := estimateView{Amount: e.AmountKRW, PolicyVersion: e.PolicyVersion, Review: e.ReviewRequired, Auto: e.Auto}
	for _, st := range e.Steps {
		ev.Steps = append(ev.Steps, stepRow{Label: localName(lang, st.Label, st.LabelEN), Value: st.Value})
	}
	return ev
}

// sizeText shows a file size in bytes, KB or MB.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// claimEvidenceSubmit adds one file to the owner's claim from the claim
// page's form ("kind" then "file") and goes back to the claim.
func (s *server) claimEvidenceSubmit(c *gin.Context) {
	ctx, user := c.Request.Context(), currentUser(c)
	vals, file, err := s.readMultipart(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	defer file.discard()
	v := s.view(c, "claims.claim.title")
	v.Form["kind"] = vals.Get("kind")
	if file == nil {
		err = apperr.Invalid("file", "파일을 첨부하세요.", "Attach a file.")
	} else {
		_, err = s.claims.AddEvidence(ctx, user, c.Param("id"), claims.Upload{Kind: vals.Get("kind"), Name: file.name, Body: file.body})
	}
	m := classify(err)
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, "/claims/"+c.Param("id")+"?done=evidence")
		return
	case m.status == http.StatusNotFound || m.status >= 500:
		s.fail(c, err)
		return
	case m.status == http.StatusRequestEntityTooLarge || m.status == http.StatusUnsupportedMediaType:
		v.Errors["file"] = v.L.T("claims.evidence_error." + evidenceErrorCode(err))
	default:
		var ve *apperr.ValidationError
		if !errors.As(err, &ve) {
			s.fail(c, err)
			return
		}
		v.Errors = localize(ve.Fields, v.Lang)
	}
	s.renderClaim(c, m.status, v)
}

// withdrawSubmit withdraws the owner's claim once the box is ticked.
func (s *server) withdrawSubmit(c *gin.Context) {
	v := s.view(c, "claims.claim.title")
	v.Form["reason"] = c.PostForm("reason")
	if c.PostForm("confirm") != "yes" {
		v.Errors["confirm"] = v.L.T("claims.withdraw.confirm_required")
		s.renderClaim(c, http.StatusUnprocessableEntity, v)
		return
	}
	_, err := s.claims.Withdraw(c.Request.Context(), currentUser(c), c.Param("id"), c.PostForm("reason"))
	switch {
	case errors.Is(err, apperr.ErrConflict):
		v.Flash = v.L.T("claims.withdraw.too_late")
		s.renderClaim(c, http.StatusConflict, v)
		return
	case err != nil:
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/claims/"+c.Param("id")+"?done=withdrawn")
}
