package outage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/policy"
	"github.com/bosang/bosang/statute"
)

// draftStore serves outage records to Draft; Draft reads nothing else.
type draftStore struct {
	Store
	recs map[string]*Record
}

func (d draftStore) Outage(_ context.Context, id string) (*Record, error) {
	if r, ok := d.recs[id]; ok {
		return r, nil
	}
	return nil, fmt.Errorf("outage %s: %w", id, apperr.ErrNotFound)
}

func (d draftStore) Catalog(context.Context) ([]CatalogEntry, error) { return nil, nil }

// policy2025 is a policy published for outages from 2025 with other
// multipliers, bands and filing window than the default, and (as an older
// policy may) no rule for partner businesses.
func policy2025() policy.Policy {
	p := policy.Default()
	p.Version, p.Name, p.FilingWindowDays = 2, "2025 개정 기준", 60
	p.EffectiveFrom = time.Date(2025, 1, 1, 0, 0, 0, 0, kst)
	paid := p.Categories[models.CategoryPaidSubscriber]
	paid.Rule = policy.Rule{Kind: policy.KindFeeDays, Multiplier: 5, RoundUpToKRW: 100, DayRounding: policy.DayCeil}
	p.Categories[models.CategoryPaidSubscriber] = paid
	m := p.Categories[models.CategoryMerchant]
	m.Rule.Bands = []policy.Band{{UpToKRW: 400_000, AmountKRW: 45_000}, {UpToKRW: 800_000, AmountKRW: 90_000}}
	p.Categories[models.CategoryMerchant] = m
	d := p.Categories[models.CategoryDriver]
	d.Rule = paid.Rule
	p.Categories[models.CategoryDriver] = d
	delete(p.Categories, models.CategoryPartnerBusiness)
	return p
}

func draftService(t *testing.T, now time.Time) *Service {
	t.Helper()
	rec := func(id string, start time.Time, end *time.Time) *Record {
		return &Record{
			Outage:  models.Outage{ID: id, ServiceID: "s1", Cause: "fire", Summary: "화재", StartedAt: start.UTC(), EndedAt: end, Version: 1},
			Service: models.Service{ID: "s1", Code: "taxi", Name: "택시", NameEN: "Taxi", Paid: true},
			Provider: models.Provider{Name: "플랫폼", Kind: "value_added", PriorYearRevenueKRW: 50_000_000_000, AvgDailyUsers: 2_000_000,
				Contact: "고객센터 1577-0000"},
			Features: []FeatureState{{Feature: models.Feature{ID: "f1", ServiceID: "s1", Code: "hailing", Name: "호출", NameEN: "Hailing"}}},
		}
	}
	at := func(y int, mo time.Month, d, h, mi int) time.Time { return time.Date(y, mo, d, h, mi, 0, 0, kst) }
	end2022, end2025 := at(2022, 10, 16, 14, 0).UTC(), at(2025, 6, 2, 9, 0).UTC()
	st := draftStore{recs: map[string]*Record{
		"kakao-2022":   rec("kakao-2022", at(2022, 10, 15, 15, 30), &end2022),
		"outage-2025":  rec("outage-2025", at(2025, 6, 1, 9, 0), &end2025),
		"ongoing-2025": rec("ongoing-2025", at(2025, 6, 10, 9, 0), nil),
	}}
	return NewService(st, statute.DefaultSettings(), func() time.Time { return now }, func() string { return "id" })
}

