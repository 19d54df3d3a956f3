package policy

import (
	"encoding/json"
	"errors"
	"github.com/bosang/bosang/models"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bosang/bosang/apperr"
)

func TestDefaultIsValid(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatalf("got %v, want nil", err)
	}
}

func TestValidateRejectsBrokenPolicy(t *testing.T) {
	for _, tc := range []struct {
		name, field string
		modify      func(*Policy)
	}{
		{"version 0", "version", func(p *Policy) { p.Version = 0 }},
		{"blank name", "name", func(p *Policy) { p.Name = "  " }},
		{"zero effective-from", "effective_from", func(p *Policy) { p.EffectiveFrom = time.Time{} }},
		{"negative filing window", "filing_window_days", func(p *Policy) { p.FilingWindowDays = -1 }},
		{"missing category", "categories.driver", func(p *Policy) { delete(p.Categories, models.CategoryDriver) }},
		{"unknown category", "categories.taxi", func(p *Policy) { p.Categories["taxi"] = p.Categories[models.CategoryDriver] }},
		{"bands not ascending", "categories.merchant.rule.bands[1].up_to_krw", func(p *Policy) {
			p.Categories[models.CategoryMerchant].Rule.Bands[1].UpToKRW = 300_000
		}},
		{"no bands", "categories.merchant.rule.bands", func(p *Policy) {
			*p = withRule(models.CategoryMerchant, func(cr *CategoryRule) { cr.Rule.Bands = nil })
		}},
		{"zero margin factor", "categories.merchant.rule.factors.margin_bp", func(p *Policy) {
			*p = withRule(models.CategoryMerchant, func(cr *CategoryRule) { cr.Rule.Factors.MarginBP = 0 })
		}},
		{"multiplier 0", "categories.driver.rule.multiplier", func(p *Policy) {
			*p = withRule(models.CategoryDriver, func(cr *CategoryRule) { cr.Rule.Multiplier = 0 })
		}},
		{"day rounding floor", "categories.driver.rule.day_rounding", func(p *Policy) {
			*p = withRule(models.CategoryDriver, func(cr *CategoryRule) { cr.Rule.DayRounding = "floor" })
		}},
		{"negative rounding unit", "categories.driver.rule.round_up_to_krw", func(p *Policy) {
			*p = withRule(models.CategoryDriver, func(cr *CategoryRule) { cr.Rule.RoundUpToKRW = -10 })
		}},
		{"tiers not descending", "categories.partner_business.rule.tiers[1].below_bp", func(p *Policy) {
			p.Categories[models.CategoryPartnerBusiness].Rule.Tiers[1].BelowBP = 9995
		}},
		{"credit falls as availability falls", "categories.partner_business.rule.tiers[2].credit_bp", func(p *Policy) {
			p.Categories[models.CategoryPartnerBusiness].Rule.Tiers[2].CreditBP = 500
		}},
		{"unknown kind", "categories.free_user.rule.kind", func(p *Policy) {
			*p = withRule(models.CategoryFreeUser, func(cr *CategoryRule) { cr.Rule.Kind = "lottery" })
		}},
		{"field of another kind", "categories.free_user.rule", func(p *Policy) {
			*p = withRule(models.CategoryFreeUser, func(cr *CategoryRule) { cr.Rule.Bands = []Band{{UpToKRW: 1, AmountKRW: 1}} })
		}},
		{"negative cap", "categories.merchant.cap_krw", func(p *Policy) { *p = withRule(models.CategoryMerchant, func(cr *CategoryRule) { cr.CapKRW = -1 }) }},
		{"cap above ₩1 trillion", "categories.merchant.cap_krw", func(p *Policy) {
			*p = withRule(models.CategoryMerchant, func(cr *CategoryRule) { cr.CapKRW = MaxKRW + 1 })
		}},
		{"unknown evidence", "categories.merchant.evidence[0]", func(p *Policy) { p.Categories[models.CategoryMerchant].Evidence[0] = "selfie" }},
		{"repeated evidence", "categories.merchant.evidence[1]", func(p *Policy) { p.Categories[models.CategoryMerchant].Evidence[1] = EvidenceBusinessCertificate }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Default()
			tc.modify(&p)
			fieldErr(t, p.Validate(), tc.field)
		})
	}
}

