package handlers

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/payout"
)

// payoutPageRoutes registers the supervisors' payout pages: the payable
// total with the build form and the batches, and one batch with its export
// and settlement forms.
func (s *server) payoutPageRoutes(g *gin.RouterGroup) {
	supervisor := s.requireRole(models.RoleSupervisor)
	g.GET("/payouts", s.requireUser, supervisor, s.payoutsPage)
	g.POST("/payouts", s.requireUser, supervisor, s.buildBatchSubmit)
	g.GET("/payouts/:id", s.requireUser, supervisor, s.payoutBatchPage)
	g.GET("/payouts/:id/export", s.requireUser, supervisor, s.exportBatchDownload)
	g.POST("/payouts/:id/paid", s.requireUser, supervisor, s.settleBatchSubmit)
}

// payoutBatches is how many recent batches the payouts page lists.
const payoutBatches = 100

type batchRow struct {
	ID, Outage, Status string
	Items              int
	TotalKRW           int64
	CreatedAt          time.Time
}

type payoutsData struct {
	Payable payout.Payable
	Outages []option
	Batches []batchRow
}

func (s *server) payoutsPage(c *gin.Context) {
	s.renderPayouts(c, http.StatusOK, s.view(c, "payouts.title"))
}

func (s *server) renderPayouts(c *gin.Context, status int, v *view) {
	if s.payouts == nil {
		s.fail(c, errNoRoute)
		return
	}
	ctx, a := c.Request.Context(), payoutAccess(c)
	p, err := s.payouts.Payable(ctx, a, "")
	if err != nil {
		s.fail(c, err)
		return
	}
	list, err := s.payouts.Batches(ctx, a, payoutBatches)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := payoutsData{Payable: p}
	if d.Outages, err = s.outageOptions(ctx, v.Lang, v.Form["outage_id"]); err != nil {
		s.fail(c, err)
		return
	}
	names := s.outageNames(ctx, v.Lang)
	for _, b := range list {
		row := batchRow{ID: b.ID, Outage: v.L.T("payouts.all_outages"), Status: v.L.T("payouts.batch_status." + b.Status),
			Items: b.ItemCount, TotalKRW: b.TotalKRW, CreatedAt: b.CreatedAt}
		if b.OutageID != nil {
			row.Outage = names(*b.OutageID)
		}
		d.Batches = append(d.Batches, row)
	}
	v.Data = d
	s.render(c, status, "payouts", v)
}

// buildBatchSubmit builds a batch of every approved, unpaid claim, or of
// one outage's, and opens it.
func (s *server) buildBatchSubmit(c *gin.Context) {
	if s.payouts == nil {
		s.fail(c, errNoRoute)
		return
	}
	v := s.view(c, "payouts.title")
	v.Form["outage_id"] = strings.TrimSpace(c.PostForm("outage_id"))
	b, err := s.payouts.Build(c.Request.Context(), payoutAccess(c), v.Form["outage_id"])
	var nothing payout.NothingToPayError
	var ve *apperr.ValidationError
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, "/payouts/"+b.ID+"?done=built")
		return
	case errors.As(err, &nothing):
		v.Flash = v.L.T("payouts.nothing_to_pay")
	case errors.As(err, &ve):
		v.Errors = localize(ve.Fields, v.Lang)
	case errors.Is(err, apperr.ErrConflict):
		v.Flash = v.L.T("payouts.build_conflict")
	default:
		s.fail(c, err)
		return
	}
	s.renderPayouts(c, classify(err).status, v)
}

type itemRow struct {
	payout.ItemView
	StatusLabel, Bank string
	Pending           bool
}

type batchData struct {
	B        *payout.BatchView
	Outage   string
	Status   string
	Items    []itemRow
	Pending  int
	Formats  []option
	Settled  bool
	NextPage string
	// Shared lists the accounts several claimants of the batch would be
	// paid into.
	Shared []payout.SharedAccount
}

