package offers

import (
	"context"
	"testing"
	"time"

	"github.com/bosang/bosang/models"
)

func TestMatches(t *testing.T) {
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	me := "u1"
	for _, tc := range []struct {
		name  string
		user  models.User
		offer models.Offer
		want  bool
	}{
		{"unverified phone never matches", models.User{ID: me, Phone: "010-1234-5678"}, models.Offer{Phone: "01012345678"}, false},
		{"verified phone matches its digits", models.User{ID: me, Phone: "010-1234-5678", PhoneVerifiedAt: &at}, models.Offer{Phone: "01012345678"}, true},
		{"verified phone, another number", models.User{ID: me, Phone: "010-1234-5678", PhoneVerifiedAt: &at}, models.Offer{Phone: "01099998888"}, false},
		{"unverified e-mail never matches", models.User{ID: me, Email: "kim@example.com"}, models.Offer{Email: "kim@example.com"}, false},
		{"verified e-mail matches in any case", models.User{ID: me, Email: "Kim@Example.com", EmailVerifiedAt: &at}, models.Offer{Email: "kim@example.com"}, true},
		{"a verified phone does not open an offer by e-mail", models.User{ID: me, Email: "kim@example.com", PhoneVerifiedAt: &at}, models.Offer{Email: "kim@example.com"}, false},
		{"an empty verified phone matches no offer without a phone", models.User{ID: me, PhoneVerifiedAt: &at}, models.Offer{Email: "x@example.com"}, false},
		{"the person who answered it", models.User{ID: me}, models.Offer{UserID: &me, Phone: "01099998888"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := matches(&tc.user, &tc.offer); got != tc.want {
				t.Fatalf("matches = %v, want %v", got, tc.want)
			}
		})
	}
}

type fakeLedger struct {
	groups []LedgerGroup
	days   []TakeUpDay
}

func (f fakeLedger) Ledger(context.Context, string) ([]LedgerGroup, error) { return f.groups, nil }
func (f fakeLedger) TakeUp(context.Context, string) ([]TakeUpDay, error)   { return f.days, nil }

func TestComputeLedger(t *testing.T) {
	t.Run("no offers: every status zero, rate 0", func(t *testing.T) {
		l, err := ComputeLedger(context.Background(), fakeLedger{}, "")
		if err != nil || l.Made != 0 || l.TakeUpRate != 0 || len(l.ByStatus) != len(Statuses) || l.TakeUp == nil {
			t.Fatalf("got %+v, %v", l, err)
		}
	})
	t.Run("granted offers are not in the rate's base", func(t *testing.T) {
		l, _ := ComputeLedger(context.Background(), fakeLedger{groups: []LedgerGroup{
			{Status: Granted, Offers: 100}, {Status: Accepted, Offers: 1, AmountKRW: 7550}, {Status: Offered, Offers: 2}}}, "")
		if l.Made != 103 || l.Answerable != 3 || l.TakeUpRate != 0.3333 || l.WonByStatus["accepted"] != 7550 {
			t.Fatalf("got %+v", l)
		}
	})
	t.Run("the rate over days is cumulative", func(t *testing.T) {
		l, _ := ComputeLedger(context.Background(), fakeLedger{groups: []LedgerGroup{{Status: Paid, Offers: 2}, {Status: Declined, Offers: 2}},
			days: []TakeUpDay{{"2024-03-01", 1}, {"2024-03-03", 1}}}, "")
		if len(l.TakeUp) != 2 || l.TakeUp[0].Rate != 0.25 || l.TakeUp[1].Rate != 0.5 || l.TakeUp[1].TakenUp != 2 {
			t.Fatalf("got %+v", l.TakeUp)
		}
	})
}
