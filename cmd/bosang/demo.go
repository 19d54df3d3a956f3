package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
)

// The demo catalogue: the 2022 Kakao data-centre fire (DOMAIN.md section 1),
// partners built on Kakao functions, the KT outage of October 2021 and one
// value-added outage under the 2025 text. Restoration times that the press
// did not pin down are approximations, and the partner companies are
// fictional.
var (
	kakao        = outage.NewProvider{Name: "카카오", Kind: "value_added", PriorYearRevenueKRW: 6_136_700_000_000, AvgDailyUsers: 40_000_000, Contact: "카카오 고객센터 1577-3754"}
	demoServices = []outage.NewServiceInput{
		{Code: "kakaotalk", Name: "카카오톡", NameEN: "KakaoTalk", Paid: false, Provider: kakao, Features: []outage.NewFeature{
			{Code: "messaging", Name: "텍스트 메시지", NameEN: "Text messaging"}, {Code: "media", Name: "사진·동영상·파일 전송", NameEN: "Photo, video and file sending"}}},
		{Code: "kakao-account", Name: "카카오 계정", NameEN: "Kakao Account", Paid: false, Provider: kakao, Features: []outage.NewFeature{
			{Code: "login", Name: "카카오 로그인", NameEN: "Kakao login"}, {Code: "certificate", Name: "카카오 인증서", NameEN: "Kakao certificate"}}},
		{Code: "kakao-map", Name: "카카오맵", NameEN: "Kakao Map", Paid: false, Provider: kakao, Features: []outage.NewFeature{
			{Code: "map", Name: "지도", NameEN: "Map"}}},
		{Code: "kakao-t", Name: "카카오 T", NameEN: "Kakao T", Paid: true,
			Provider: outage.NewProvider{Name: "카카오모빌리티", Kind: "value_added", PriorYearRevenueKRW: 546_500_000_000, AvgDailyUsers: 3_000_000, Contact: "카카오모빌리티 고객센터 1599-9400"},
			Features: []outage.NewFeature{{Code: "taxi", Name: "택시 호출", NameEN: "Taxi hailing"}, {Code: "designated", Name: "대리운전", NameEN: "Designated driver"}}},
		{Code: "kakaopay", Name: "카카오페이", NameEN: "KakaoPay", Paid: true,
			Provider: outage.NewProvider{Name: "카카오페이", Kind: "value_added", PriorYearRevenueKRW: 458_600_000_000, AvgDailyUsers: 20_000_000, Contact: "카카오페이 고객센터 1644-7405"},
			Features: []outage.NewFeature{{Code: "payment", Name: "결제", NameEN: "Payment"}, {Code: "transfer", Name: "송금", NameEN: "Money transfer"}}},
		{Code: "coinplace", Name: "코인플레이스(가상)", NameEN: "Coinplace (fictional exchange)", Paid: true, DependsOn: []string{"kakao-account.login"},
			Provider: outage.NewProvider{Name: "코인플레이스(가상)", Kind: "value_added", PriorYearRevenueKRW: 120_000_000_000, AvgDailyUsers: 1_500_000, Contact: "help@coinplace.example"},
			Features: []outage.NewFeature{{Code: "trading", Name: "가상자산 거래", NameEN: "Trading"}}},
		{Code: "safety-report", Name: "생활안전신고(가상)", NameEN: "Safety Report (fictional government app)", Paid: false, DependsOn: []string{"kakao-map.map"},
			Provider: outage.NewProvider{Name: "행정안전 예시기관", Kind: "value_added", PriorYearRevenueKRW: 0, AvgDailyUsers: 200_000, Contact: "국번 없이 110"},
			Features: []outage.NewFeature{{Code: "report", Name: "신고 접수", NameEN: "Report intake"}}},
		{Code: "kt-internet", Name: "KT 인터넷", NameEN: "KT Internet", Paid: true,
			Provider: outage.NewProvider{Name: "KT", Kind: "carrier", PriorYearRevenueKRW: 23_916_700_000_000, AvgDailyUsers: 20_000_000, Contact: "KT 고객센터 100"},
			Features: []outage.NewFeature{{Code: "wired", Name: "유선 인터넷", NameEN: "Wired internet"}, {Code: "mobile", Name: "무선 데이터", NameEN: "Mobile data"}}},
		{Code: "baedal", Name: "배달모아(가상)", NameEN: "BaedalMoa (fictional delivery app)", Paid: true,
			Provider: outage.NewProvider{Name: "배달모아(가상)", Kind: "value_added", PriorYearRevenueKRW: 800_000_000_000, AvgDailyUsers: 5_000_000, Contact: "배달모아 고객센터 1600-0000"},
			Features: []outage.NewFeature{{Code: "ordering", Name: "주문", NameEN: "Ordering"}}},
	}
)