func TestDefaultJSONRoundTrip(t *testing.T) {
	want := Default()
	b, err := json.Marshal(want)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var got Policy
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("got %v after the round trip, want a valid policy", err)
	}
	if !got.EffectiveFrom.Equal(want.EffectiveFrom) {
		t.Errorf("got effective_from %s, want %s", got.EffectiveFrom, want.EffectiveFrom)
	}
	got.EffectiveFrom = want.EffectiveFrom // same instant; only the *Location differs
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	t.Run("unknown category key is rejected", func(t *testing.T) {
		var p Policy
		err := json.Unmarshal([]byte(`{"categories":{"taxi":{"rule":{"kind":"flat"}}}}`), &p)
		// The admin form turns any decoding error into a field error.
		if err == nil || !strings.Contains(err.Error(), `"taxi"`) {
			t.Errorf("got %v, want an error naming the key", err)
		}
	})
}

func TestSelect(t *testing.T) {
	v1 := Default()
	v2 := Default()
	v2.Version, v2.EffectiveFrom = 2, kstAt(t, "2023-01-01 00:00:00")
	v3 := v2
	v3.Version = 3
	for _, tc := range []struct {
		name     string
		policies []Policy
		start    string
		want     int
	}{
		{"2022 outage gets v1", []Policy{v1, v2}, "2022-10-15 15:30:00", 1},
		{"one second before v2 takes effect gets v1", []Policy{v2, v1}, "2022-12-31 23:59:59", 1},
		{"exactly at v2's effective-from gets v2", []Policy{v1, v2}, "2023-01-01 00:00:00", 2},
		{"later outage gets v2", []Policy{v2, v1}, "2024-06-01 09:00:00", 2},
		{"same effective-from: higher version wins (listed last)", []Policy{v1, v2, v3}, "2023-05-01 00:00:00", 3},
		{"same effective-from: higher version wins (listed first)", []Policy{v3, v2, v1}, "2023-05-01 00:00:00", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Select(tc.policies, kstAt(t, tc.start))
			if err != nil {
				t.Fatalf("Select: %v", err)
			}
			if p.Version != tc.want {
				t.Errorf("got v%d, want v%d", p.Version, tc.want)
			}
		})
	}
	t.Run("outage before every policy is not found", func(t *testing.T) {
		_, err := Select([]Policy{v2}, kstAt(t, "2022-10-15 15:30:00"))
		if !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
	t.Run("no policies is not found", func(t *testing.T) {
		if _, err := Select(nil, kstAt(t, "2022-10-15 15:30:00")); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
}

func TestFilingWindowAndLate(t *testing.T) {
	start, end := kstAt(t, "2022-10-15 15:30:00"), kstAt(t, "2022-10-20 23:00:00")
	closes := kstAt(t, "2023-01-18 23:00:00") // 90 days after the end
	p := Default()
	opens, gotCloses, open := FilingWindow(p, start, &end)
	if !opens.Equal(start) || !gotCloses.Equal(closes) || open {
		t.Errorf("got %s–%s open-ended %v, want %s–%s closed", opens, gotCloses, open, start, closes)
	}
	zero := Default()
	zero.FilingWindowDays = 0
	thirty := Default()
	thirty.FilingWindowDays = 30
	for _, tc := range []struct {
		name string
		p    Policy
		end  *time.Time
		at   time.Time
		want bool
	}{
		{"filed at the outage's start", p, &end, start, false},
		{"last second of the window", p, &end, closes, false},
		{"one second after the window", p, &end, closes.Add(time.Second), true},
		{"filing_window_days 0 means 90: last second", zero, &end, closes, false},
		{"filing_window_days 0 means 90: one second after", zero, &end, closes.Add(time.Second), true},
		{"30-day window: one second after", thirty, &end, end.Add(30*24*time.Hour + time.Second), true},
		{"outage still ongoing is never late", p, nil, start.Add(10 * 365 * 24 * time.Hour), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Late(tc.p, start, tc.end, tc.at); got != tc.want {
				t.Errorf("got late=%v, want %v", got, tc.want)
			}
		})
	}
	if _, c, open := FilingWindow(p, start, nil); !open || !c.IsZero() {
		t.Errorf("got closes %s open-ended %v for an ongoing outage, want zero and true", c, open)
	}
}

// The policy format documented in README.md must be one that publishes.
func TestREADMEPolicyExampleIsValid(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "## Compensation policies")
	if !ok {
		t.Fatal("README.md has no Compensation policies section")
	}
	_, rest, _ = strings.Cut(rest, "```json\n")
	doc, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatal("the section has no JSON example")
	}
	var p Policy
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		t.Fatalf("example does not parse: %v", err)
	}
	p.Version = 2 // assigned on publication
	if err := p.Validate(); err != nil {
		t.Errorf("got %v, want the README example to be valid", err)
	}
	if p.Categories[models.CategoryMerchant].Rule.Bands[0].AmountKRW != 40_000 || p.Categories[models.CategoryPaidSubscriber].Rule.Multiplier != 5 {
		t.Errorf("got %+v, want the example's numbers", p.Categories)
	}
}
