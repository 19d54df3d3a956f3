package models

import (
	"database/sql/driver"
	"fmt"
	"slices"
)

// ClaimCategory is a claimant category of API.md. It is stored and sent on
// the wire by its name. The zero value is not a valid category.
type ClaimCategory string

// The claimant categories, with their wire names.
const (
	CategoryFreeUser        ClaimCategory = "free_user"
	CategoryPaidSubscriber  ClaimCategory = "paid_subscriber"
	CategoryMerchant        ClaimCategory = "merchant"
	CategoryDriver          ClaimCategory = "driver"
	CategoryPartnerBusiness ClaimCategory = "partner_business"
)

var claimCategories = []ClaimCategory{CategoryFreeUser, CategoryPaidSubscriber, CategoryMerchant,
	CategoryDriver, CategoryPartnerBusiness}

// ClaimCategories returns every category in API.md's order. The slice is a
// copy.
func ClaimCategories() []ClaimCategory { return slices.Clone(claimCategories) }

// ParseClaimCategory returns the category named s, or an error for any other
// string.
func ParseClaimCategory(s string) (ClaimCategory, error) {
	c := ClaimCategory(s)
	if !c.Valid() {
		return "", fmt.Errorf("unknown claimant category %q", s)
	}
	return c, nil
}

// String returns the category's wire name.
func (c ClaimCategory) String() string { return string(c) }

// Valid reports whether c is one of the defined categories.
func (c ClaimCategory) Valid() bool { return slices.Contains(claimCategories, c) }

// UnmarshalText parses a category name, so that JSON (including map keys)
// rejects unknown names with an error.
func (c *ClaimCategory) UnmarshalText(b []byte) error {
	v, err := ParseClaimCategory(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// Value stores the category by name.
func (c ClaimCategory) Value() (driver.Value, error) { return string(c), nil }

// Scan reads a category stored by name; an unknown name is an error.
func (c *ClaimCategory) Scan(src any) error { return scanName(src, c, "claim category") }
