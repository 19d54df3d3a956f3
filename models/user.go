package models

import "time"

// User is an account: a claimant who registered or a staff member created by an
// admin. TokenVersion is bumped on logout, password change and role change so
// that every access token issued before stops working at once.
type User struct {
	ID           string `gorm:"primaryKey" json:"id"`
	Email        string `json:"email"`
	PasswordHash string `json:"-"`
	Name         string `json:"name"`
	Phone        string `json:"phone"`
	Role         Role   `json:"role"`
	TokenVersion int    `json:"-"`
	// DisabledAt is when an admin disabled the account; nil while enabled.
	// A disabled account cannot log in.
	DisabledAt *time.Time `json:"disabled_at"`
	// PhoneVerifiedAt and EmailVerifiedAt are when the phone and the
	// e-mail address were proven by a one-time code; nil until then and
	// again after either changes. Offers are matched only on proven ones.
	PhoneVerifiedAt *time.Time `json:"phone_verified_at"`
	EmailVerifiedAt *time.Time `json:"email_verified_at"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
}

// PasswordReset is one password reset link sent by e-mail, its token kept
// only as a SHA-256 hash. It works once (UsedAt) and until ExpiresAt.
type PasswordReset struct {
	ID        string `gorm:"primaryKey"`
	UserID    string
	TokenHash string
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedAt time.Time
}

// RefreshToken is one opaque refresh token, stored only as a hash. Tokens of
// one login form a family; presenting a used token revokes the whole family.
type RefreshToken struct {
	ID        string `gorm:"primaryKey"`
	UserID    string
	FamilyID  string
	TokenHash string
	ExpiresAt time.Time
	UsedAt    *time.Time
	RevokedAt *time.Time
	CreatedAt time.Time
}

// LoginThrottle counts recent failed logins for one key (an account or a client
// address) so that guessing gets slower, then refused.
type LoginThrottle struct {
	Key          string `gorm:"primaryKey"`
	Failures     int
	WindowStart  time.Time
	BlockedUntil *time.Time
}

// MFAFactor is a staff member's second factor: a TOTP secret, sealed at
// rest (SecretSealed opens only with the encryption key SecretKeyID names,
// for this user). It is pending until ConfirmedAt is set by the first good
// code. LastStep is the RFC 6238 time step of the last code accepted; a
// code of that step or an earlier one is refused.
type MFAFactor struct {
	UserID       string `gorm:"primaryKey"`
	SecretSealed string
	SecretKeyID  string
	ConfirmedAt  *time.Time
	LastStep     int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// TableName keeps the table name explicit.
func (MFAFactor) TableName() string { return "mfa_factors" }

// MFARecoveryCode is one one-time recovery code of a staff member, stored
// only as a hash; UsedAt marks it spent.
type MFARecoveryCode struct {
	ID        string `gorm:"primaryKey"`
	UserID    string
	CodeHash  string
	UsedAt    *time.Time
	CreatedAt time.Time
}

// TableName keeps the table name explicit.
func (MFARecoveryCode) TableName() string { return "mfa_recovery_codes" }
