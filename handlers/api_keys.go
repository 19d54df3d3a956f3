package handlers

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
)

// apiKeyView is a partner key as admins see it: never the key itself, only
// its first characters.
type apiKeyView struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	ProviderID string     `json:"provider_id"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

func viewAPIKey(k *models.APIKey) apiKeyView {
	return apiKeyView{ID: k.ID, Name: k.Name, ProviderID: k.ProviderID, Prefix: k.Prefix, CreatedAt: k.CreatedAt,
		LastUsedAt: k.LastUsedAt, RevokedAt: k.RevokedAt}
}

func (s *server) apiKeyRoutes(g *gin.RouterGroup) {
	admin := s.requireRole() // admins only
	wired := s.wired(s.apiKeys != nil, "partner keys")
	g.GET("/admin/api-keys", s.requireUser, admin, wired, s.listAPIKeys)
	g.POST("/admin/api-keys", s.requireUser, admin, wired, s.issueAPIKey)
	g.DELETE("/admin/api-keys/:id", s.requireUser, admin, wired, s.revokeAPIKey)
}

// wired answers 503 on routes whose service (named what) cmd/bosang did
// not wire, instead of failing on a nil service.
func (s *server) wired(ok bool, what string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !ok {
			s.fail(c, fmt.Errorf("%s not configured: %w", what, apperr.ErrUnavailable))
			return
		}
		c.Next()
	}
}

type issueAPIKeyRequest struct {
	Name     string `json:"name"`
	Provider string `json:"provider"`
}

// issueAPIKey answers POST /admin/api-keys: 201 with the key, the only
// time it is shown.
func (s *server) issueAPIKey(c *gin.Context) {
	var in issueAPIKeyRequest
	if err := bindJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	k, err := s.apiKeys.Issue(c.Request.Context(), currentUser(c).ID, in.Name, in.Provider)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, gin.H{"id": k.ID, "key": k.Key, "api_key": viewAPIKey(&k.APIKey)})
}

// listAPIKeys answers GET /admin/api-keys: every key, revoked ones
// included, newest first, without the keys themselves.
func (s *server) listAPIKeys(c *gin.Context) {
	keys, err := s.apiKeys.List(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]apiKeyView, len(keys))
	for i := range keys {
		out[i] = viewAPIKey(&keys[i])
	}
	c.JSON(http.StatusOK, gin.H{"api_keys": out})
}

// revokeAPIKey answers DELETE /admin/api-keys/{id}: the key stops working
// at once; revoking again changes nothing.
func (s *server) revokeAPIKey(c *gin.Context) {
	k, err := s.apiKeys.Revoke(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"api_key": viewAPIKey(k)})
}
