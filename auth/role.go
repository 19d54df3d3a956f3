package auth

import (
	"fmt"
	"slices"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
)

// Require returns nil when u holds one of roles or is an admin, and an error
// wrapping ErrForbidden otherwise (ErrUnauthenticated when u is nil).
func Require(u *models.User, roles ...models.Role) error {
	if u == nil {
		return apperr.ErrUnauthenticated
	}
	if u.Role == models.RoleAdmin || slices.Contains(roles, u.Role) {
		return nil
	}
	return fmt.Errorf("role %s lacks the right: %w", u.Role, apperr.ErrForbidden)
}
