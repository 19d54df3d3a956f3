package outage

import (
	"strings"
	"testing"
	"time"

	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/statute"
)

func TestExplain(t *testing.T) {
	at := func(y int, mo time.Month, d, h, mi, s int) time.Time { return time.Date(y, mo, d, h, mi, s, 0, kst) }
	end := func(start time.Time, d time.Duration) *time.Time { e := start.Add(d); return &e }
	big := models.Provider{Name: "카카오", Kind: "value_added", PriorYearRevenueKRW: 6_000_000_000_000, AvgDailyUsers: 40_000_000}
	small := models.Provider{Name: "작은회사", Kind: "value_added", PriorYearRevenueKRW: 5_000_000_000, AvgDailyUsers: 2_000_000}
	carrier := models.Provider{Name: "KT", Kind: "carrier", PriorYearRevenueKRW: 6_000_000_000_000, AvgDailyUsers: 20_000_000}
	start2022 := at(2022, 10, 15, 15, 30, 0)
	now := at(2026, 1, 1, 0, 0, 0)

	tests := []struct {
		name     string
		provider models.Provider
		paid     bool
		cause    string
		critical bool
		start    time.Time
		end      *time.Time
		now      time.Time
		exempt   bool // read the 2025 text as exempting free services from the compensation notice
		ko, en   []string
	}{
		{name: "paid VAS 2022, 5h: required with due times", provider: big, paid: true, cause: "equipment_fault",
			start: start2022, end: end(start2022, 5*time.Hour), now: now,
			ko: []string{"이 장애는 4시간을 넘어 2019-06-25 시행령에 따라 중단 사실 고지 의무가 있습니다.", "고지 기한: 2022-10-15 20:30 KST.", "손해배상 기준과 절차 고지 기한: 2022-11-14 20:30 KST."},
			en: []string{"This outage lasted more than 4 hours, so under the decree of 2019-06-25 the provider must notify users.", "Notice due by 2022-10-15 20:30 KST."}},
		{name: "paid VAS 2022, exactly 4h: exempt short_unforeseen", provider: big, paid: true, cause: "error",
			start: start2022, end: end(start2022, 4*time.Hour), now: now,
			ko: []string{"이 장애는 4시간 동안 이어진 4시간 이하의 예측하지 못한 장애여서 2019-06-25 시행령에 따라 고지 의무가 면제됩니다."},
			en: []string{"This outage lasted 4h, no more than 4 hours, and was unforeseen"}},
		{name: "paid VAS 2022, 4h00m01s: required", provider: big, paid: true, cause: "error",
			start: start2022, end: end(start2022, 4*time.Hour+time.Second), now: now,
			ko: []string{"4시간을 넘어", "고지 기한: 2022-10-15 20:30 KST."}},
		{name: "2h30m in 2025 under the new text", provider: big, paid: true, cause: "overload",
			start: at(2025, 4, 1, 9, 0, 0), end: end(at(2025, 4, 1, 9, 0, 0), 150*time.Minute), now: now,
			ko: []string{"이 장애는 2시간을 넘어 2025-03-28 시행령에 따라"}, en: []string{"more than 2 hours, so under the decree of 2025-03-28"}},
		{name: "free service 2022: exempt", provider: big, paid: false, cause: "error",
			start: start2022, end: end(start2022, 10*time.Hour), now: now,
			ko: []string{"무료 서비스의 장애여서 2019-06-25 시행령에 따라 고지 의무가 면제됩니다."}, en: []string{"free service"}},
		{name: "free service 2025, read as exempt from the compensation notice: interruption only", provider: big, paid: false, cause: "error",
			start: at(2025, 5, 1, 9, 0, 0), end: end(at(2025, 5, 1, 9, 0, 0), 3*time.Hour), now: now, exempt: true,
			ko: []string{"중단 사실 고지 의무가 있습니다", "무료 서비스여서 손해배상 기준 고지 의무는 없습니다."}, en: []string{"owes no compensation notice"}},
		{name: "free service 2025, default reading: both notices", provider: big, paid: false, cause: "error",
			start: at(2025, 5, 1, 9, 0, 0), end: end(at(2025, 5, 1, 9, 0, 0), 3*time.Hour), now: now,
			ko: []string{"중단 사실 고지 의무가 있습니다", "손해배상 기준과 절차 고지 기한: 2025-05-31 12:00 KST."}},
		{name: "below the size bar", provider: small, paid: true, cause: "error",
			start: start2022, end: end(start2022, 10*time.Hour), now: now,
			ko: []string{"규모 기준(전년도 매출 10,000,000,000원, 일평균 이용자 1,000,000명)"}, en: []string{"below the size bar"}},
		{name: "announced maintenance", provider: big, paid: true, cause: "announced_maintenance",
			start: start2022, end: end(start2022, 10*time.Hour), now: now,
			ko: []string{"미리 알린 점검이어서"}, en: []string{"pre-announced maintenance"}},
		{name: "carrier line", provider: big, paid: true, cause: "carrier_line",
			start: start2022, end: end(start2022, 10*time.Hour), now: now,
			ko: []string{"회선 장애로 부가통신서비스가 중단된"}, en: []string{"carrier's line failure"}},
		{name: "critical facility, 1h", provider: big, paid: true, cause: "fire", critical: true,
			start: start2022, end: end(start2022, time.Hour), now: now,
			ko: []string{"주요 통신설비 장애로 일어나 길이와 관계없이", "고지 기한: 2022-10-15 16:30 KST."}, en: []string{"critical facility failed"}},
		{name: "fire without critical facility, 1h", provider: big, paid: true, cause: "fire",
			start: start2022, end: end(start2022, time.Hour), now: now,
			ko: []string{"원인(화재)이 예측하지 못한 장애"}, en: []string{"Its cause (fire) is not an unforeseen outage"}},
		{name: "carrier 89 minutes: exempt", provider: carrier, paid: true, cause: "error",
			start: at(2021, 10, 25, 11, 16, 0), end: end(at(2021, 10, 25, 11, 16, 0), 89*time.Minute), now: now,
			ko: []string{"1시간 29분 동안 이어진 2시간 이하의"}, en: []string{"lasted 1h 29m, no more than 2 hours"}},
		{name: "ongoing past the threshold", provider: big, paid: true, cause: "error",
			start: start2022, now: start2022.Add(5 * time.Hour),
			ko: []string{"아직 복구되지 않았고 이미 4시간을 넘어", "고지 기한: 2022-10-15 20:30 KST.", "복구 후 30일 안에 손해배상 기준과 절차도 알려야 합니다."},
			en: []string{"still ongoing and has lasted more than 4 hours", "Within 30 days of restoration"}},
		{name: "ongoing under the threshold", provider: big, paid: true, cause: "error",
			start: start2022, now: start2022.Add(time.Hour),
			ko: []string{"지금은 고지 의무가 면제되지만, 2022-10-15 19:30 KST 이후에도 복구되지 않으면"},
			en: []string{"if it is not restored by 2022-10-15 19:30 KST, notice becomes required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ended *time.Time
			if tt.end != nil {
				e := tt.end.UTC()
				ended = &e
			}
			r := &Record{
				Outage:   models.Outage{ID: "o1", ServiceID: "s1", Cause: tt.cause, CriticalFacility: tt.critical, Summary: "x", StartedAt: tt.start.UTC(), EndedAt: ended, Version: 1},
				Service:  models.Service{ID: "s1", Code: "svc", Name: "서비스", Paid: tt.paid},
				Provider: tt.provider,
				Features: []FeatureState{{Feature: models.Feature{ID: "f1", ServiceID: "s1", Code: "main", Name: "전체"}}},
			}
			set := statute.DefaultSettings()
			if tt.exempt {
				set = statute.NewSettings(false)
			}
			v, err := view(r, nil, set, tt.now)
			if err != nil {
				t.Fatalf("view: %v", err)
			}
			for lang, wants := range map[string][]string{"ko": tt.ko, "en": tt.en} {
				got := Explain(v, lang)
				for _, want := range wants {
					if !strings.Contains(got, want) {
						t.Errorf("Explain(%s) = %q, want it to contain %q", lang, got, want)
					}
				}
			}
		})
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		seconds int64
		ko, en  string
	}{
		{0, "0초", "0s"},
		{45, "45초", "45s"},
		{89 * 60, "1시간 29분", "1h 29m"},
		{4 * 3600, "4시간", "4h"},
		{4*3600 + 1, "4시간 0분 1초", "4h 0m 1s"},
		{10*3600 + 60, "10시간 1분", "10h 1m"},
		{127*3600 + 30*60, "127시간 30분", "127h 30m"},
		{-5, "0초", "0s"},
	}
	for _, tt := range tests {
		if got := FormatDuration(tt.seconds, "ko"); got != tt.ko {
			t.Errorf("FormatDuration(%d, ko) = %q, want %q", tt.seconds, got, tt.ko)
		}
		if got := FormatDuration(tt.seconds, "en"); got != tt.en {
			t.Errorf("FormatDuration(%d, en) = %q, want %q", tt.seconds, got, tt.en)
		}
	}
}
