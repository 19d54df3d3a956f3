package handlers

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/offers"
	"github.com/bosang/bosang/policy"
)

func init() { pageNames = append(pageNames, "offers", "offer", "offer_link") }

// offerLinkRoute is the route of an announcement's link; the request log
// shows it in place of the path.
const offerLinkRoute = "/offers/:token"

// verifyPath is the page where a person proves their phone or e-mail.
const verifyPath = "/account/verify"

// offerPageRoutes are a claimant's offer pages and the link of the offer
// announcements. The link's token is in the path, as the messages carry
// it; the request log leaves it out (accessLog).
func (s *server) offerPageRoutes(g *gin.RouterGroup) {
	claimant := s.requireRole(models.RoleClaimant)
	g.GET(offerLinkRoute, s.offerLinkPage)
	g.GET("/account/offers", s.requireUser, claimant, s.offersPage)
	g.GET("/account/offers/:id", s.requireUser, claimant, s.offerPage)
	g.POST("/account/offers/:id/accept", s.requireUser, claimant, s.acceptOfferSubmit)
	g.POST("/account/offers/:id/decline", s.requireUser, claimant, s.declineOfferSubmit)
	g.POST("/account/offers/:id/contest", s.requireUser, claimant, s.contestOfferSubmit)
}

// offerRow is one offer as the pages show it.
type offerRow struct {
	*offers.View
	ServiceName string
	StatusText  string
	InKindText  string
	Steps       []stepRow
}

func (s *server) offerRow(v *view, o *offers.View) offerRow {
	r := offerRow{View: o, ServiceName: localName(v.Lang, o.Service, o.ServiceEN), StatusText: v.L.T("offer.status." + string(o.Status)),
		InKindText: localName(v.Lang, o.InKind, o.InKindEN)}
	r.Steps = stepRows(v.Lang, o.Steps)
	return r
}

// stepRows are the steps of a pricing in lang.
func stepRows(lang string, steps []policy.Step) []stepRow {
	var out []stepRow
	for _, st := range steps {
		out = append(out, stepRow{Label: localName(lang, st.Label, st.LabelEN), Value: localName(lang, st.Value, st.ValueEN)})
	}
	return out
}

// bankOptions are the payout banks of a form, selected the one chosen.
func bankOptions(lang, chosen string) []option {
	var out []option
	for _, b := range claims.Banks {
		out = append(out, option{Value: b.Code, Label: localName(lang, b.Name, b.NameEN), Selected: chosen == b.Code})
	}
	return out
}

type offersData struct {
	Offers     []offerRow
	VerifyPath string
}

