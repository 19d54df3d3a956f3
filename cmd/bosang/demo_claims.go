package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
)

// demoProfiles are the claimants' profiles, by e-mail and kind.
var demoProfiles = []struct {
	email, kind, doc string
}{
	{"driver@demo.bosang.kr", "driver", `{"driver_kind":"taxi","vehicle_number":"12가 3456","membership":{"name":"카카오 T 프로","monthly_fee_krw":39000}}`},
	{"merchant@demo.bosang.kr", "merchant", `{"business_number":"120-81-47521","business_name":"판교 소담 카페","business_type":"카페",
		"opening_hours":{"mon":["09:00","21:00"],"tue":["09:00","21:00"],"wed":["09:00","21:00"],"thu":["09:00","21:00"],
		"fri":["09:00","21:00"],"sat":["10:00","22:00"],"sun":["10:00","22:00"]}}`},
	{"partner@demo.bosang.kr", "partner_business", `{"company":"코인플레이스(가상)","service_id":"coinplace","monthly_fee_krw":3000000}`},
}

// demoClaim is one claim of the demo, filed as of filedAt.
type demoClaim struct {
	email, service, category, description string
	monetary                              bool
	amount                                int64
	details                               map[string]any
	salesCSV                              bool
}

var demoClaims = []demoClaim{
	{email: "driver@demo.bosang.kr", service: "kakao-t", category: "driver", monetary: true,
		description: "토요일 오후부터 이틀 동안 호출을 한 건도 받지 못했습니다."},
	{email: "merchant@demo.bosang.kr", service: "kakaopay", category: "merchant", monetary: true, amount: 250_000,
		description: "카카오페이 결제가 되지 않아 주말 손님을 돌려보냈습니다.", salesCSV: true},
	{email: "user@demo.bosang.kr", service: "kakaotalk", category: "paid_subscriber", monetary: true,
		description: "이모티콘 플러스 구독 중인데 닷새 동안 사진을 보낼 수 없었습니다.", details: map[string]any{"monthly_fee_krw": 4900}},
	{email: "user@demo.bosang.kr", service: "kakao-map", category: "free_user", monetary: false,
		description: "길 찾기가 되지 않아 약속에 늦었습니다. 금전 청구는 하지 않습니다."},
	{email: "partner@demo.bosang.kr", service: "kakao-account", category: "partner_business", monetary: true,
		description: "카카오 로그인이 막혀 고객이 거래소에 로그인하지 못했습니다."},
}

// seedClaims adds claimant profiles and claims on the 2022 outages as filed
// ten days after the fire, and a recent outage that can be claimed today.
func seedClaims(ctx context.Context, a *app, operator *models.User, out io.Writer) error {
	if _, err := a.auth.CreateUser(ctx, auth.NewUser{Email: "partner@demo.bosang.kr", Password: demoPassword, Name: "제휴사 윤", Phone: "010-1234-0004", Role: "claimant"}); err != nil && !errors.Is(err, apperr.ErrConflict) {
		return err
	}
	for _, p := range demoProfiles {
		u, err := a.db.UserByEmail(ctx, p.email)
		if err != nil {
			return err
		}
		if _, err := a.claims.PutProfile(ctx, u, p.kind, json.RawMessage(p.doc)); err != nil {
			return fmt.Errorf("profile %s of %s: %w", p.kind, p.email, err)
		}
	}
	views, err := a.outages.List(ctx, outage.Filter{})
	if err != nil {
		return err
	}
	filedAt := time.Date(2022, 10, 25, 10, 0, 0, 0, kstZone)
	svc := a.claims.WithClock(func() time.Time { return filedAt })
	fmt.Fprintln(out, "Demo claims")
	for i, d := range demoClaims {
		o := outageOf(views, d.service)
		if o == nil {
			return fmt.Errorf("no demo outage of %s", d.service)
		}
		state, err := seedClaim(ctx, a, svc, o, d, fmt.Sprintf("demo-claim-%d", i))
		if err != nil {
			return fmt.Errorf("claim of %s: %w", d.email, err)
		}
		fmt.Fprintf(out, "  %-26s %-16s %-14s %s\n", d.email, d.category, d.service, state)
	}
	return seedRecentOutage(ctx, a, operator, out)
}

