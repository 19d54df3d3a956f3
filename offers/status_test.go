package offers

import (
	"errors"
	"testing"

	"github.com/bosang/bosang/apperr"
)

func TestNext(t *testing.T) {
	allowed := []struct {
		name   string
		from   Status
		action Action
		want   Status
	}{
		{"a waiting cash offer is accepted", Offered, ActAccept, Accepted},
		{"a waiting cash offer is declined", Offered, ActDecline, Declined},
		{"a waiting cash offer is contested", Offered, ActContest, Contested},
		{"a waiting cash offer expires", Offered, ActExpire, Expired},
		{"an accepted offer is paid", Accepted, ActPay, Paid},
	}
	for _, tc := range allowed {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Next(tc.from, tc.action)
			if err != nil || got != tc.want {
				t.Fatalf("Next(%s, %s) = %s, %v; want %s", tc.from, tc.action, got, err, tc.want)
			}
		})
	}
	refused := []struct {
		name   string
		from   Status
		action Action
	}{
		{"a grant needs no answer", Granted, ActAccept},
		{"a grant cannot be declined", Granted, ActDecline},
		{"a grant does not expire", Granted, ActExpire},
		{"accepted twice", Accepted, ActAccept},
		{"declined after accepting", Accepted, ActDecline},
		{"accepted after declining", Declined, ActAccept},
		{"accepted after contesting", Contested, ActAccept},
		{"accepted after expiry", Expired, ActAccept},
		{"a waiting offer is not paid", Offered, ActPay},
		{"paid twice", Paid, ActPay},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := Next(tc.from, tc.action); !errors.Is(err, apperr.ErrConflict) {
				t.Fatalf("Next(%s, %s) = %s, %v; want a conflict", tc.from, tc.action, got, err)
			}
		})
	}
}

func TestParseStatus(t *testing.T) {
	for _, s := range Statuses {
		if got, err := ParseStatus(string(s)); err != nil || got != s {
			t.Fatalf("ParseStatus(%q) = %q, %v", s, got, err)
		}
	}
	if _, err := ParseStatus("approved"); !errors.Is(err, apperr.ErrInvalid) {
		t.Fatalf("ParseStatus(approved): %v, want invalid", err)
	}
}
