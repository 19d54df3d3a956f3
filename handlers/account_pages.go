package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/models"
)

func (s *server) registerPage(c *gin.Context) {
	s.render(c, http.StatusOK, "register", s.view(c, "register.title"))
}

// registerSubmit answers alike whether the address is new or already
// registered (auth.Service.Register tells the owner by e-mail): either way
// the browser is sent to log in.
func (s *server) registerSubmit(c *gin.Context) {
	v := s.view(c, "register.title")
	in := auth.NewUser{Email: c.PostForm("email"), Password: c.PostForm("password"), Name: c.PostForm("name"), Phone: c.PostForm("phone")}
	v.Form = map[string]string{"email": in.Email, "name": in.Name, "phone": in.Phone}
	_, err := s.auth.Register(c.Request.Context(), in, clientAddr(c))
	var rl *apperr.RateLimited
	switch {
	case errors.As(err, &rl):
		c.Header("Retry-After", strconv.Itoa(rl.RetryAfterSeconds))
		v.Flash = v.L.T("register.throttled")
		s.render(c, http.StatusTooManyRequests, "register", v)
		return
	case err != nil:
		s.formError(c, "register", v, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/login?registered=1&next=/account")
}

// formError re-renders a form with its field errors (422), or renders the
// error page for anything that is not about the input.
func (s *server) formError(c *gin.Context, page string, v *view, err error) {
	var ve *apperr.ValidationError
	var fe fielder
	switch {
	case errors.As(err, &ve):
		v.Errors = localize(ve.Fields, v.Lang)
	case errors.As(err, &fe):
		v.Errors = localize(fe.Fields(), v.Lang)
	default:
		s.fail(c, err)
		return
	}
	s.render(c, classify(err).status, page, v)
}

func (s *server) loginPage(c *gin.Context) {
	v := s.view(c, "login.title")
	v.Form["next"] = localPath(c.Query("next"))
	if c.Query("registered") == "1" {
		v.Form["registered"] = "1" // the notice after sign-up
	}
	if c.Query("reset") == "1" {
		v.Form["reset"] = "1" // the notice after a password reset
	}
	s.render(c, http.StatusOK, "login", v)
}

func (s *server) loginSubmit(c *gin.Context) {
	v := s.view(c, "login.title")
	email, next := c.PostForm("email"), localPath(c.PostForm("next"))
	v.Form = map[string]string{"email": email, "next": next}
	if err := checkLoginEmail(email); err != nil {
		s.formError(c, "login", v, err)
		return
	}
	res, err := s.auth.Login(c.Request.Context(), email, c.PostForm("password"), clientAddr(c))
	var rl *apperr.RateLimited
	switch {
	case errors.As(err, &rl):
		c.Header("Retry-After", strconv.Itoa(rl.RetryAfterSeconds))
		v.Flash = v.L.T("login.throttled", map[string]any{"Seconds": rl.RetryAfterSeconds})
		s.render(c, http.StatusTooManyRequests, "login", v)
		return
	case errors.Is(err, apperr.ErrUnauthenticated):
		v.Flash = v.L.T("login.failed")
		s.render(c, http.StatusUnauthorized, "login", v)
		return
	case err != nil:
		s.fail(c, err)
		return
	}
	if res.Challenge != nil { // staff: the code form (mfaSubmit) before any session
		s.renderMFA(c, http.StatusOK, res.Challenge, next, "")
		return
	}
	s.startSession(c, res.Pair)
	c.Redirect(http.StatusSeeOther, landing(next, models.RoleClaimant)) // only claimants get a pair here
}

func (s *server) logoutSubmit(c *gin.Context) {
	if u := currentUser(c); u != nil {
		if err := s.auth.Logout(c.Request.Context(), u.ID); err != nil {
			s.fail(c, err)
			return
		}
	}
	s.endSession(c)
	c.Redirect(http.StatusSeeOther, "/")
}

func (s *server) accountPage(c *gin.Context) {
	if currentUser(c) == nil {
		c.Redirect(http.StatusSeeOther, "/login?next=/account")
		return
	}
	s.render(c, http.StatusOK, "account", s.view(c, "account.title"))
}

// switchLang remembers the chosen language for a year and goes back.
func (s *server) switchLang(c *gin.Context) {
	lang := c.Param("lang")
	if lang != "ko" && lang != "en" {
		s.fail(c, errNoRoute)
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		Secure: s.secure, SameSite: http.SameSiteLaxMode})
	c.Redirect(http.StatusSeeOther, localPath(c.Query("next")))
}

// localPath keeps redirects on this site: anything but a plain local path
// becomes "/".
// landing is where a login goes: next when one was given, else the role's
// own work (a claimant's claims, a reviewer's queue, an operator's outages,
// a supervisor's dashboard, an admin's user administration). next is a
// localPath; "/" is what the login form carries when none was given.
func landing(next string, role models.Role) string {
	if next != "/" {
		return next
	}
	switch role {
	case models.RoleClaimant:
		return "/claims"
	case models.RoleReviewer:
		return "/review"
	case models.RoleOperator:
		return "/ops"
	case models.RoleSupervisor:
		return "/dashboard"
	case models.RoleAdmin:
		return "/admin/users"
	}
	return "/"
}

func localPath(p string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\r\n") {
		return "/"
	}
	if u, err := url.Parse(p); err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return p
}
