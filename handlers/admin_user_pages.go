package handlers

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/models"
)

// The administration's pages join the start-up check of every page here,
// so that this file is all it takes to add them.
func init() {
	pageNames = append(pageNames, "admin_users", "admin_user")
}

func (s *server) adminUserPageRoutes(g *gin.RouterGroup) {
	admin := s.requireRole() // admins only
	g.GET("/admin/users", s.requireUser, admin, s.adminUsersPage)
	g.POST("/admin/users", s.requireUser, admin, s.adminCreateUserSubmit)
	g.GET("/admin/users/:id", s.requireUser, admin, s.adminUserPage)
	g.POST("/admin/users/:id/role", s.requireUser, admin, s.adminRoleSubmit)
	g.POST("/admin/users/:id/access", s.requireUser, admin, s.adminAccessSubmit)
	g.POST("/admin/users/:id/reset-mfa", s.requireUser, admin, s.adminResetMFASubmit)
}

func roleOptions(v *view, selected string) []option {
	out := make([]option, len(staffRoles))
	for i, r := range staffRoles {
		out[i] = option{Value: r.String(), Label: v.L.T("role." + r.String()), Selected: r.String() == selected}
	}
	return out
}

// inputErrors localizes the field problems of err (a validation error or
// another error naming its fields); ok is false when err is not about the
// input.
func inputErrors(err error, lang string) (map[string]string, bool) {
	var ve *apperr.ValidationError
	var fe fielder
	switch {
	case errors.As(err, &ve):
		return localize(ve.Fields, lang), true
	case errors.As(err, &fe):
		return localize(fe.Fields(), lang), true
	}
	return nil, false
}

type adminUsersView struct {
	Query string
	Users []auth.UserEntry
	Roles []option
}

func (s *server) adminUsersPage(c *gin.Context) {
	v := s.view(c, "admin.users.title")
	if c.Query("done") == "created" {
		v.Form["notice"] = v.L.T("admin.users.created")
	}
	v.Form["role"] = models.RoleReviewer.String()
	s.renderAdminUsers(c, http.StatusOK, v)
}

func (s *server) renderAdminUsers(c *gin.Context, status int, v *view) {
	q := strings.TrimSpace(c.Query("q"))
	users, err := s.auth.ListUsers(c.Request.Context(), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	v.Data = adminUsersView{Query: q, Users: users, Roles: roleOptions(v, v.Form["role"])}
	s.render(c, status, "admin_users", v)
}

// adminCreateUserSubmit creates a staff account from the form; the new
// member enrols their second factor at their first login.
func (s *server) adminCreateUserSubmit(c *gin.Context) {
	v := s.view(c, "admin.users.title")
	in := auth.NewUser{Email: c.PostForm("email"), Name: c.PostForm("name"), Phone: c.PostForm("phone"),
		Password: c.PostForm("password"), Role: c.PostForm("role")}
	v.Form = map[string]string{"email": in.Email, "name": in.Name, "phone": in.Phone, "role": in.Role}
	u, err := s.auth.CreateUser(c.Request.Context(), in)
	if err != nil {
		errs, ok := inputErrors(err, v.Lang)
		if !ok {
			s.fail(c, err)
			return
		}
		v.Errors = errs
		s.renderAdminUsers(c, classify(err).status, v)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/users/"+u.ID+"?done=created")
}

type adminUserPageView struct {
	User  *models.User
	Roles []option
}

func (s *server) adminUserPage(c *gin.Context) {
	v := s.view(c, "admin.user.title")
	if done := c.Query("done"); done != "" {
		switch done {
		case "created", "role", "disabled", "enabled", "mfa":
			v.Form["notice"] = v.L.T("admin.user.done." + done)
		}
	}
	s.renderAdminUser(c, http.StatusOK, v)
}

func (s *server) renderAdminUser(c *gin.Context, status int, v *view) {
	u, err := s.auth.User(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	v.Data = adminUserPageView{User: u, Roles: roleOptions(v, u.Role.String())}
	s.render(c, status, "admin_user", v)
}

// adminChange applies one change from a form on the account page and
// goes back to it with a notice, or shows it again with the problem.
func (s *server) adminChange(c *gin.Context, done string, ch auth.UserChange) {
	if _, err := s.auth.UpdateUser(c.Request.Context(), c.Param("id"), ch); err != nil {
		v := s.view(c, "admin.user.title")
		errs, ok := inputErrors(err, v.Lang)
		if !ok {
			s.fail(c, err)
			return
		}
		v.Errors = errs
		if msg := v.Errors["role"]; msg != "" {
			v.Flash = msg
		}
		s.renderAdminUser(c, classify(err).status, v)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/users/"+c.Param("id")+"?done="+done)
}

func (s *server) adminRoleSubmit(c *gin.Context) {
	role := c.PostForm("role")
	s.adminChange(c, "role", auth.UserChange{Role: &role})
}

func (s *server) adminAccessSubmit(c *gin.Context) {
	disabled := c.PostForm("disabled") == "true"
	done := "enabled"
	if disabled {
		done = "disabled"
	}
	s.adminChange(c, done, auth.UserChange{Disabled: &disabled})
}

func (s *server) adminResetMFASubmit(c *gin.Context) {
	if _, err := s.auth.ResetMFAByID(c.Request.Context(), c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/users/"+c.Param("id")+"?done=mfa")
}
