package handlers

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/models"
)

// staffRoles are the roles an admin gives, in the order forms offer them.
var staffRoles = []models.Role{models.RoleReviewer, models.RoleOperator, models.RoleSupervisor, models.RoleAdmin, models.RoleClaimant}

// adminUserView is an account as the administration sees it.
type adminUserView struct {
	ID          string     `json:"id"`
	Email       string     `json:"email"`
	Name        string     `json:"name"`
	Phone       string     `json:"phone"`
	Role        string     `json:"role"`
	Disabled    bool       `json:"disabled"`
	DisabledAt  *time.Time `json:"disabled_at"`
	MFAEnrolled *bool      `json:"mfa_enrolled,omitempty"` // nil: not looked up
	CreatedAt   time.Time  `json:"created_at"`
}

func viewAdminUser(u *models.User, mfa *bool) adminUserView {
	return adminUserView{ID: u.ID, Email: u.Email, Name: u.Name, Phone: u.Phone, Role: u.Role.String(),
		Disabled: u.DisabledAt != nil, DisabledAt: u.DisabledAt, MFAEnrolled: mfa, CreatedAt: u.CreatedAt}
}

func (s *server) adminUserRoutes(g *gin.RouterGroup) {
	admin := s.requireRole() // admins only
	g.GET("/admin/users", s.requireUser, admin, s.listUsers)
	g.PATCH("/admin/users/:id", s.requireUser, admin, s.updateUser)
	g.POST("/admin/users/:id/reset-mfa", s.requireUser, admin, s.resetUserMFA)
}

// listUsers answers GET /admin/users: the staff, or with ?q= the accounts
// whose e-mail or name contains q.
func (s *server) listUsers(c *gin.Context) {
	entries, err := s.auth.ListUsers(c.Request.Context(), c.Query("q"))
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]adminUserView, len(entries))
	for i := range entries {
		out[i] = viewAdminUser(&entries[i].User, &entries[i].MFA)
	}
	c.JSON(http.StatusOK, gin.H{"users": out})
}

type updateUserRequest struct {
	Role     *string `json:"role"`
	Disabled *bool   `json:"disabled"`
}

// updateUser answers PATCH /admin/users/{id}: a new role, disabled or
// enabled again; the account's sessions end.
func (s *server) updateUser(c *gin.Context) {
	var in updateUserRequest
	if err := bindJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	u, err := s.auth.UpdateUser(c.Request.Context(), c.Param("id"), auth.UserChange{Role: in.Role, Disabled: in.Disabled})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"user": viewAdminUser(u, nil)})
}

// resetUserMFA answers POST /admin/users/{id}/reset-mfa: the second factor
// is removed and the next login enrols afresh; the sessions end.
func (s *server) resetUserMFA(c *gin.Context) {
	u, err := s.auth.ResetMFAByID(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	enrolled := false
	c.JSON(http.StatusOK, gin.H{"user": viewAdminUser(u, &enrolled)})
}
