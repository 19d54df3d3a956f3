package store

import (
	"context"

	"github.com/bosang/bosang/models"
)

// ActiveStaffEmails lists, in address order, the e-mail addresses of the
// accounts with one of roles that are not disabled: the recipients of
// alerts to operators (notify.StaffRecipients).
func (db *DB) ActiveStaffEmails(ctx context.Context, roles ...models.Role) ([]string, error) {
	if len(roles) == 0 {
		return nil, nil
	}
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = r.String()
	}
	var out []string
	err := db.with(ctx).Model(&models.User{}).Where("role IN ? AND disabled_at IS NULL AND email <> ''", names).
		Order("email").Pluck("email", &out).Error
	return out, translate(err, "list staff addresses")
}