func (s *server) payoutBatchPage(c *gin.Context) {
	v := s.view(c, "payouts.batch.title")
	switch c.Query("done") {
	case "built":
		v.Form["notice"] = v.L.T("payouts.built")
	case "settled":
		v.Form["notice"] = v.L.T("payouts.settled")
	}
	s.renderBatch(c, http.StatusOK, v)
}

func (s *server) renderBatch(c *gin.Context, status int, v *view) {
	if s.payouts == nil {
		s.fail(c, errNoRoute)
		return
	}
	ctx := c.Request.Context()
	b, err := s.payouts.Get(ctx, payoutAccess(c), c.Param("id"), c.Query("next"), 0)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.recordBatchAccess(c, b); err != nil {
		s.fail(c, err)
		return
	}
	d := batchData{B: b, Outage: v.L.T("payouts.all_outages"), Status: v.L.T("payouts.batch_status." + b.Status), Settled: b.Status == payout.BatchSettled}
	if b.OutageID != nil {
		d.Outage = s.outageNames(ctx, v.Lang)(*b.OutageID)
	}
	if d.Shared, err = s.payouts.SharedAccounts(ctx, payoutAccess(c), b.ID); err != nil {
		s.fail(c, err)
		return
	}
	for i := range d.Shared {
		d.Shared[i].Bank = bankName(v.Lang, d.Shared[i].Bank)
	}
	for _, it := range b.Items {
		row := itemRow{ItemView: it, StatusLabel: v.L.T("payouts.item_status." + it.Status), Pending: it.Status == payout.ItemPending, Bank: bankName(v.Lang, it.Bank)}
		if row.Pending {
			d.Pending++
		}
		d.Items = append(d.Items, row)
	}
	if b.Next != "" {
		d.NextPage = "/payouts/" + b.ID + "?next=" + b.Next
	}
	format := v.Form["format"]
	if format == "" {
		format = string(payout.CSV)
	}
	for _, f := range []payout.Format{payout.CSV, payout.XLSX} {
		d.Formats = append(d.Formats, option{Value: string(f), Label: strings.ToUpper(string(f)), Selected: format == string(f)})
	}
	v.Title = v.L.T("payouts.batch.title_of", map[string]any{"Created": kstText(b.CreatedAt)})
	v.Data = d
	s.render(c, status, "payout_batch", v)
}

// bankName is the bank of code in lang, or the code when it is unknown.
func bankName(lang, code string) string {
	for _, bank := range claims.Banks {
		if bank.Code == code {
			return localName(lang, bank.Name, bank.NameEN)
		}
	}
	return code
}

// exportBatchDownload sends the transfer file named by the export form
// (?format=&reason=). A missing reason re-renders the batch page (422); the
// file itself is written by the API's handler, which records the reason
// before the first byte.
func (s *server) exportBatchDownload(c *gin.Context) {
	v := s.view(c, "payouts.batch.title")
	v.Form["format"], v.Form["reason"] = c.Query("format"), c.Query("reason")
	f, err := payout.ParseFormat(c.Query("format"))
	if err != nil {
		v.Errors["format"] = v.L.T("payouts.export.format_required")
	}
	if n := len([]rune(strings.TrimSpace(c.Query("reason")))); n == 0 || n > audit.MaxDownloadReason {
		v.Errors["reason"] = v.L.T("payouts.export.reason_required")
	}
	if len(v.Errors) > 0 {
		s.renderBatch(c, http.StatusUnprocessableEntity, v)
		return
	}
	if s.payouts == nil {
		s.fail(c, errNoRoute)
		return
	}
	// A refusal about the form (an XLSX too large for a sheet) is told on
	// the page next to the field, nothing left to transfer as a notice.
	x, err := s.payouts.Export(c.Request.Context(), payoutAccess(c), c.Param("id"), f, c.Query("reason"))
	var ve *apperr.ValidationError
	switch {
	case errors.As(err, &ve):
		v.Errors = localize(ve.Fields, v.Lang)
		s.renderBatch(c, http.StatusUnprocessableEntity, v)
		return
	case errors.Is(err, apperr.ErrConflict):
		v.Flash = v.L.T("payouts.export.nothing_pending")
		s.renderBatch(c, http.StatusConflict, v)
		return
	case err != nil:
		s.fail(c, err)
		return
	}
	s.sendExport(c, f, x)
}