type demoOutage struct {
	service, cause, summary string
	features                []string
	start, end              string
	restored                map[string]string
	updates                 []string
}

const fireSummary = "판교 데이터센터 배터리실 화재로 서버 전원이 차단되었습니다. (복구 시각은 보도 기준 근사치)"

var demoOutages = []demoOutage{
	{service: "kakaotalk", cause: "fire", summary: fireSummary, features: []string{"messaging", "media"},
		start: "2022-10-15T15:30:00+09:00", end: "2022-10-20T23:00:00+09:00", restored: map[string]string{"messaging": "2022-10-16T01:31:00+09:00"},
		updates: []string{"텍스트 메시지 수발신이 일부 복구되었습니다.", "사진·동영상 전송은 아직 복구 중입니다.", "모든 기능이 복구되었습니다."}},
	{service: "kakao-account", cause: "fire", summary: fireSummary, features: []string{"login", "certificate"},
		start: "2022-10-15T15:30:00+09:00", end: "2022-10-16T09:00:00+09:00"},
	{service: "kakao-map", cause: "fire", summary: fireSummary, features: []string{"map"},
		start: "2022-10-15T15:30:00+09:00", end: "2022-10-16T12:00:00+09:00"},
	{service: "kakao-t", cause: "fire", summary: fireSummary, features: []string{"taxi", "designated"},
		start: "2022-10-15T15:30:00+09:00", end: "2022-10-16T14:00:00+09:00"}, // main functions back about 14:00 (reported)
	{service: "kakaopay", cause: "fire", summary: fireSummary, features: []string{"payment", "transfer"},
		start: "2022-10-15T15:30:00+09:00", end: "2022-10-16T18:00:00+09:00"},
	{service: "kt-internet", cause: "error", summary: "라우팅 설정 오류로 전국 유무선 인터넷이 89분간 중단되었습니다.", features: []string{"wired", "mobile"},
		start: "2021-10-25T11:16:00+09:00", end: "2021-10-25T12:45:00+09:00"},
	{service: "baedal", cause: "overload", summary: "주문 폭주로 주문 서버가 과부하되어 2시간 10분간 주문이 되지 않았습니다.", features: []string{"ordering"},
		start: "2025-06-14T19:00:00+09:00", end: "2025-06-14T21:10:00+09:00"},
}

// seedOutages adds the demo catalogue and outages; what exists is left alone.
func seedOutages(ctx context.Context, a *app, operator *models.User, out io.Writer) error {
	catalog, err := a.outages.Catalog(ctx)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, e := range catalog {
		have[e.Service.Code] = true
	}
	for _, in := range demoServices {
		if have[in.Code] {
			continue
		}
		if _, err := a.outages.CreateService(ctx, in); err != nil {
			return fmt.Errorf("seed service %s: %w", in.Code, err)
		}
	}
	for _, d := range demoOutages {
		v, created, err := seedOutage(ctx, a, operator, d)
		if err != nil {
			return fmt.Errorf("seed outage of %s: %w", d.service, err)
		}
		state := "exists"
		if created {
			state = "created"
		}
		verdict := "required"
		if v.Notice.Exemption != nil {
			verdict = "exempt: " + v.Notice.Exemption.String()
		}
		fmt.Fprintf(out, "  outage %-14s %s  %-8s %s\n", d.service, v.StartedAt.In(kstZone).Format("2006-01-02 15:04"), state, verdict)
	}
	return nil
}

var kstZone = time.FixedZone("KST", 9*3600)

func seedOutage(ctx context.Context, a *app, operator *models.User, d demoOutage) (*outage.View, bool, error) {
	start, _ := time.Parse(time.RFC3339, d.start)
	end, _ := time.Parse(time.RFC3339, d.end)
	existing, err := a.outages.List(ctx, outage.Filter{From: &start, To: &end})
	if err != nil {
		return nil, false, err
	}
	for _, v := range existing {
		if v.Service.Code == d.service && v.StartedAt.Equal(start) {
			return v, false, nil
		}
	}
	restored := map[string]time.Time{}
	for code, s := range d.restored {
		t, _ := time.Parse(time.RFC3339, s)
		restored[code] = t
	}
	v, err := a.outages.Create(ctx, operator, outage.NewOutage{ServiceID: d.service, Features: d.features, FeatureRestored: restored,
		StartedAt: &start, EndedAt: &end, Cause: d.cause, Summary: d.summary})
	if err != nil {
		return nil, false, err
	}
	for _, u := range d.updates {
		if v, err = a.outages.AddUpdate(ctx, operator, v.ID, u); err != nil {
			return nil, false, err
		}
	}
	return v, true, nil
}
