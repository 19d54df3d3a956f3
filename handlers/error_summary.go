package handlers

import (
	"slices"
	"strings"
)

// errorLink is one line of a form's error summary: the message and the id
// of the field it is about.
type errorLink struct{ Anchor, Message string }

// errorAnchors maps, per page, an error key to the id of the element the
// summary links to, in the order the fields appear on the page. A key a
// page does not list links to the element whose id is the key with dots and
// underscores as hyphens (the "field" template's ids are the names).
var errorAnchors = map[string][][2]string{
	"claim_new": {{"claim", "duplicate"}, {"outage_id", "step-outage"}, {"category", "step-category"},
		{"profile.merchant", "step-category"}, {"monetary", "monetary-yes"}, {"description", "description"},
		{"claimed_amount_krw", "claimed-amount"}, {"details.monthly_fee_krw", "monthly-fee"},
		{"details.opening_hours", "opening-hours-error"}, {"payout_account.bank", "payout-bank"},
		{"payout_account.number", "payout-number"}, {"payout_account.holder", "payout-holder"}, {"consent", "consent"},
		{"evidence_kind", "evidence-kind"}, {"file", "evidence-file"}},
	"eligibility": {{"service", "elig-service"}, {"role", "elig-role"}, {"at", "elig-at"}},
	"status":      {{"service", "filter-service"}, {"from", "filter-from"}, {"to", "filter-to"}},
	"claim": {{"body", "supplement-body"}, {"kind", "upload-kind"}, {"file", "upload-file"}, {"reason", "appeal-reason"},
		{"appeal_kind", "appeal-kind"}, {"appeal_file", "appeal-file"}, {"confirm", "withdraw-confirm"}},
	"login":    {{"email", "email"}, {"password", "password"}},
	"register": {{"name", "name"}, {"email", "email"}, {"phone", "phone"}, {"password", "password"}},
	"profiles": {{"merchant.business_name", "merchant-business_name"}, {"merchant.business_number", "merchant-business_number"},
		{"merchant.business_type", "merchant-business_type"}, {"merchant.opening_hours", "merchant-hours-error"},
		{"paid_subscriber.service_id", "paid-service"}, {"paid_subscriber.monthly_fee_krw", "paid-fee"},
		{"partner_business.company", "partner-company"}, {"partner_business.service_id", "partner-service"},
		{"partner_business.monthly_fee_krw", "partner-fee"}, {"driver.driver_kind", "driver-kind-error"},
		{"driver.licence_number", "driver-licence"}, {"driver.vehicle_number", "driver-vehicle"},
		{"driver.membership.monthly_fee_krw", "driver-fee"}},
	"outage":       {{"notice.kind", "notice-kind"}, {"notice.channels", "notice-channels-error"}, {"notice.sent_at", "notice-sent-at"}, {"notice.body", "notice-body"}, {"update.body", "update-body"}, {"subscribe.email", "subscribe-email"}},
	"payouts":      {{"outage_id", "build-outage"}},
	"payout_batch": {{"format", "export-format-error"}, {"reason", "export-reason"}, {"prefix", "settle-prefix"}},
	"review_queue": {{"status", "f-status"}, {"outage_id", "f-outage"}, {"category", "f-category"}, {"flag", "f-flag"},
		{"min_krw", "f-min"}, {"max_krw", "f-max"}, {"older_than_days", "f-days"}},
}

// ErrorSummary lists every error of the page, each with the id of its
// field, in the order of the page's fields; errors about no known field
// follow, sorted by key.
func (v *view) ErrorSummary() []errorLink {
	order := errorAnchors[v.page]
	keys := make([]string, 0, len(v.Errors))
	for k := range v.Errors {
		keys = append(keys, k)
	}
	pos := func(k string) int {
		if i := slices.IndexFunc(order, func(a [2]string) bool { return a[0] == k }); i >= 0 {
			return i
		}
		return len(order)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if d := pos(a) - pos(b); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	out := make([]errorLink, 0, len(keys))
	for _, k := range keys {
		anchor := strings.NewReplacer(".", "-", "_", "-").Replace(k)
		if i := pos(k); i < len(order) {
			anchor = order[i][1]
		}
		out = append(out, errorLink{Anchor: anchor, Message: v.Errors[k]})
	}
	return out
}
