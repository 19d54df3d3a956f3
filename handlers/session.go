package handlers

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/models"
)

const (
	userKey       = "user"
	accessCookie  = "bosang_at"
	refreshCookie = "bosang_rt"
)

// identify finds who is calling: a Bearer token, or for browsers the access
// cookie, renewed through the refresh cookie when it has expired. A bad
// Bearer token is a 401 at once; a bad cookie just means "not logged in".
func (s *server) identify(c *gin.Context) {
	if h := c.GetHeader("Authorization"); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			s.fail(c, apperr.ErrUnauthenticated)
			return
		}
		if strings.HasPrefix(strings.TrimSpace(token), auth.APIKeyPrefix) {
			s.identifyPartner(c, strings.TrimSpace(token))
			return
		}
		u, err := s.auth.Authenticate(c.Request.Context(), strings.TrimSpace(token))
		if err != nil {
			s.fail(c, err)
			return
		}
		s.setUser(c, u)
		c.Next()
		return
	}
	if hasSessionCookie(c) && !s.csrfValid(c) {
		// A cookie session on a state-changing call needs the CSRF proof,
		// whichever cookie would authenticate it: the refresh cookie alone
		// would otherwise log a forged request in (and rotate the session).
		// Refused before the cookies are looked at, so nothing changes.
		s.fail(c, apperr.ErrForbidden)
		return
	}
	if u := s.cookieUser(c); u != nil {
		s.setUser(c, u)
	}
	c.Next()
}

// hasSessionCookie reports whether the request carries either session
// cookie: the access cookie or the refresh cookie that renews it.
func hasSessionCookie(c *gin.Context) bool {
	for _, name := range []string{accessCookie, refreshCookie} {
		if v, err := c.Cookie(name); err == nil && v != "" {
			return true
		}
	}
	return false
}

// setUser makes u the caller, for handlers and for the audit entries the
// stores write in the request's transactions.
func (s *server) setUser(c *gin.Context, u *models.User) {
	c.Set(userKey, u)
	ctx := audit.WithActor(c.Request.Context(), audit.Actor{ID: u.ID, Role: u.Role.String(), IP: clientIP(c)})
	c.Request = c.Request.WithContext(ctx)
}

func (s *server) cookieUser(c *gin.Context) *models.User {
	ctx := c.Request.Context()
	if at, err := c.Cookie(accessCookie); err == nil {
		if u, err := s.auth.Authenticate(ctx, at); err == nil {
			return u
		}
	}
	rt, err := c.Cookie(refreshCookie)
	if err != nil {
		return nil
	}
	pair, err := s.auth.Refresh(ctx, rt)
	if err != nil {
		s.clearSession(c)
		return nil
	}
	u, err := s.auth.Authenticate(ctx, pair.AccessToken)
	if err != nil {
		return nil
	}
	s.setSession(c, pair)
	return u
}

// currentUser is the caller, or nil.
func currentUser(c *gin.Context) *models.User {
	if v, ok := c.Get(userKey); ok {
		return v.(*models.User)
	}
	return nil
}

// requireUser stops anonymous callers: 401 on the API, a redirect to the
// login page elsewhere.
func (s *server) requireUser(c *gin.Context) {
	if currentUser(c) != nil {
		c.Next()
		return
	}
	if _, _, ok := partnerOf(c); ok {
		s.fail(c, fmt.Errorf("a partner key on a route for people: %w", apperr.ErrForbidden))
		return
	}
	if isAPI(c) {
		s.fail(c, apperr.ErrUnauthenticated)
		return
	}
	c.Redirect(http.StatusSeeOther, "/login?next="+c.Request.URL.Path)
	c.Abort()
}

// requireRole lets through callers holding one of roles (admins always).
func (s *server) requireRole(roles ...models.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := auth.Require(currentUser(c), roles...); err != nil {
			s.fail(c, err)
			return
		}
		c.Next()
	}
}

// startSession gives a browser that just logged in its session cookies and
// a new CSRF seed.
func (s *server) startSession(c *gin.Context, p *auth.Pair) {
	s.setSession(c, p)
	s.rotateCSRF(c)
}

// endSession deletes the session cookies and, for a browser, replaces the
// CSRF seed.
func (s *server) endSession(c *gin.Context) {
	s.clearSession(c)
	if _, err := c.Cookie(csrfCookie); err == nil {
		s.rotateCSRF(c)
	}
}

func (s *server) setSession(c *gin.Context, p *auth.Pair) {
	s.setCookie(c, accessCookie, p.AccessToken, int(s.refreshTTL.Seconds()))
	s.setCookie(c, refreshCookie, p.RefreshToken, int(s.refreshTTL.Seconds()))
}

func (s *server) clearSession(c *gin.Context) {
	s.setCookie(c, accessCookie, "", -1)
	s.setCookie(c, refreshCookie, "", -1)
}

// setCookie writes an HttpOnly, SameSite=Lax cookie, Secure outside
// localhost. maxAge 0 means a session cookie, negative deletes it.
func (s *server) setCookie(c *gin.Context, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
}
