package auth

import (
	"context"
	"fmt"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/models"
)

// UserEntry is one account on the administration list: the user and
// whether their second factor is confirmed.
type UserEntry struct {
	User models.User
	MFA  bool
}

// maxUserList bounds one administration list.
const maxUserList = 200

// ListUsers lists accounts for an admin: the staff when query is empty,
// else up to 200 accounts whose e-mail or name contains query.
func (s *Service) ListUsers(ctx context.Context, query string) ([]UserEntry, error) {
	users, mfa, err := s.store.ListUsers(ctx, query, maxUserList)
	if err != nil {
		return nil, err
	}
	out := make([]UserEntry, len(users))
	for i, u := range users {
		out[i] = UserEntry{User: u, MFA: mfa[u.ID]}
	}
	return out, nil
}

// User returns one account; ErrNotFound when there is none.
func (s *Service) User(ctx context.Context, id string) (*models.User, error) {
	return s.store.UserByID(ctx, id)
}

// UserChange is what an admin changes on an account; nil fields stay.
type UserChange struct {
	Role     *string
	Disabled *bool
}

// UpdateUser changes an account's role or disables (or enables) it for an
// admin (the actor in ctx). Either change ends every session the account
// holds; a disabled account cannot log in. The audit entry (user.update,
// with the old and new role and state) is written in the same transaction.
// An unknown role, an empty change, or admins demoting or disabling
// themselves (which would lock the administration out) are a
// *apperr.ValidationError; a missing user, ErrNotFound.
func (s *Service) UpdateUser(ctx context.Context, id string, ch UserChange) (*models.User, error) {
	var f apperr.Fields
	var role models.Role
	if ch.Role != nil {
		r, err := models.ParseRole(*ch.Role)
		if err != nil {
			f.AddMsg("role", apperr.M("auth.role_unknown"))
		}
		role = r
	}
	if ch.Role == nil && ch.Disabled == nil {
		f.AddMsg("role", apperr.M("auth.role_change_empty"))
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	u, err := s.store.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if ch.Role == nil {
		role = u.Role
	}
	disabledAt := u.DisabledAt
	now := s.now().UTC()
	if ch.Disabled != nil {
		switch {
		case *ch.Disabled && disabledAt == nil:
			disabledAt = &now
		case !*ch.Disabled:
			disabledAt = nil
		}
	}
	if actor := audit.ActorFrom(ctx); actor.ID == u.ID && (role != u.Role || disabledAt != nil) {
		return nil, apperr.InvalidMsg("role", apperr.M("auth.role_change_self"))
	}
	entry, err := audit.Build(audit.FromContext(ctx, audit.Record{Action: "user.update", Entity: audit.EntityUser,
		EntityID: u.ID, SubjectID: u.ID, Details: map[string]any{
			"role":     map[string]string{"old": u.Role.String(), "new": role.String()},
			"disabled": map[string]bool{"old": u.DisabledAt != nil, "new": disabledAt != nil},
		}}), now, s.newID())
	if err != nil {
		return nil, err
	}
	err = s.store.InTx(ctx, func(tx Store) error {
		return tx.UpdateUserAccess(ctx, u.ID, role, disabledAt, now, entry)
	})
	if err != nil {
		return nil, err
	}
	u.Role, u.DisabledAt, u.UpdatedAt = role, disabledAt, now
	return u, nil
}

// ResetMFAByID is ResetMFA for the account with this id.
func (s *Service) ResetMFAByID(ctx context.Context, id string) (*models.User, error) {
	u, err := s.store.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return u, s.resetMFA(ctx, u)
}

// errDisabled is a login of a disabled account: refused as a wrong
// password would be.
var errDisabled = fmt.Errorf("account disabled: %w", apperr.ErrUnauthenticated)

// checkEnabled refuses a disabled account.
func checkEnabled(u *models.User) error {
	if u.DisabledAt != nil {
		return errDisabled
	}
	return nil
}
