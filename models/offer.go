package models

import "time"

// APIKey is a partner system's key, scoped to the outages of one provider.
// Only the SHA-256 (hex) of the key is stored; Prefix is its first
// characters, shown to staff to tell keys apart. A revoked key
// (RevokedAt set) authenticates nothing.
type APIKey struct {
	ID         string `gorm:"primaryKey"`
	Name       string
	ProviderID string
	Prefix     string
	KeyHash    string
	CreatedBy  *string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// TableName keeps the table name explicit.
func (APIKey) TableName() string { return "api_keys" }

// OfferImport is one upload of a provider's affected accounts for an
// outage, run as a background job. Status is an offers.ImportStatus. Rows
// counts the data rows read so far, Accepted those that became or matched
// an offer, Rejected those with line errors (Errors, a JSON array of the
// first ones). ResumeLine is the last line whose rows are committed,
// BytesRead about how far into the file that is.
// Exactly one of CreatedBy (a supervisor) and APIKeyID (a partner) is set.
type OfferImport struct {
	ID             string `gorm:"primaryKey"`
	OutageID       string
	CreatedBy      *string
	APIKeyID       *string `gorm:"column:api_key_id"`
	Filename       string
	BlobKey        string
	SizeBytes      int64
	BytesRead      int64
	Status         string
	AcceptanceDays int
	Rows           int
	Accepted       int
	Rejected       int
	OffersCreated  int
	ResumeLine     int
	Errors         string
	Failure        string
	Version        int
	CreatedAt      time.Time
	UpdatedAt      time.Time
	FinishedAt     *time.Time
}

// TableName keeps the table name explicit.
func (OfferImport) TableName() string { return "offer_imports" }

// Offer is compensation offered without a claim to one affected account of
// an outage (one per outage and AccountRef). Status is an offers.Status.
// Phone holds digits only, Email lower case; the payout account number is
// kept only sealed (AccountSealed with AccountKeyID) and masked. Steps is
// the pricing's JSON steps, as on a claim estimate. TokenHash is the
// SHA-256 (hex) of the link token. UserID, ClaimID, ChosenSettlement and
// ActedAt record the person's answer.
type Offer struct {
	ID               string `gorm:"primaryKey"`
	OutageID         string
	ImportID         string
	AccountRef       string
	Category         string
	Name             string
	Phone            string
	Email            string
	MonthlyFeeKRW    int64 `gorm:"column:monthly_fee_krw"`
	BusinessNumber   string
	Settlement       string
	Bank             string
	Holder           string
	AccountSealed    string
	AccountKeyID     string `gorm:"column:account_key_id"`
	AccountMasked    string
	AmountKRW        int64 `gorm:"column:amount_krw"`
	ExtensionDays    int
	InKind           string
	InKindEN         string `gorm:"column:in_kind_en"`
	PolicyVersion    int
	Steps            string
	Status           string
	TokenHash        string
	ExpiresAt        time.Time
	UserID           *string
	ClaimID          *string
	ChosenSettlement string
	ActedAt          *time.Time
	Version          int
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// TableName keeps the table name explicit.
func (Offer) TableName() string { return "offers" }

// ContactVerification is one one-time code sent to prove a phone (Channel
// "phone", by SMS) or an e-mail address (Channel "email"). Only the code's
// keyed hash is kept; Attempts counts wrong guesses.
type ContactVerification struct {
	ID         string `gorm:"primaryKey"`
	UserID     string
	Channel    string
	Address    string
	CodeHash   string
	Attempts   int
	ExpiresAt  time.Time
	VerifiedAt *time.Time
	CreatedAt  time.Time
}

// TableName keeps the table name explicit.
func (ContactVerification) TableName() string { return "contact_verifications" }
