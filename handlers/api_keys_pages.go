package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/models"
)

func init() { pageNames = append(pageNames, "admin_api_keys") }

func (s *server) apiKeyPageRoutes(g *gin.RouterGroup) {
	admin := s.requireRole() // admins only
	wired := s.wired(s.apiKeys != nil, "partner keys")
	g.GET("/admin/api-keys", s.requireUser, admin, wired, s.apiKeysPage)
	g.POST("/admin/api-keys", s.requireUser, admin, wired, s.apiKeyIssueSubmit)
	g.POST("/admin/api-keys/:id/revoke", s.requireUser, admin, wired, s.apiKeyRevokeSubmit)
}

// apiKeysView is the partner keys page: the keys, the providers a new
// one may be scoped to, and a key just issued (shown this once).
type apiKeysView struct {
	Keys      []models.APIKey
	Providers []option
	Names     map[string]string // provider names by id
	Issued    string
}

// apiKeysPage lists the keys with the forms to issue and revoke.
func (s *server) apiKeysPage(c *gin.Context) {
	v := s.view(c, "admin.api_keys.title")
	if c.Query("done") == "revoked" {
		v.Form["notice"] = v.L.T("admin.api_keys.revoked")
	}
	s.renderAPIKeys(c, http.StatusOK, v, "")
}

func (s *server) renderAPIKeys(c *gin.Context, status int, v *view, issued string) {
	ctx := c.Request.Context()
	keys, err := s.apiKeys.List(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	catalog, err := s.outages.Catalog(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := &apiKeysView{Keys: keys, Names: map[string]string{}, Issued: issued}
	for _, e := range catalog {
		if _, seen := d.Names[e.Provider.ID]; !seen && e.Provider.ID != "" {
			d.Names[e.Provider.ID] = e.Provider.Name
			d.Providers = append(d.Providers, option{Value: e.Provider.ID, Label: e.Provider.Name, Selected: e.Provider.ID == v.Form["provider"]})
		}
	}
	v.Data = d
	if issued != "" {
		c.Header("Cache-Control", "no-store")
	}
	s.render(c, status, "admin_api_keys", v)
}

// apiKeyIssueSubmit issues a key and shows it once, on the page itself
// (no redirect: the key must not travel in a URL).
func (s *server) apiKeyIssueSubmit(c *gin.Context) {
	v := s.view(c, "admin.api_keys.title")
	v.Form["name"], v.Form["provider"] = c.PostForm("name"), c.PostForm("provider")
	k, err := s.apiKeys.Issue(c.Request.Context(), currentUser(c).ID, v.Form["name"], v.Form["provider"])
	if err != nil {
		errs, ok := inputErrors(err, v.Lang)
		if !ok {
			s.fail(c, err)
			return
		}
		v.Errors = errs
		s.renderAPIKeys(c, classify(err).status, v, "")
		return
	}
	v.Form = map[string]string{}
	s.renderAPIKeys(c, http.StatusCreated, v, k.Key)
}

// apiKeyRevokeSubmit revokes a key.
func (s *server) apiKeyRevokeSubmit(c *gin.Context) {
	if _, err := s.apiKeys.Revoke(c.Request.Context(), c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/api-keys?done=revoked")
}
