package payout_test

import (
	"testing"

	"github.com/bosang/bosang/payout"
)

func TestReference(t *testing.T) {
	const number = "BS-2022-000001"
	for _, tc := range []struct {
		name, prefix, want string
	}{
		{"a bare prefix gets one hyphen", "KB20221025", "KB20221025-BS-2022-000001"},
		{"a prefix ending in a hyphen gets no second", "KB20221025-", "KB20221025-BS-2022-000001"},
		{"several trailing hyphens collapse to one", "KB--", "KB-BS-2022-000001"},
		{"trailing spaces and hyphens go", " KB - ", "KB-BS-2022-000001"},
		{"hyphens inside the prefix stay", "KB-2022-10", "KB-2022-10-BS-2022-000001"},
		{"a prefix of only hyphens leaves the number", "--", number},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := payout.Reference(tc.prefix, number)
			if got != tc.want {
				t.Errorf("Reference(%q, %q) = %q, want %q", tc.prefix, number, got, tc.want)
			}
		})
	}
}
