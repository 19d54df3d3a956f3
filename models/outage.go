package models

import "time"

// Provider is a company that runs services and owes the statutory notices.
// Kind is "value_added" or "carrier" (statute.ProviderKind).
type Provider struct {
	ID                  string    `gorm:"primaryKey" json:"id"`
	Name                string    `json:"name"`
	Kind                string    `json:"kind"`
	PriorYearRevenueKRW int64     `gorm:"column:prior_year_revenue_krw" json:"prior_year_revenue_krw"`
	AvgDailyUsers       int64     `json:"avg_daily_users"`
	Contact             string    `json:"contact"`
	CreatedAt           time.Time `json:"created_at"`
}

// Service is one product of a provider, free or paid, with its features.
type Service struct {
	ID         string    `gorm:"primaryKey" json:"id"`
	Code       string    `json:"code"`
	Name       string    `json:"name"`
	NameEN     string    `gorm:"column:name_en" json:"name_en"`
	ProviderID string    `json:"provider_id"`
	Paid       bool      `json:"paid"`
	CreatedAt  time.Time `json:"created_at"`
}

// Feature is one function of a service (messaging, login, map) that can fail
// on its own and that other services can be built on.
type Feature struct {
	ID        string `gorm:"primaryKey" json:"id"`
	ServiceID string `json:"service_id"`
	Code      string `json:"code"`
	Name      string `json:"name"`
	NameEN    string `gorm:"column:name_en" json:"name_en"`
}

// TableName keeps the table name explicit.
func (Feature) TableName() string { return "service_features" }

// Dependency says that ServiceID is built on FeatureID of another service, so
// an outage of that feature impacts ServiceID for the same window.
type Dependency struct {
	ServiceID string `gorm:"primaryKey"`
	FeatureID string `gorm:"primaryKey"`
}

// TableName keeps the table name explicit.
func (Dependency) TableName() string { return "service_dependencies" }

// Outage is one interruption of a service. EndedAt is nil while ongoing.
// Regions is a JSON array of region names (empty: nationwide). Version grows
// with every correction.
type Outage struct {
	ID               string     `gorm:"primaryKey" json:"id"`
	ServiceID        string     `json:"service_id"`
	Cause            string     `json:"cause"`
	CriticalFacility bool       `json:"critical_facility"`
	Summary          string     `json:"summary"`
	Regions          string     `json:"-"`
	StartedAt        time.Time  `json:"started_at"`
	EndedAt          *time.Time `json:"ended_at"`
	Version          int        `json:"version"`
	CreatedBy        string     `json:"-"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
}

// OutageFeature is one affected feature and, when it came back before the
// rest, its own restoration time.
type OutageFeature struct {
	OutageID   string `gorm:"primaryKey"`
	FeatureID  string `gorm:"primaryKey"`
	RestoredAt *time.Time
}

// OutageRevision records one correction of an outage: who, when, why, and
// the outage before and after as JSON.
type OutageRevision struct {
	ID        string    `gorm:"primaryKey" json:"id"`
	OutageID  string    `json:"-"`
	Version   int       `json:"version"`
	ActorID   string    `json:"actor_id"`
	Reason    string    `json:"reason"`
	Before    string    `json:"-"`
	After     string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
}

// OutageUpdate is one public timeline entry of an outage.
type OutageUpdate struct {
	ID        string    `gorm:"primaryKey" json:"id"`
	OutageID  string    `json:"-"`
	AuthorID  string    `json:"-"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// Notice is a statutory notice recorded as sent. Kind is "interruption" or
// "compensation"; Channels is a JSON array.
type Notice struct {
	ID         string    `gorm:"primaryKey" json:"id"`
	OutageID   string    `json:"outage_id"`
	Kind       string    `json:"kind"`
	Channels   string    `json:"-"`
	SentAt     time.Time `json:"sent_at"`
	Body       string    `json:"body"`
	RecordedBy string    `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
}

// OutageSubscription is an address that asked for e-mail about one outage.
// It receives updates only once confirmed and until unsubscribed; the link's
// token is kept only as its SHA-256 (hex).
type OutageSubscription struct {
	ID        string `gorm:"primaryKey" json:"id"`
	OutageID  string `json:"outage_id"`
	Email     string `json:"-"`
	TokenHash string `json:"-"`
	// Sealed is the token, encrypted under the key KeyID names.
	Sealed         string     `json:"-"`
	KeyID          string     `json:"-"`
	ConfirmedAt    *time.Time `json:"confirmed_at"`
	UnsubscribedAt *time.Time `json:"unsubscribed_at"`
	CreatedAt      time.Time  `json:"created_at"`
}
