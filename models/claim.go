package models

import "time"

// Profile is one claimant profile kind kept on the account and reused across
// claims. Data is the kind's JSON document; BusinessNumber is set for
// merchants so that duplicates can be found; Secret holds an encrypted
// identifier (a driver licence number) with its key id.
type Profile struct {
	UserID         string    `gorm:"primaryKey"`
	Kind           string    `gorm:"primaryKey"`
	Data           string    `gorm:"column:data"`
	BusinessNumber *string   `gorm:"column:business_number"`
	Secret         string    `gorm:"column:secret"`
	SecretKeyID    string    `gorm:"column:secret_key_id"`
	UpdatedAt      time.Time `gorm:"column:updated_at"`
}

// TableName keeps the table name explicit.
func (Profile) TableName() string { return "claimant_profiles" }

// PolicyRecord is one published compensation policy version; Rules is the
// policy as JSON. Rows are never updated.
type PolicyRecord struct {
	Version       int `gorm:"primaryKey"`
	Name          string
	EffectiveFrom time.Time
	Rules         string
	CreatedBy     *string
	CreatedAt     time.Time
}

// TableName keeps the table name explicit.
func (PolicyRecord) TableName() string { return "policies" }

// Claim is one compensation claim. The payout account number is stored only
// sealed (PayoutNumberSealed with its key id) and as its masked form.
type Claim struct {
	ID                 string `gorm:"primaryKey"`
	Number             string
	ClaimantID         string
	OutageID           string
	Category           ClaimCategory
	Monetary           bool
	Description        string
	ClaimedAmountKRW   int64 `gorm:"column:claimed_amount_krw"`
	Details            string
	PayoutBank         string
	PayoutHolder       string
	PayoutNumberSealed string
	PayoutKeyID        string `gorm:"column:payout_key_id"`
	PayoutNumberMasked string
	Status             ClaimStatus
	EstimateAmountKRW  int64 `gorm:"column:estimate_amount_krw"`
	PolicyVersion      int
	Version            int
	CreatedAt          time.Time
	UpdatedAt          time.Time

	// Review state.
	LeasedBy          *string
	LeaseExpiresAt    *time.Time
	DecidedBy         *string
	DecidedAt         *time.Time
	ApprovedAmountKRW int64 `gorm:"column:approved_amount_krw"`
	AppealedAt        *time.Time
	SupplementDueAt   *time.Time
	// Flags is a JSON array of fraud and duplicate signals.
	Flags string
	// PayoutFingerprint is a keyed hash of the account number, so shared
	// accounts can be found without decrypting any.
	PayoutFingerprint string
	ClientIP          string `gorm:"column:client_ip"`
	// EvidenceCount is how many files the claim has. Recording a file
	// moves it in the same transaction, so no change to a claim's page
	// leaves its row as it was (see store.ClaimStore.ClaimPage).
	EvidenceCount int
}

// ClaimEstimate is one pricing of a claim; a re-priced claim keeps the old
// ones with SupersededAt set. ReviewReason says why a person must look
// ("" when nothing stands out), ExtensionDays how long the paid service is
// extended, InKind and InKindEN the in-kind items.
type ClaimEstimate struct {
	ID             string `gorm:"primaryKey"`
	ClaimID        string
	PolicyVersion  int
	AmountKRW      int64 `gorm:"column:amount_krw"`
	Steps          string
	Auto           bool
	ReviewRequired bool
	ReviewReason   string
	ExtensionDays  int64
	InKind         string
	InKindEN       string `gorm:"column:in_kind_en"`
	// Reason says why this pricing was made, as JSON (package claims
	// writes and reads it); empty for old estimates.
	Reason       string
	CreatedAt    time.Time
	SupersededAt *time.Time
}

// ClaimEvent is one entry of a claim's status timeline; Status is the
// status the claim moved to.
type ClaimEvent struct {
	ID        string `gorm:"primaryKey"`
	ClaimID   string
	Status    ClaimStatus
	ActorID   *string
	Note      string
	CreatedAt time.Time
}

// Evidence is one uploaded file of a claim, stored in the blob store under
// StorageKey (server-generated); OriginalName is shown, never used as a path.
type Evidence struct {
	ID           string `gorm:"primaryKey"`
	ClaimID      string
	Kind         string
	SHA256       string `gorm:"column:sha256"`
	Size         int64
	ContentType  string
	StorageKey   string
	OriginalName string
	CreatedAt    time.Time
}

// TableName keeps the table name explicit.
func (Evidence) TableName() string { return "evidence" }

// IdempotencyKey remembers a request made with an Idempotency-Key header so
// that a retry gets the first response. State is "in_flight" or "done".
type IdempotencyKey struct {
	UserID         string `gorm:"primaryKey"`
	Key            string `gorm:"primaryKey"`
	RequestHash    string
	State          string
	ResponseStatus int
	ResponseBody   string
	CreatedAt      time.Time
}

// OutboxMessage is an event written in the same transaction as the change it
// reports, with the River job that delivers it at least once (package jobs).
// DedupeID lets the receiver drop repeats. Attempts counts failed attempts,
// LastError holds the latest failure and DeadAt is set when the job used up
// its attempts; LeasedUntil is a column of the dispatcher River replaced and
// is no longer written.
type OutboxMessage struct {
	ID          string `gorm:"primaryKey"`
	Topic       string
	DedupeID    string
	Payload     string
	Attempts    int
	AvailableAt time.Time
	LeasedUntil *time.Time
	DeliveredAt *time.Time
	LastError   string
	CreatedAt   time.Time
	DeadAt      *time.Time
}

// TableName keeps the table name explicit.
func (OutboxMessage) TableName() string { return "outbox" }

// Decision is one immutable decision on a claim, taken on ClaimVersion; the
// unique (claim, version) pair means two people can never both decide on the
// same version. FromStatus and ToStatus are the claim's status before and
// after it.
type Decision struct {
	ID           string `gorm:"primaryKey"`
	ClaimID      string
	ClaimVersion int
	ActorID      *string
	ActorRole    string
	Action       string
	FromStatus   ClaimStatus
	ToStatus     ClaimStatus
	AmountKRW    int64 `gorm:"column:amount_krw"`
	ReasonCode   string
	Note         string
	DueAt        *time.Time
	CreatedAt    time.Time
}

// PayoutBatch groups approved claims for one bank transfer file.
type PayoutBatch struct {
	ID        string `gorm:"primaryKey"`
	OutageID  *string
	CreatedBy string
	Status    string
	ItemCount int
	TotalKRW  int64 `gorm:"column:total_krw"`
	CreatedAt time.Time
}

// PayoutItem is one transfer of a batch.
type PayoutItem struct {
	ID        string `gorm:"primaryKey"`
	BatchID   string
	ClaimID   string
	AmountKRW int64 `gorm:"column:amount_krw"`
	Status    string
	Reference string
	SettledAt *time.Time
	CreatedAt time.Time
}