var draftNames = DraftInput{
	PortalURL: "https://bosang.example",
	Categories: map[models.ClaimCategory]policy.Text{
		models.CategoryFreeUser: {KO: "무료 서비스 이용자", EN: "Free-service user"}, models.CategoryPaidSubscriber: {KO: "유료 서비스 가입자", EN: "Paid subscriber"},
		models.CategoryMerchant: {KO: "소상공인(가맹점)", EN: "Merchant"}, models.CategoryDriver: {KO: "택시·대리운전 기사", EN: "Taxi or designated driver"},
		models.CategoryPartnerBusiness: {KO: "제휴 사업자", EN: "Partner business"},
	},
	Evidence: map[string]policy.Text{
		policy.EvidenceBilling: {KO: "요금 청구서·영수증", EN: "Bill or receipt"}, policy.EvidenceSalesRecords: {KO: "매출 기록", EN: "Sales records"},
		policy.EvidenceBusinessCertificate: {KO: "사업자등록증", EN: "Business registration"}, policy.EvidenceTripRecords: {KO: "운행 기록", EN: "Trip records"},
		policy.EvidenceDriverID: {KO: "운전 자격증", EN: "Driver licence"}, policy.EvidenceAccount: {KO: "계정 확인", EN: "Account proof"},
		// logs is left unnamed: it shows by its code.
	},
}

// TestCompensationDraftStatesTheGoverningPolicy checks every legally
// required part of the compensation notice (who may claim, the criteria,
// the procedure and method) and the evidence and deadline, for a 2022
// outage under the default policy and for 2025 outages under a policy
// published later with other numbers.
func TestCompensationDraftStatesTheGoverningPolicy(t *testing.T) {
	in := draftNames
	in.Policies = []policy.Policy{policy.Default(), policy2025()}
	tests := []struct {
		name, outage string
		version      int
		ko, en       []string
		absent       []string
	}{
		{name: "2022 outage under the default policy", outage: "kakao-2022", version: 1,
			ko: []string{
				"1. 청구 대상: 장애 기간에 택시 서비스를 이용한 분 중 다음에 해당하는 분: 무료 서비스 이용자, 유료 서비스 가입자, 소상공인(가맹점), 택시·대리운전 기사, 제휴 사업자",
				"2. 배상 기준 (보상 기준 제1판 「2022 카카오 기준 (기본)」):",
				"- 유료 서비스 가입자: 월 요금 × 장애 일수(장애가 걸친 날짜 수, 한국 시간) × 3 ÷ 해당 월 일수, ₩10 단위 올림",
				"- 소상공인(가맹점): 손실 ₩300,000 이하 → ₩30,000 · 손실 ₩500,000 이하 → ₩50,000 · 초과 → 증빙으로 개별 심사",
				"- 제휴 사업자: 월 가용률 99.9% 미만",
				"현물: 이모티콘 3개, 쿠폰 2개",
				"3. 필요한 증빙:", "- 소상공인(가맹점): 사업자등록증, 매출 기록, 계정 확인", "- 택시·대리운전 기사: 운전 자격증, 운행 기록", "- 제휴 사업자: logs",
				"4. 청구 절차와 방법: https://bosang.example 에서", "자동으로 승인",
				"5. 청구 기한: 2023-01-14 14:00 KST까지 (복구 후 90일)",
				"6. 문의처: 고객센터 1577-0000",
			},
			en: []string{
				"1. Who may claim: anyone who used Taxi during the outage as one of: Free-service user, Paid subscriber, Merchant, Taxi or designated driver, Partner business",
				"2. Criteria (compensation policy version 1", "- Merchant: loss up to ₩300,000 → ₩30,000",
				"3. Evidence required:", "- Paid subscriber: Bill or receipt",
				"4. Procedure and method: claim from your phone at https://bosang.example",
				"5. Deadline: 2023-01-14 14:00 KST (90 days after restoration)", "6. Contact: 고객센터 1577-0000",
			}},
		{name: "2025 outage under the policy published for 2025", outage: "outage-2025", version: 2,
			ko: []string{
				"1. 청구 대상: 장애 기간에 택시 서비스를 이용한 분 중 다음에 해당하는 분: 무료 서비스 이용자, 유료 서비스 가입자, 소상공인(가맹점), 택시·대리운전 기사\n",
				"2. 배상 기준 (보상 기준 제2판 「2025 개정 기준」):",
				"- 유료 서비스 가입자: 월 요금 × 장애 일수(24시간 단위 올림) × 5 ÷ 해당 월 일수, ₩100 단위 올림",
				"- 소상공인(가맹점): 손실 ₩400,000 이하 → ₩45,000 · 손실 ₩800,000 이하 → ₩90,000 · 초과 → 증빙으로 개별 심사",
				"3. 필요한 증빙:", "4. 청구 절차와 방법:",
				"5. 청구 기한: 2025-08-01 09:00 KST까지 (복구 후 60일)",
			},
			en: []string{
				"- Merchant: loss up to ₩400,000 → ₩45,000 · loss up to ₩800,000 → ₩90,000",
				"- Paid subscriber: monthly fee × outage days (each started 24 hours) × 5 ÷ days in the month, rounded up to ₩100",
				"5. Deadline: 2025-08-01 09:00 KST (60 days after restoration)",
			},
			absent: []string{"₩30,000", "₩300,000", "× 3", "제휴 사업자", "Partner business", "90일", "90 days"}},
		{name: "ongoing 2025 outage: the deadline counts from restoration", outage: "ongoing-2025", version: 2,
			ko:     []string{"5. 청구 기한: 복구 후 60일까지 (복구 시각부터 셉니다. 아직 복구되지 않았습니다.)", "₩45,000"},
			en:     []string{"5. Deadline: 60 days after restoration (counted from the moment service is restored"},
			absent: []string{"₩30,000", "₩300,000", "0001-01-01"}},
	}
	svc := draftService(t, time.Date(2025, 6, 12, 0, 0, 0, 0, kst))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := svc.Draft(context.Background(), tt.outage, "compensation", in)
			if err != nil {
				t.Fatalf("Draft: %v", err)
			}
			if d.PolicyVersion != tt.version || d.Kind != "compensation" {
				t.Errorf("got kind %s, policy version %d; want compensation, %d", d.Kind, d.PolicyVersion, tt.version)
			}
			if want := []string{"eligible_claimants", "criteria", "evidence", "procedure_and_method", "deadline", "contact"}; !slices.Equal(d.Parts, want) {
				t.Errorf("parts %v, want %v", d.Parts, want)
			}
			for lang, wants := range map[string][]string{"ko": tt.ko, "en": tt.en} {
				text := map[string]string{"ko": d.KO, "en": d.EN}[lang]
				for _, want := range wants {
					if !strings.Contains(text, want) {
						t.Errorf("%s draft lacks %q:\n%s", lang, want, text)
					}
				}
			}
			for _, bad := range tt.absent {
				if strings.Contains(d.KO+d.EN, bad) {
					t.Errorf("draft contains %q, which the governing policy does not say:\n%s\n%s", bad, d.KO, d.EN)
				}
			}
		})
	}
}