func (s *server) offersPage(c *gin.Context) {
	v := s.view(c, "offers.title")
	list, err := s.offers.Mine(c.Request.Context(), currentUser(c).ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := offersData{VerifyPath: verifyPath}
	for i := range list {
		d.Offers = append(d.Offers, s.offerRow(v, &list[i]))
	}
	v.Data = d
	s.render(c, http.StatusOK, "offers", v)
}

type offerData struct {
	O        offerRow
	Banks    []option
	Bill     bool
	FormKey  string
	Contest  bool
	Done     string
	Imported string
}

func (s *server) offerPage(c *gin.Context) {
	s.renderOffer(c, s.view(c, "offer.title"), http.StatusOK, c.Query("contest") == "1")
}

// renderOffer shows the offer with its forms; contest opens the "I lost
// more" form.
func (s *server) renderOffer(c *gin.Context, v *view, status int, contest bool) {
	o, err := s.offers.Get(c.Request.Context(), currentUser(c).ID, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	d := offerData{O: s.offerRow(v, o), FormKey: uuid.NewString(), Contest: contest,
		Done: map[string]string{"accepted": v.L.T("offer.done.accepted"), "declined": v.L.T("offer.done.declined")}[c.Query("done")]}
	for _, st := range o.Settlements {
		d.Bill = d.Bill || st == offers.SettleBillCredit
	}
	if o.PayoutAccount != nil {
		d.Imported = v.L.T("offer.account_imported", map[string]any{"Account": bankName(v.Lang, o.PayoutAccount.Bank) + " " + o.PayoutAccount.Number})
	}
	d.Banks = bankOptions(v.Lang, v.Form["payout_account.bank"])
	v.Data = d
	s.render(c, status, "offer", v)
}

// offerAccountForm reads the account fields of a form; nil when all are
// empty.
func offerAccountForm(v *view, c *gin.Context) *claims.Account {
	for _, n := range []string{"payout_account.bank", "payout_account.number", "payout_account.holder"} {
		v.Form[n] = strings.TrimSpace(c.PostForm(n))
	}
	a := claims.Account{Bank: v.Form["payout_account.bank"], Number: v.Form["payout_account.number"], Holder: v.Form["payout_account.holder"]}
	if a == (claims.Account{}) {
		return nil
	}
	return &a
}

// acceptOfferSubmit accepts from the form; its hidden key makes a double
// click land on the one acceptance.
func (s *server) acceptOfferSubmit(c *gin.Context) {
	ctx, user := c.Request.Context(), currentUser(c)
	v := s.view(c, "offer.title")
	in := offers.AcceptInput{Settlement: c.PostForm("settlement"), PayoutAccount: offerAccountForm(v, c)}
	v.Form["settlement"] = in.Settlement
	key := formKeyPrefix + c.PostForm("form_key")
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s\n%s\n%+v", c.Param("id"), in.Settlement, in.PayoutAccount)))
	replay, err := s.beginForm(ctx, user.ID, key, sum[:])
	switch {
	case err != nil:
		s.offerFormError(c, v, err, false)
		return
	case replay != nil:
		c.Redirect(http.StatusSeeOther, "/account/offers/"+url.PathEscape(c.Param("id"))+"?done=accepted")
		return
	}
	if _, _, err := s.offers.Accept(ctx, user.ID, c.Param("id"), key, in, offerAnswer); err != nil {
		s.abandonKey(c, key) // a corrected form reuses it
		s.offerFormError(c, v, err, false)
		return
	}
	c.Redirect(http.StatusSeeOther, "/account/offers/"+url.PathEscape(c.Param("id"))+"?done=accepted")
}

func (s *server) declineOfferSubmit(c *gin.Context) {
	if _, err := s.offers.Decline(c.Request.Context(), currentUser(c).ID, c.Param("id")); err != nil {
		s.offerFormError(c, s.view(c, "offer.title"), err, false)
		return
	}
	c.Redirect(http.StatusSeeOther, "/account/offers/"+url.PathEscape(c.Param("id"))+"?done=declined")
}

// contestOfferSubmit files the "I lost more" claim and shows it.
func (s *server) contestOfferSubmit(c *gin.Context) {
	v := s.view(c, "offer.title")
	v.Form["description"] = strings.TrimSpace(c.PostForm("description"))
	v.Form["claimed_amount_krw"] = strings.TrimSpace(c.PostForm("claimed_amount_krw"))
	in := claims.NewClaim{Description: v.Form["description"], ClientIP: clientIP(c)}
	if acct := offerAccountForm(v, c); acct != nil {
		in.PayoutAccount = *acct
	}
	if amount := v.Form["claimed_amount_krw"]; amount != "" {
		n, ok := parseWon(amount)
		if !ok {
			s.offerFormError(c, v, apperr.InvalidMsg("claimed_amount_krw", apperr.M("handlers.claimed_amount_digits")), true)
			return
		}
		in.ClaimedAmountKRW = n
	}
	cv, err := s.offers.Contest(c.Request.Context(), currentUser(c).ID, c.Param("id"), in)
	if err != nil {
		s.offerFormError(c, v, err, true)
		return
	}
	c.Redirect(http.StatusSeeOther, "/claims/"+cv.ID+"?done=filed")
}

// offerFormError shows the offer again with err's messages, or the error
// page when err is not about the answer.
func (s *server) offerFormError(c *gin.Context, v *view, err error, contest bool) {
	errs, ok := inputErrors(err, v.Lang)
	if !ok {
		s.fail(c, err)
		return
	}
	delete(v.Form, "payout_account.number")
	for k, e := range errs {
		v.Errors[k] = e
	}
	if msg, ok := errs["offer"]; ok {
		v.Flash = msg
	}
	if msg, ok := errs["claim"]; ok {
		v.Flash = msg
	}
	s.renderOffer(c, v, classify(err).status, contest)
}

type offerLinkData struct {
	Text, Next, VerifyPath string
	LoggedIn               bool
}

// offerLinkPage resolves an announcement's link: the service's name and a
// login prompt to anyone, the offer to the person it names (by verified
// phone or e-mail), a prompt to verify the phone to anyone else logged in.
func (s *server) offerLinkPage(c *gin.Context) {
	v := s.view(c, "offer.link.title")
	userID := ""
	if u := currentUser(c); u != nil {
		userID = u.ID
	}
	l, err := s.offers.ByToken(c.Request.Context(), userID, c.Param("token"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if l.Offer != nil {
		c.Redirect(http.StatusSeeOther, "/account/offers/"+l.Offer.ID)
		return
	}
	d := offerLinkData{Next: c.Request.URL.Path, VerifyPath: verifyPath, LoggedIn: userID != ""}
	msg := "offer.link.login"
	if d.LoggedIn {
		msg = "offer.link.verify"
	}
	d.Text = v.L.T(msg, map[string]any{"Service": localName(v.Lang, l.Service, l.ServiceEN)})
	v.Data = d
	s.render(c, http.StatusOK, "offer_link", v)
}