// settleBatchSubmit applies the settle form: either every pending transfer
// paid with references made of a prefix and the claim number, or each
// item's chosen status and reference.
func (s *server) settleBatchSubmit(c *gin.Context) {
	if s.payouts == nil {
		s.fail(c, errNoRoute)
		return
	}
	ctx, a := c.Request.Context(), payoutAccess(c)
	v := s.view(c, "payouts.batch.title")
	var in payout.SettleInput
	// Marking transfers paid cannot be undone: the form asks the
	// supervisor to confirm they checked the bank's report first.
	confirmed := c.PostForm("confirm") == "yes"
	if c.PostForm("mode") == "all" {
		prefix := strings.TrimSpace(c.PostForm("prefix"))
		v.Form["prefix"] = prefix
		if prefix == "" || len(prefix) > 100 {
			v.Errors["prefix"] = v.L.T("payouts.settle.prefix_required")
		}
		if !confirmed {
			v.Errors["confirm_all"] = v.L.T("payouts.settle.confirm_required")
		}
		if len(v.Errors) > 0 {
			s.renderBatch(c, http.StatusUnprocessableEntity, v)
			return
		}
		for after := ""; ; {
			b, err := s.payouts.Get(ctx, a, c.Param("id"), after, payout.MaxPage)
			if err != nil {
				s.fail(c, err)
				return
			}
			for _, it := range b.Items {
				if it.Status == payout.ItemPending {
					in.Items = append(in.Items, payout.Settlement{ClaimID: it.ClaimID, Status: payout.ItemPaid, Reference: payout.Reference(prefix, it.Number)})
				}
			}
			if b.Next == "" {
				break
			}
			after = b.Next
		}
		if len(in.Items) == 0 {
			v.Flash = v.L.T("payouts.export.nothing_pending")
			s.renderBatch(c, http.StatusConflict, v)
			return
		}
	} else {
		if err := c.Request.ParseForm(); err != nil {
			s.fail(c, &malformed{err})
			return
		}
		for key, vals := range c.Request.PostForm {
			id, ok := strings.CutPrefix(key, "status_")
			if !ok || len(vals) == 0 || vals[0] == "" {
				continue
			}
			ref := strings.TrimSpace(c.PostForm("ref_" + id))
			v.Form[key], v.Form["ref_"+id] = vals[0], ref
			in.Items = append(in.Items, payout.Settlement{ClaimID: id, Status: vals[0], Reference: ref})
		}
		slices.SortFunc(in.Items, func(x, y payout.Settlement) int { return strings.Compare(x.ClaimID, y.ClaimID) })
		if len(in.Items) == 0 {
			v.Flash = v.L.T("payouts.settle.choose")
			s.renderBatch(c, http.StatusUnprocessableEntity, v)
			return
		}
		if !confirmed {
			v.Errors["confirm"] = v.L.T("payouts.settle.confirm_required")
			s.renderBatch(c, http.StatusUnprocessableEntity, v)
			return
		}
	}
	_, err := s.payouts.Settle(ctx, a, c.Param("id"), in)
	var ve *apperr.ValidationError
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, "/payouts/"+c.Param("id")+"?done=settled")
		return
	case errors.As(err, &ve):
		msgs := localize(ve.Fields, v.Lang)
		keys := make([]string, 0, len(msgs))
		for k := range msgs {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, msgs[k])
		}
		v.Flash = strings.Join(parts, " ")
	case errors.Is(err, apperr.ErrConflict):
		v.Flash = v.L.T("payouts.settle.conflict")
	default:
		s.fail(c, err)
		return
	}
	s.renderBatch(c, classify(err).status, v)
}
