package policy

import (
	"fmt"
	"slices"

	"github.com/bosang/bosang/apperr"
)

// Category is a claimant category of API.md. The zero value is not valid.
type Category string

// The claimant categories, with their wire names.
const (
	FreeUser        Category = "free_user"
	PaidSubscriber  Category = "paid_subscriber"
	Merchant        Category = "merchant"
	Driver          Category = "driver"
	PartnerBusiness Category = "partner_business"
)

var categories = []Category{FreeUser, PaidSubscriber, Merchant, Driver, PartnerBusiness}

// Categories returns every category in API.md's order. The slice is a copy.
func Categories() []Category { return slices.Clone(categories) }

// ParseCategory returns the category named s. Any other string gives an
// error wrapping apperr.ErrInvalid.
func ParseCategory(s string) (Category, error) {
	c := Category(s)
	if !c.Valid() {
		return "", fmt.Errorf("unknown claimant category %q: %w", s, apperr.ErrInvalid)
	}
	return c, nil
}

// String returns the category's wire name.
func (c Category) String() string { return string(c) }

// Valid reports whether c is one of the defined categories.
func (c Category) Valid() bool { return slices.Contains(categories, c) }

// UnmarshalText parses a category name, so that JSON (including the keys of
// Policy.Categories) rejects unknown names with an error wrapping
// apperr.ErrInvalid.
func (c *Category) UnmarshalText(b []byte) error {
	v, err := ParseCategory(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// The evidence kinds a CategoryRule may require; the evidence upload stores
// one of them with every file.
const (
	EvidenceAccount             = "account"              // proof of the account with the provider, or a bank account copy
	EvidenceBilling             = "billing"              // a bill or receipt for the paid service
	EvidenceBusinessCertificate = "business_certificate" // small-business certificate or business registration
	EvidenceSalesRecords        = "sales_records"        // sales for the outage week and the comparison weeks
	EvidenceDriverID            = "driver_id"            // driver qualification or licence
	EvidenceTripRecords         = "trip_records"         // trips with start, end and fare
	EvidenceLogs                = "logs"                 // error or availability logs of a partner's service
)

var evidenceKinds = []string{
	EvidenceAccount, EvidenceBilling, EvidenceBusinessCertificate, EvidenceSalesRecords,
	EvidenceDriverID, EvidenceTripRecords, EvidenceLogs,
}
