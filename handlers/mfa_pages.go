package handlers

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/auth"
)

// mfaView is the code form of a staff login: the mfa_token it carries
// along, where to go after, and while enrolling the secret and its
// otpauth link.
type mfaView struct {
	Token     string
	Next      string
	Enrolment *auth.Enrolment
	URI       template.URL
}

// recoveryView lists the recovery codes, shown once after enrolment.
type recoveryView struct {
	Codes []string
	Next  string
}

// renderMFA shows the code form for challenge c, with flash when set.
func (s *server) renderMFA(c *gin.Context, status int, ch *auth.Challenge, next, flash string) {
	title := "mfa.title"
	d := mfaView{Token: ch.MFAToken, Next: next, Enrolment: ch.Enrolment}
	if e := ch.Enrolment; e != nil {
		title = "mfa.enrol_title"
		if strings.HasPrefix(e.URI, "otpauth://") {
			// The URI is built by auth from the issuer, the escaped
			// e-mail and the secret; html/template would blank any scheme
			// but http(s) and mailto.
			d.URI = template.URL(e.URI) //nolint:gosec // fixed scheme, server-built
		}
	}
	v := s.view(c, title)
	v.Flash = flash
	v.Data = d
	s.render(c, status, "login_mfa", v)
}

// mfaSubmit finishes a staff login with a code: the session starts, and
// after enrolment the recovery codes are shown once before going on. A
// wrong code shows the form again; an expired sign-in, the login form.
func (s *server) mfaSubmit(c *gin.Context) {
	ctx := c.Request.Context()
	token, next := c.PostForm("mfa_token"), localPath(c.PostForm("next"))
	res, err := s.auth.CompleteMFA(ctx, token, c.PostForm("code"))
	var rl *apperr.RateLimited
	switch {
	case errors.As(err, &rl):
		c.Header("Retry-After", strconv.Itoa(rl.RetryAfterSeconds))
		s.mfaAgain(c, http.StatusTooManyRequests, token, next, "mfa.throttled", map[string]any{"Seconds": rl.RetryAfterSeconds})
		return
	case errors.Is(err, apperr.ErrUnauthenticated):
		s.mfaAgain(c, http.StatusUnauthorized, token, next, "mfa.failed", nil)
		return
	case err != nil:
		s.fail(c, err)
		return
	}
	s.startSession(c, &res.Pair)
	next = landing(next, res.User.Role)
	if len(res.RecoveryCodes) == 0 {
		c.Redirect(http.StatusSeeOther, next)
		return
	}
	// Rendered after startSession, so the page's forms carry the new CSRF
	// seed's token and the header shows the staff member logged in.
	s.setUser(c, res.User)
	v := s.view(c, "mfa.recovery_title")
	v.Data = recoveryView{Codes: res.RecoveryCodes, Next: next}
	s.render(c, http.StatusOK, "login_recovery", v)
}

// mfaAgain shows the code form again with a message, while the sign-in is
// still live; once it is not, the login form says to start over.
func (s *server) mfaAgain(c *gin.Context, status int, token, next, flashID string, data map[string]any) {
	ch, err := s.auth.Challenge(c.Request.Context(), token)
	if errors.Is(err, apperr.ErrUnauthenticated) {
		v := s.view(c, "login.title")
		v.Form["next"] = next
		v.Flash = v.L.T("mfa.expired")
		s.render(c, http.StatusUnauthorized, "login", v)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	l := s.catalog.For(s.lang(c))
	flash := l.T(flashID)
	if data != nil {
		flash = l.T(flashID, data)
	}
	s.renderMFA(c, status, ch, next, flash)
}
