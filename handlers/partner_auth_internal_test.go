package handlers

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/models"
)

// TestStaffOrPartner pins who passes staffOrPartner(supervisor): a
// partner key (its scope is the domain's to check, with partnerOf), a
// supervisor, an admin; not a reviewer (403) nor nobody (401).
func TestStaffOrPartner(t *testing.T) {
	s := &server{log: slog.New(slog.DiscardHandler)}
	tests := []struct {
		name    string
		partner bool
		role    *models.Role // nil for no user
		want    int
	}{
		{"a partner key", true, nil, http.StatusOK},
		{"a supervisor", false, &models.RoleSupervisor, http.StatusOK},
		{"an admin", false, &models.RoleAdmin, http.StatusOK},
		{"a reviewer", false, &models.RoleReviewer, http.StatusForbidden},
		{"a claimant", false, &models.RoleClaimant, http.StatusForbidden},
		{"nobody", false, nil, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := gin.New()
			var gotKey, gotProvider string
			r.GET("/api/v1/imports/:id", func(c *gin.Context) {
				if tt.partner {
					c.Set(partnerKey, partner{keyID: "k1", providerID: "p1"})
				}
				if tt.role != nil {
					c.Set(userKey, &models.User{ID: "u1", Role: *tt.role})
				}
			}, s.staffOrPartner(models.RoleSupervisor), func(c *gin.Context) {
				gotKey, gotProvider, _ = partnerOf(c)
				c.Status(http.StatusOK)
			})
			w := httptest.NewRecorder()
			r.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/imports/i1", nil))
			if w.Code != tt.want {
				t.Fatalf("got %d, want %d", w.Code, tt.want)
			}
			if tt.partner && (gotKey != "k1" || gotProvider != "p1") {
				t.Fatalf("partnerOf: got %q, %q; want the key and its provider", gotKey, gotProvider)
			}
		})
	}
}
