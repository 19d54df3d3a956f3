package claims

import (
	"testing"

	"github.com/bosang/bosang/policy"
)

func TestKeepFloor(t *testing.T) {
	for _, tc := range []struct {
		name                string
		priced, floor, want int64
	}{
		{"priced below the offer: raised to it", 11_330, 500_000, 500_000},
		{"priced exactly at the offer: kept", 7_550, 7_550, 7_550},
		{"priced above the offer: kept", 20_000, 7_550, 20_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			est := keepFloor(policy.Estimate{AmountKRW: tc.priced, Auto: true, Steps: []policy.Step{{Label: "보상액", LabelEN: "Compensation", Value: "x"}}}, tc.floor)
			last := est.Steps[len(est.Steps)-1]
			if est.AmountKRW != tc.want || len(est.Steps) != 2 || last.LabelEN != "Offer amount kept as floor" {
				t.Fatalf("got %d with steps %v, want %d and the floor step", est.AmountKRW, est.Steps, tc.want)
			}
			if est.Auto || !est.ReviewRequired {
				t.Fatal("a contested offer must go to a reviewer")
			}
		})
	}
}
