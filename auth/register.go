package auth

import (
	"context"
	"encoding/json"
	"errors"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/input"
	"github.com/bosang/bosang/models"
)

// NewUser is the input for registering or creating an account.
type NewUser struct {
	Email    string
	Password string
	Name     string
	Phone    string
	Role     string // only for staff creation; Register ignores it
}

// TopicSignupExisting is the outbox topic of the message telling an
// account's owner that someone tried to sign up with their e-mail address.
// Its payload is a SignupExisting.
const TopicSignupExisting = "account.signup_existing"

// SignupExisting is the payload of a TopicSignupExisting message: whose
// address, and when. It carries no address or other personal data.
type SignupExisting struct {
	UserID string    `json:"user_id"`
	At     time.Time `json:"at"`
}

var phonePattern = regexp.MustCompile(`^\+?[0-9][0-9 -]{7,18}[0-9]$`)

// Register creates a claimant account. The role is always claimant, whatever
// the input says. Bad fields return a *apperr.ValidationError; too many
// sign-ups from clientAddr (see Throttle), *apperr.RateLimited.
//
// Whether an address is registered is not revealed: for an address that
// already has an account, Register does the same work and returns a user
// shaped like a new one that is stored nowhere (its id exists nowhere), and
// queues a TopicSignupExisting message telling the owner, at most one a day.
func (s *Service) Register(ctx context.Context, in NewUser, clientAddr string) (*models.User, error) {
	in.Role = models.RoleClaimant.String()
	in, role, err := validate(in, true)
	if err != nil {
		return nil, err
	}
	if err := s.countSignup(ctx, clientAddr); err != nil {
		return nil, err
	}
	u, err := s.newUser(in, role)
	if err != nil {
		return nil, err
	}
	err = s.store.CreateUser(ctx, u)
	if errors.Is(err, apperr.ErrConflict) {
		return u, s.tellOwner(ctx, u.Email)
	}
	if err != nil {
		return nil, err
	}
	return u, nil
}

// CreateUser creates an account with any role; only admins may call it (the
// handler checks), and the CLI uses it for staff. A taken e-mail is
// ErrConflict naming the field. The audit entry (user.create, the actor
// from ctx) is written in the same transaction.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (*models.User, error) {
	in, role, err := validate(in, false)
	if err != nil {
		return nil, err
	}
	u, err := s.newUser(in, role)
	if err != nil {
		return nil, err
	}
	entry, err := audit.Build(audit.FromContext(ctx, audit.Record{Action: "user.create", Entity: audit.EntityUser,
		EntityID: u.ID, SubjectID: u.ID, Details: map[string]string{"role": role.String()}}), u.CreatedAt, s.newID())
	if err != nil {
		return nil, err
	}
	if err := s.store.InTx(ctx, func(tx Store) error { return tx.CreateUserAudited(ctx, u, entry) }); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			return nil, &conflictEmail{err}
		}
		return nil, err
	}
	return u, nil
}

// validate normalizes in and checks every field, returning all problems at
// once as a *apperr.ValidationError.
func validate(in NewUser, phoneRequired bool) (NewUser, models.Role, error) {
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	in.Name = strings.TrimSpace(in.Name)
	in.Phone = strings.TrimSpace(in.Phone)
	var f apperr.Fields
	input.Line(&f, "email", in.Email, 0)
	input.Line(&f, "name", in.Name, 0)
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || len(in.Email) > 254 || !strings.Contains(in.Email[strings.LastIndexByte(in.Email, '@')+1:], ".") {
		f.AddMsg("email", apperr.M("auth.email_invalid"))
	}
	if m, bad := passwordProblem(in.Password, in.Email); bad {
		f.AddMsg("password", m)
	}
	if n := utf8.RuneCountInString(in.Name); n < 1 || n > 100 {
		f.AddMsg("name", apperr.M("auth.name_length"))
	}
	if (phoneRequired || in.Phone != "") && !phonePattern.MatchString(in.Phone) {
		f.AddMsg("phone", apperr.M("auth.phone_invalid"))
	}
	role, err := models.ParseRole(in.Role)
	if err != nil {
		f.AddMsg("role", apperr.M("auth.role_unknown"))
	}
	return in, role, f.Err()
}

// newUser hashes the password of a validated input into an unsaved user.
func (s *Service) newUser(in NewUser, role models.Role) (*models.User, error) {
	hash, err := HashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	return &models.User{ID: s.newID(), Email: in.Email, PasswordHash: hash, Name: in.Name, Phone: in.Phone, Role: role, CreatedAt: now, UpdatedAt: now}, nil
}

// tellOwner queues the message telling the owner of email that someone
// tried to sign up with it; one a day at most, so that nobody can flood an
// inbox through the sign-up form.
func (s *Service) tellOwner(ctx context.Context, email string) error {
	owner, err := s.store.UserByEmail(ctx, email)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	payload, err := json.Marshal(SignupExisting{UserID: owner.ID, At: now})
	if err != nil {
		return err
	}
	return s.store.EnqueueOnce(ctx, &models.OutboxMessage{ID: s.newID(), Topic: TopicSignupExisting,
		DedupeID: "signup-existing-" + owner.ID + "-" + now.Format(time.DateOnly), Payload: string(payload), AvailableAt: now, CreatedAt: now})
}

// conflictEmail is a duplicate e-mail reported as a field problem too.
type conflictEmail struct{ err error }

func (e *conflictEmail) Error() string { return "e-mail already registered" }
func (e *conflictEmail) Unwrap() error { return apperr.ErrConflict }

// Fields names the field at fault, for the error body.
func (e *conflictEmail) Fields() map[string]apperr.Message {
	return map[string]apperr.Message{"email": apperr.M("auth.email_taken")}
}
