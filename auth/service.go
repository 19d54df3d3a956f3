package auth

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/input"
	"github.com/bosang/bosang/models"
)

// Store is what auth needs from persistence. Lookups of a missing row return
// an error wrapping apperr.ErrNotFound; a duplicate e-mail, apperr.ErrConflict.
type Store interface {
	CreateUser(ctx context.Context, u *models.User) error
	UserByEmail(ctx context.Context, email string) (*models.User, error)
	UserByID(ctx context.Context, id string) (*models.User, error)
	// UpdateUserSecurity sets role and password hash and increments the token
	// version, so outstanding access tokens stop working.
	UpdateUserSecurity(ctx context.Context, id string, role models.Role, passwordHash string) error
	// BumpTokenVersion increments the user's token version.
	BumpTokenVersion(ctx context.Context, id string) error

	CreateRefreshToken(ctx context.Context, t *models.RefreshToken) error
	// ConsumeRefreshToken marks the live token with this hash used, atomically,
	// and returns it. A token already used or revoked returns the token and an
	// error wrapping ErrTokenReused; an unknown or expired one, ErrNotFound.
	ConsumeRefreshToken(ctx context.Context, hash string, now time.Time) (*models.RefreshToken, error)
	RevokeRefreshFamily(ctx context.Context, familyID string, now time.Time) error
	RevokeUserRefreshTokens(ctx context.Context, userID string, now time.Time) error

	// RecordLoginFailure counts a failure for key within window and returns the
	// failures counted in the current window.
	RecordLoginFailure(ctx context.Context, key string, now time.Time, window time.Duration) (int, error)
	// BlockLogin refuses logins for key until the given time.
	BlockLogin(ctx context.Context, key string, until time.Time) error
	// LoginBlockedUntil returns the end of a block on key, or the zero time.
	LoginBlockedUntil(ctx context.Context, key string) (time.Time, error)
	ClearLoginFailures(ctx context.Context, key string) error
}

// ErrTokenReused marks a refresh token presented a second time.
var ErrTokenReused = errors.New("refresh token reused")

// Throttle limits guessing: after Max failures within Window for one key (an
// account or a client address), logins for that key are refused for Block.
type Throttle struct {
	Window     time.Duration
	MaxAccount int
	MaxAddress int
	Block      time.Duration
}

// DefaultThrottle allows 5 failures per account and 20 per address in 15
// minutes, then refuses for 15 minutes.
var DefaultThrottle = Throttle{Window: 15 * time.Minute, MaxAccount: 5, MaxAddress: 20, Block: 15 * time.Minute}

// Service is the account use cases of API.md "Accounts".
type Service struct {
	store      Store
	signer     *Signer
	now        func() time.Time
	newID      func() string
	refreshTTL time.Duration
	throttle   Throttle
	dummyHash  string
}

// NewService wires a Service. now and newID are injected for tests.
func NewService(store Store, signer *Signer, refreshTTL time.Duration, throttle Throttle, now func() time.Time, newID func() string) *Service {
	dummy, _ := HashPassword("bosang-dummy-password-for-timing")
	return &Service{store: store, signer: signer, now: now, newID: newID, refreshTTL: refreshTTL, throttle: throttle, dummyHash: dummy}
}

// Pair is the token pair returned by login and refresh.
type Pair struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
}

// NewUser is the input for registering or creating an account.
type NewUser struct {
	Email    string
	Password string
	Name     string
	Phone    string
	Role     string // only for staff creation; Register ignores it
}

var phonePattern = regexp.MustCompile(`^\+?[0-9][0-9 -]{7,18}[0-9]$`)

// Register creates a claimant account. The role is always claimant, whatever
// the input says. Bad fields return a *apperr.ValidationError; a taken e-mail,
// ErrConflict.
func (s *Service) Register(ctx context.Context, in NewUser) (*models.User, error) {
	in.Role = models.RoleClaimant.String()
	return s.create(ctx, in, true)
}

// CreateUser creates an account with any role; only admins may call it (the
// handler checks), and the CLI uses it for staff.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (*models.User, error) {
	return s.create(ctx, in, false)
}

