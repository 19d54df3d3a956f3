package handlers

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
)

const (
	csrfCookie = "bosang_csrf"
	csrfField  = "csrf_token"
	csrfHeader = "X-CSRF-Token"
)

// csrfToken returns the form token for this browser, setting the random
// cookie it is derived from on first visit. The token is an HMAC of the
// cookie, so a page on another site can neither read nor forge it.
func (s *server) csrfToken(c *gin.Context) string {
	seed, err := c.Cookie(csrfCookie)
	if err != nil || len(seed) < 32 {
		s.rotateCSRF(c)
	}
	if v, ok := c.Get(csrfCookie); ok {
		seed = v.(string)
	}
	return s.csrfFor(seed)
}

// rotateCSRF gives the browser a new random seed, and so a new form token,
// from this response on. Called when a session begins or ends, so that a
// token learnt (or a seed cookie planted) before a login is worthless after
// it.
func (s *server) rotateCSRF(c *gin.Context) {
	b := make([]byte, 32)
	rand.Read(b)
	seed := base64.RawURLEncoding.EncodeToString(b)
	s.setCookie(c, csrfCookie, seed, 0)
	c.Set(csrfCookie, seed)
}

func (s *server) csrfFor(seed string) string { return csrfMAC(s.csrfKey, seed) }

func csrfMAC(key []byte, seed string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(seed))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// csrfMatches reports whether token is the form token of seed under the
// current key or, during a key rotation, one of the previous keys, so that
// forms rendered before the rotation still post.
func (s *server) csrfMatches(seed, token string) bool {
	if token == "" {
		return false
	}
	for _, k := range append([][]byte{s.csrfKey}, s.csrfPrevious...) {
		if hmac.Equal([]byte(token), []byte(csrfMAC(k, seed))) {
			return true
		}
	}
	return false
}

// checkCSRF refuses an unsafe request without a valid CSRF token with 403.
func (s *server) checkCSRF(c *gin.Context) {
	if !s.csrfValid(c) {
		s.fail(c, apperr.ErrForbidden)
		return
	}
	c.Next()
}

// csrfValid reports whether a request is safe by method or carries a token
// matching the cookie, in the form field or the X-CSRF-Token header.
func (s *server) csrfValid(c *gin.Context) bool {
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	if !isAPI(c) && uploadRoutes[c.FullPath()] && strings.HasPrefix(c.ContentType(), "multipart/") {
		// Reading the token here would parse, and buffer, the whole upload.
		// These page handlers stream the form with readMultipart, which
		// checks the token from the fields before it reads the file.
		return true
	}
	seed, err := c.Cookie(csrfCookie)
	token := c.GetHeader(csrfHeader)
	if token == "" {
		token = c.PostForm(csrfField)
	}
	return err == nil && s.csrfMatches(seed, token)
}

// crossOriginProtection is the second layer against forged requests, beside
// the CSRF token: Go's check of Sec-Fetch-Site and Origin, which refuses an
// unsafe request a browser sends from another origin. The portal's public
// address (BOSANG_BASE_URL) is trusted as an origin too, for when a proxy
// in front changes the Host header.
func crossOriginProtection(baseURL string) (*http.CrossOriginProtection, error) {
	p := http.NewCrossOriginProtection()
	if baseURL == "" {
		return p, nil
	}
	u, err := url.Parse(baseURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("base URL %q is not an absolute URL", baseURL)
	}
	if err := p.AddTrustedOrigin(u.Scheme + "://" + u.Host); err != nil {
		return nil, fmt.Errorf("base URL %q as a trusted origin: %w", baseURL, err)
	}
	return p, nil
}

// crossOrigin refuses, with 403, an unsafe request that p finds cross-origin.
func (s *server) crossOrigin(p *http.CrossOriginProtection) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := p.Check(c.Request); err != nil {
			s.fail(c, fmt.Errorf("%v: %w", err, apperr.ErrForbidden))
			return
		}
		c.Next()
	}
}