func TestDraftErrors(t *testing.T) {
	svc := draftService(t, time.Date(2025, 6, 12, 0, 0, 0, 0, kst))
	ctx := context.Background()
	only2025 := draftNames
	only2025.Policies = []policy.Policy{policy2025()}
	var ve *apperr.ValidationError
	if _, err := svc.Draft(ctx, "kakao-2022", "compensation", only2025); !errors.As(err, &ve) || ve.Fields["outage_id"].In("en") != "No compensation policy covers this outage." {
		t.Errorf("2022 outage with only a 2025 policy: got %v, want a field error on outage_id", err)
	}
	if d, err := svc.Draft(ctx, "kakao-2022", "interruption", DraftInput{}); err != nil || d.PolicyVersion != 0 {
		t.Errorf("interruption notice without policies: got %+v, %v; want a draft naming no policy", d, err)
	}
	if _, err := svc.Draft(ctx, "kakao-2022", "poem", only2025); !errors.As(err, &ve) || ve.Fields["kind"].In("en") != "kind must be interruption or compensation." {
		t.Errorf("unknown kind: got %v, want a field error on kind", err)
	}
	if _, err := svc.Draft(ctx, "nope", "compensation", only2025); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("unknown outage: got %v, want ErrNotFound", err)
	}
}
