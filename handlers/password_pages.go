package handlers

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

func init() { pageNames = append(pageNames, "password_forgot", "password_reset") }

func (s *server) passwordPageRoutes(g *gin.RouterGroup) {
	g.GET("/password/forgot", s.forgotPage)
	g.POST("/password/forgot", s.forgotSubmit)
	g.GET("/password/reset", s.resetPage)
	g.POST("/password/reset", s.resetSubmit)
}

func (s *server) forgotPage(c *gin.Context) {
	s.render(c, http.StatusOK, "password_forgot", s.view(c, "password.forgot.title"))
}

// forgotSubmit asks for a reset link and says the same whether or not the
// address has an account.
func (s *server) forgotSubmit(c *gin.Context) {
	v := s.view(c, "password.forgot.title")
	v.Form["email"] = strings.TrimSpace(c.PostForm("email"))
	if err := s.auth.RequestPasswordReset(c.Request.Context(), v.Form["email"]); err != nil {
		errs, ok := inputErrors(err, v.Lang)
		if !ok {
			s.fail(c, err)
			return
		}
		v.Errors = errs
		s.render(c, classify(err).status, "password_forgot", v)
		return
	}
	v.Form["sent"] = "1"
	s.render(c, http.StatusOK, "password_forgot", v)
}

// resetPage shows the new-password form for a live link, or says the link
// is no good. The token travels in the query; the access log never
// records queries, and the page loads nothing from elsewhere.
func (s *server) resetPage(c *gin.Context) {
	v := s.view(c, "password.reset.title")
	v.Form["token"] = c.Query("token")
	status := http.StatusOK
	if err := s.auth.CheckPasswordReset(c.Request.Context(), v.Form["token"]); err != nil {
		errs, ok := inputErrors(err, v.Lang)
		if !ok {
			s.fail(c, err)
			return
		}
		v.Errors, status = errs, classify(err).status
	}
	s.render(c, status, "password_reset", v)
}

// resetSubmit sets the new password; every session of the account ends
// and the browser goes to log in.
func (s *server) resetSubmit(c *gin.Context) {
	v := s.view(c, "password.reset.title")
	v.Form["token"] = c.PostForm("token")
	if err := s.auth.ResetPassword(c.Request.Context(), v.Form["token"], c.PostForm("password")); err != nil {
		errs, ok := inputErrors(err, v.Lang)
		if !ok {
			s.fail(c, err)
			return
		}
		v.Errors = errs
		s.render(c, classify(err).status, "password_reset", v)
		return
	}
	s.endSession(c)
	c.Redirect(http.StatusSeeOther, "/login?reset=1")
}

type forgotRequest struct {
	Email string `json:"email"`
}

// forgotPassword answers POST /auth/password/forgot: 202 whether or not
// the address has an account; an account gets the reset e-mail.
func (s *server) forgotPassword(c *gin.Context) {
	var in forgotRequest
	if err := bindJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.auth.RequestPasswordReset(c.Request.Context(), in.Email); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"status": "accepted"})
}

type resetRequest struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// resetPassword answers POST /auth/password/reset: 204 once the new
// password is set and every session has ended; 422 for a link used,
// expired or unknown (field token) or a password the rules refuse.
func (s *server) resetPassword(c *gin.Context) {
	var in resetRequest
	if err := bindJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.auth.ResetPassword(c.Request.Context(), in.Token, in.Password); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
