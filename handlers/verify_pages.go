package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/contact"
)

func init() { pageNames = append(pageNames, "verify") }

func (s *server) verifyPageRoutes(g *gin.RouterGroup) {
	wired := s.wired(s.contacts != nil, "contact verification")
	g.GET("/account/verify", s.requireUser, wired, s.verifyPage)
	g.POST("/account/verify", s.requireUser, wired, s.verifySend)
	g.POST("/account/verify/confirm", s.requireUser, wired, s.verifyConfirm)
}

// verifyView is the verify page of one channel: where codes go (masked),
// whether it is proven, whether a code was just sent or the address just
// proven.
type verifyView struct {
	Channel  string
	Channels []string
	To       string
	Verified bool
	Sent     bool
	Done     bool
}

// verifyState fills v for the caller and the channel asked for (the
// phone unless "email").
func (s *server) verifyState(c *gin.Context, channel string) (*view, *verifyView) {
	v := s.view(c, "verify.title")
	ch := contact.Phone
	if channel == string(contact.Email) {
		ch = contact.Email
	}
	d := &verifyView{Channel: ch.String(), Channels: []string{contact.Phone.String(), contact.Email.String()}}
	u := currentUser(c)
	d.Verified = contact.Verified(u, ch)
	if addr, err := contact.Address(u, ch); err == nil {
		d.To = contact.Mask(ch, addr)
	}
	v.Data = d
	return v, d
}

// verifyPage shows the page: send a code, enter it.
func (s *server) verifyPage(c *gin.Context) {
	v, d := s.verifyState(c, c.Query("channel"))
	d.Sent, d.Done = c.Query("sent") == "1", c.Query("done") == "1"
	s.render(c, http.StatusOK, "verify", v)
}

// verifySend sends a code and shows the form to enter it.
func (s *server) verifySend(c *gin.Context) {
	v, d := s.verifyState(c, c.PostForm("channel"))
	if _, err := s.contacts.Send(c.Request.Context(), currentUser(c).ID, d.Channel); err != nil {
		s.verifyFailed(c, v, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/account/verify?channel="+d.Channel+"&sent=1")
}

// verifyConfirm checks the code entered.
func (s *server) verifyConfirm(c *gin.Context) {
	v, d := s.verifyState(c, c.PostForm("channel"))
	if err := s.contacts.Confirm(c.Request.Context(), currentUser(c).ID, d.Channel, c.PostForm("code")); err != nil {
		d.Sent = true
		s.verifyFailed(c, v, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/account/verify?channel="+d.Channel+"&done=1")
}

// verifyFailed shows the page again with what went wrong: field errors,
// the wait before another code (429 with Retry-After), or that the
// address is proven already.
func (s *server) verifyFailed(c *gin.Context, v *view, err error) {
	var rl *apperr.RateLimited
	switch {
	case errors.As(err, &rl):
		c.Header("Retry-After", strconv.Itoa(rl.RetryAfterSeconds))
		v.Errors = map[string]string{"channel": v.L.T("verify.wait", map[string]any{"Seconds": rl.RetryAfterSeconds})}
	case errors.Is(err, apperr.ErrConflict):
		v.Data.(*verifyView).Verified = true
	default:
		errs, ok := inputErrors(err, v.Lang)
		if !ok {
			s.fail(c, err)
			return
		}
		v.Errors = errs
	}
	s.render(c, classify(err).status, "verify", v)
}