func outageOf(views []*outage.View, service string) *outage.View {
	for _, v := range views {
		if v.Service.Code == service {
			return v
		}
	}
	return nil
}

func seedClaim(ctx context.Context, a *app, svc *claims.Service, o *outage.View, d demoClaim, key string) (string, error) {
	u, err := a.db.UserByEmail(ctx, d.email)
	if err != nil {
		return "", err
	}
	in := claims.NewClaim{OutageID: o.ID, Category: d.category, Monetary: d.monetary, Description: d.description,
		ClaimedAmountKRW: d.amount, Details: d.details}
	if d.monetary {
		in.PayoutAccount = claims.Account{Bank: "004", Number: "123-45-678901", Holder: u.Name}
	}
	body, _ := json.Marshal(in)
	replay, err := svc.BeginRequest(ctx, u.ID, key, body)
	if err != nil || replay != nil {
		return "exists", err
	}
	v, _, err := svc.File(ctx, u, key, in, demoAnswer)
	if err != nil {
		if rerr := svc.AbandonRequest(ctx, u.ID, key); rerr != nil {
			return "", errors.Join(err, rerr)
		}
		if errors.Is(err, apperr.ErrConflict) {
			// Filed by an earlier seed whose idempotency key has since
			// been purged (keys live 24 hours).
			return "exists", nil
		}
		return "", err
	}
	if d.salesCSV {
		if _, err := svc.AddEvidence(ctx, u, v.ID, claims.Upload{Kind: "sales_records", Name: "2022-10-매출.csv", Body: strings.NewReader(demoSales(o))}); err != nil {
			return "", err
		}
	}
	return "created " + v.Number, nil
}

// demoAnswer is what a seeded claim stores under its key: 201 and the
// claim's JSON, as the API answers a filing.
func demoAnswer(v *claims.View) (claims.Answer, error) {
	b, err := json.Marshal(v)
	return claims.Answer{Status: http.StatusCreated, Body: b}, err
}

// demoSales is a café's hourly card sales for the five weeks before the
// outage and the outage itself, when takings collapsed.
func demoSales(o *outage.View) string {
	var b strings.Builder
	b.WriteString("거래일시,결제금액\n")
	start := o.StartedAt.In(kstZone)
	for day := start.AddDate(0, 0, -35); day.Before(*o.EndedAt); day = day.Add(time.Hour) {
		h := day.Truncate(time.Hour)
		if h.Hour() < 10 || h.Hour() >= 21 {
			continue
		}
		amount := 38_000 + 4_000*int64(h.Hour()%5) + 1_000*int64(h.YearDay()%7)
		if !h.Before(start.Truncate(time.Hour)) {
			amount /= 8 // cash only while card payment was down
		}
		fmt.Fprintf(&b, "%s,\"%d\"\n", h.Format("2006-01-02 15:04"), amount)
	}
	return b.String()
}

// seedRecentOutage records an outage that ended three days ago, so that a
// visitor can file a claim today.
func seedRecentOutage(ctx context.Context, a *app, operator *models.User, out io.Writer) error {
	views, err := a.outages.List(ctx, outage.Filter{})
	if err != nil {
		return err
	}
	for _, v := range views {
		if v.Service.Code == "baedal" && v.StartedAt.After(time.Now().AddDate(0, 0, -30)) {
			fmt.Fprintf(out, "  recent outage of baedal exists (%s)\n", v.StartedAt.In(kstZone).Format("2006-01-02 15:04"))
			return nil
		}
	}
	end := time.Now().AddDate(0, 0, -3).Truncate(time.Minute)
	start := end.Add(-5*time.Hour - 20*time.Minute)
	v, err := a.outages.Create(ctx, operator, outage.NewOutage{ServiceID: "baedal", Features: []string{"ordering"},
		StartedAt: &start, EndedAt: &end, Cause: "equipment_fault", Summary: "결제 서버 장비 고장으로 5시간 20분 동안 주문을 받지 못했습니다."})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "  recent outage of baedal created (%s), claims open now\n", v.StartedAt.In(kstZone).Format("2006-01-02 15:04"))
	return nil
}
