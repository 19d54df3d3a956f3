package models

import (
	"database/sql/driver"
	"fmt"
)

// Role is what an account may do. The zero value is not a valid role.
type Role struct{ name string }

// The roles of API.md. Claimants register themselves; the others are staff
// accounts that only an admin creates.
var (
	RoleClaimant   = Role{"claimant"}
	RoleOperator   = Role{"operator"}
	RoleReviewer   = Role{"reviewer"}
	RoleSupervisor = Role{"supervisor"}
	RoleAdmin      = Role{"admin"}
)

var roles = map[string]Role{
	RoleClaimant.name:   RoleClaimant,
	RoleOperator.name:   RoleOperator,
	RoleReviewer.name:   RoleReviewer,
	RoleSupervisor.name: RoleSupervisor,
	RoleAdmin.name:      RoleAdmin,
}

// ParseRole returns the role named s, or an error for any other string.
func ParseRole(s string) (Role, error) {
	r, ok := roles[s]
	if !ok {
		return Role{}, fmt.Errorf("unknown role %q", s)
	}
	return r, nil
}

// String returns the role's wire name.
func (r Role) String() string { return r.name }

// IsStaff reports whether the role belongs to an account created by an admin.
func (r Role) IsStaff() bool { return r != RoleClaimant && r != Role{} }

// ReadsClaims reports whether the role may read any claimant's claims,
// evidence and payout details: reviewers, supervisors and admins. Operators
// record outages and notices and read no claim (least privilege); claimants
// read only their own.
func (r Role) ReadsClaims() bool {
	return r == RoleReviewer || r == RoleSupervisor || r == RoleAdmin
}

// Valid reports whether r is one of the defined roles.
func (r Role) Valid() bool { _, ok := roles[r.name]; return ok }

// MarshalText renders the role by name, for JSON and templates.
func (r Role) MarshalText() ([]byte, error) { return []byte(r.name), nil }

// UnmarshalText parses a role name; unknown names are an error.
func (r *Role) UnmarshalText(b []byte) error {
	v, err := ParseRole(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Value stores the role by name.
func (r Role) Value() (driver.Value, error) { return r.name, nil }

// Scan reads a role stored by name; an unknown name is an error.
func (r *Role) Scan(src any) error { return scanName(src, r, "role") }
