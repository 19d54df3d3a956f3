package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/input"
	"github.com/bosang/bosang/models"
)

// userView is the public shape of an account (API.md GET /me).
type userView struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Role  string `json:"role"`
	// PhoneVerified and EmailVerified say whether a one-time code proved
	// the address (POST /me/verify).
	PhoneVerified bool `json:"phone_verified"`
	EmailVerified bool `json:"email_verified"`
}

func viewUser(u *models.User) userView {
	return userView{ID: u.ID, Email: u.Email, Name: u.Name, Phone: u.Phone, Role: u.Role.String(),
		PhoneVerified: u.PhoneVerifiedAt != nil, EmailVerified: u.EmailVerifiedAt != nil}
}

type registerRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Name     string `json:"name"`
	Phone    string `json:"phone"`
}

func (s *server) register(c *gin.Context) {
	var in registerRequest
	if err := bindJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	// 201 {user} whether or not the address was registered already; see
	// auth.Service.Register.
	u, err := s.auth.Register(c.Request.Context(), auth.NewUser{Email: in.Email, Password: in.Password, Name: in.Name, Phone: in.Phone}, clientAddr(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"user": viewUser(u)})
}

type createUserRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	Role     string `json:"role"`
}

func (s *server) createUser(c *gin.Context) {
	var in createUserRequest
	if err := bindJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	u, err := s.auth.CreateUser(c.Request.Context(), auth.NewUser(in))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"user": viewUser(u)})
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (s *server) login(c *gin.Context) {
	var in loginRequest
	if err := bindJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	if err := checkLoginEmail(in.Email); err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.auth.Login(c.Request.Context(), in.Email, in.Password, clientAddr(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	if res.Challenge != nil { // staff: the second factor first (completeMFA)
		c.JSON(http.StatusOK, res.Challenge)
		return
	}
	c.JSON(http.StatusOK, res.Pair)
}

type mfaRequest struct {
	MFAToken string `json:"mfa_token"`
	Code     string `json:"code"`
}

// completeMFA finishes a staff login with a TOTP or recovery code: the
// token pair, and the first time the recovery codes.
func (s *server) completeMFA(c *gin.Context) {
	var in mfaRequest
	if err := bindJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.auth.CompleteMFA(c.Request.Context(), in.MFAToken, in.Code)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

// checkLoginEmail refuses an e-mail address no account can have (control
// characters, invalid UTF-8, more than 254 characters) before it reaches
// the store, where PostgreSQL would refuse it and SQLite find nothing: a
// field error on "email" from both.
func checkLoginEmail(email string) error {
	var f apperr.Fields
	input.Line(&f, "email", email, 254)
	return f.Err()
}

type refreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

func (s *server) refresh(c *gin.Context) {
	var in refreshRequest
	if err := bindJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	pair, err := s.auth.Refresh(c.Request.Context(), in.RefreshToken)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pair)
}

func (s *server) logout(c *gin.Context) {
	if err := s.auth.Logout(c.Request.Context(), currentUser(c).ID); err != nil {
		s.fail(c, err)
		return
	}
	s.endSession(c)
	c.Status(http.StatusNoContent)
}

func (s *server) me(c *gin.Context) {
	c.JSON(http.StatusOK, viewUser(currentUser(c)))
}