func (s *Service) create(ctx context.Context, in NewUser, phoneRequired bool) (*models.User, error) {
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	in.Name = strings.TrimSpace(in.Name)
	in.Phone = strings.TrimSpace(in.Phone)
	var f apperr.Fields
	input.Line(&f, "email", in.Email, 0)
	input.Line(&f, "name", in.Name, 0)
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || len(in.Email) > 254 || !strings.Contains(in.Email[strings.LastIndexByte(in.Email, '@')+1:], ".") {
		f.Add("email", "올바른 이메일 주소를 입력하세요.", "Enter a valid e-mail address.")
	}
	if ko, en := passwordProblem(in.Password, in.Email); ko != "" {
		f.Add("password", ko, en)
	}
	if n := utf8.RuneCountInString(in.Name); n < 1 || n > 100 {
		f.Add("name", "이름을 1~100자로 입력하세요.", "Enter a name of 1 to 100 characters.")
	}
	if (phoneRequired || in.Phone != "") && !phonePattern.MatchString(in.Phone) {
		f.Add("phone", "전화번호 형식이 올바르지 않습니다. 예: 010-1234-5678", "Enter a valid phone number, e.g. 010-1234-5678.")
	}
	role, err := models.ParseRole(in.Role)
	if err != nil {
		f.Add("role", "알 수 없는 역할입니다.", "Unknown role.")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	u := &models.User{ID: s.newID(), Email: in.Email, PasswordHash: hash, Name: in.Name, Phone: in.Phone, Role: role, CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateUser(ctx, u); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			return nil, &conflictEmail{err}
		}
		return nil, err
	}
	return u, nil
}

// conflictEmail is a duplicate e-mail reported as a field problem too.
type conflictEmail struct{ err error }

func (e *conflictEmail) Error() string { return "e-mail already registered" }
func (e *conflictEmail) Unwrap() error { return apperr.ErrConflict }

// Fields names the field at fault, for the error body.
func (e *conflictEmail) Fields() map[string]apperr.Message {
	return map[string]apperr.Message{"email": {KO: "이미 가입된 이메일입니다.", EN: "This e-mail is already registered."}}
}

// Login checks credentials and returns a new token pair. Unknown e-mail and
// wrong password give the same ErrUnauthenticated after the same work; a
// throttled account or address gives *apperr.RateLimited.
func (s *Service) Login(ctx context.Context, email, password, clientAddr string) (*Pair, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	keys := []string{"account:" + email, "addr:" + clientAddr}
	if err := s.checkBlocked(ctx, keys); err != nil {
		return nil, err
	}
	u, err := s.store.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return nil, err
	}
	hash := s.dummyHash
	if u != nil {
		hash = u.PasswordHash
	}
	if ok := CheckPassword(hash, password); !ok || u == nil {
		if err := s.recordFailure(ctx, keys); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("login %s: %w", redactEmail(email), apperr.ErrUnauthenticated)
	}
	if err := s.store.ClearLoginFailures(ctx, keys[0]); err != nil {
		return nil, err
	}
	return s.issuePair(ctx, u, s.newID())
}

func (s *Service) checkBlocked(ctx context.Context, keys []string) error {
	now := s.now()
	for _, k := range keys {
		until, err := s.store.LoginBlockedUntil(ctx, k)
		if err != nil {
			return err
		}
		if until.After(now) {
			return &apperr.RateLimited{RetryAfterSeconds: int(until.Sub(now).Seconds()) + 1}
		}
	}
	return nil
}

func (s *Service) recordFailure(ctx context.Context, keys []string) error {
	now := s.now()
	limits := []int{s.throttle.MaxAccount, s.throttle.MaxAddress}
	for i, k := range keys {
		n, err := s.store.RecordLoginFailure(ctx, k, now, s.throttle.Window)
		if err != nil {
			return err
		}
		if n >= limits[i] {
			if err := s.store.BlockLogin(ctx, k, now.Add(s.throttle.Block)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Service) issuePair(ctx context.Context, u *models.User, family string) (*Pair, error) {
	access, err := s.signer.Issue(u)
	if err != nil {
		return nil, err
	}
	token, hash, err := newOpaqueToken()
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	rt := &models.RefreshToken{ID: s.newID(), UserID: u.ID, FamilyID: family, TokenHash: hash, ExpiresAt: now.Add(s.refreshTTL), CreatedAt: now}
	if err := s.store.CreateRefreshToken(ctx, rt); err != nil {
		return nil, err
	}
	return &Pair{AccessToken: access, TokenType: "Bearer", ExpiresIn: int(s.signer.TTL().Seconds()), RefreshToken: token}, nil
}

// Refresh rotates a refresh token: the presented one is spent and a new pair
// returned. A token presented twice revokes its whole family and returns
// ErrUnauthenticated, as does an unknown or expired one.
func (s *Service) Refresh(ctx context.Context, refreshToken string) (*Pair, error) {
	if refreshToken == "" || len(refreshToken) > maxTokenLength {
		return nil, fmt.Errorf("refresh token: %w", apperr.ErrUnauthenticated)
	}
	now := s.now().UTC()
	old, err := s.store.ConsumeRefreshToken(ctx, hashOpaque(refreshToken), now)
	switch {
	case errors.Is(err, ErrTokenReused):
		if rerr := s.store.RevokeRefreshFamily(ctx, old.FamilyID, now); rerr != nil {
			return nil, rerr
		}
		return nil, fmt.Errorf("refresh token reused, family revoked: %w", apperr.ErrUnauthenticated)
	case errors.Is(err, apperr.ErrNotFound):
		return nil, fmt.Errorf("refresh token: %w", apperr.ErrUnauthenticated)
	case err != nil:
		return nil, err
	}
	u, err := s.store.UserByID(ctx, old.UserID)
	if err != nil {
		return nil, fmt.Errorf("refresh for missing user: %w", apperr.ErrUnauthenticated)
	}
	return s.issuePair(ctx, u, old.FamilyID)
}

// Logout revokes the user's refresh tokens and every access token issued so far.
func (s *Service) Logout(ctx context.Context, userID string) error {
	if err := s.store.RevokeUserRefreshTokens(ctx, userID, s.now().UTC()); err != nil {
		return err
	}
	return s.store.BumpTokenVersion(ctx, userID)
}

// Authenticate returns the user an access token speaks for. It fails with
// ErrUnauthenticated for a bad token, a deleted user, or a token older than
// the user's last logout, password change or role change.
func (s *Service) Authenticate(ctx context.Context, token string) (*models.User, error) {
	claims, err := s.signer.Verify(token)
	if err != nil {
		return nil, err
	}
	u, err := s.store.UserByID(ctx, claims.Subject)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, fmt.Errorf("token for missing user: %w", apperr.ErrUnauthenticated)
	}
	if err != nil {
		return nil, err
	}
	if u.TokenVersion != claims.Version || u.Role.String() != claims.Role {
		return nil, fmt.Errorf("token version %d, user at %d: %w", claims.Version, u.TokenVersion, apperr.ErrUnauthenticated)
	}
	return u, nil
}

// ChangeRole gives a user another role and revokes their sessions. Unknown
// roles are a *apperr.ValidationError; a missing user, ErrNotFound.
func (s *Service) ChangeRole(ctx context.Context, userID, role string) error {
	r, err := models.ParseRole(role)
	if err != nil {
		return apperr.Invalid("role", "알 수 없는 역할입니다.", "Unknown role.")
	}
	u, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	if err := s.store.UpdateUserSecurity(ctx, u.ID, r, u.PasswordHash); err != nil {
		return err
	}
	return s.store.RevokeUserRefreshTokens(ctx, u.ID, s.now().UTC())
}

// ChangePassword replaces the password after checking the current one, and
// revokes every session. A wrong current password is a validation error.
func (s *Service) ChangePassword(ctx context.Context, userID, current, next string) error {
	u, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	if !CheckPassword(u.PasswordHash, current) {
		return apperr.Invalid("current_password", "현재 비밀번호가 맞지 않습니다.", "The current password is wrong.")
	}
	if ko, en := passwordProblem(next, u.Email); ko != "" {
		return apperr.Invalid("password", ko, en)
	}
	hash, err := HashPassword(next)
	if err != nil {
		return err
	}
	if err := s.store.UpdateUserSecurity(ctx, u.ID, u.Role, hash); err != nil {
		return err
	}
	return s.store.RevokeUserRefreshTokens(ctx, u.ID, s.now().UTC())
}

// redactEmail keeps the domain and the first letter, for logs.
func redactEmail(email string) string {
	at := strings.IndexByte(email, '@')
	if at <= 0 {
		return "***"
	}
	return email[:1] + "***" + email[at:]
}
