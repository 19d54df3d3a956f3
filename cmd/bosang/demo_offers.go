package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/offers"
	"github.com/bosang/bosang/outage"
)

// demoOfferAccounts is the affected-account file Kakao Mobility would
// hand over for the 2022 fire (issue 14): Pro members owed the membership
// refund (₩7,550 at ₩39,000 a month, paid on acceptance), free riders
// given in-kind items, and one row the import rejects, so the demo shows
// its line errors. The first Pro driver and the free rider are demo
// accounts whose phones are verified.
const demoOfferAccounts = "계정번호,구분,이름,휴대폰,이메일,멤버십 요금,정산 방식\n" +
	"KT-PRO-0001,driver,프로기사 한,010-1234-0005,pro@demo.bosang.kr,\"39,000\",계좌이체\n" +
	"KT-PRO-0002,driver,택시기사 문,010-5550-0002,,\"39,000\",계좌이체\n" +
	"KT-PRO-0003,driver,택시기사 배,010-5550-0003,,\"39,000\",계좌이체\n" +
	"KT-FREE-0001,free_user,이용자 정,010-1234-0001,user@demo.bosang.kr,,\n" +
	"KT-FREE-0002,free_user,이용자 서,,seo@example.kr,,\n" +
	"KT-BAD-0001,driver,택시기사 오,010-55,,\"39,000\",계좌이체\n"

// demoOfferFile is the demo import's file name; a seed that finds an
// import of it queues none.
const demoOfferFile = "kakao-t-affected-2022.csv"

// demoProDriver is the demo account the first Pro row names.
var demoProDriver = auth.NewUser{Email: "pro@demo.bosang.kr", Password: demoPassword, Name: "프로기사 한", Phone: "010-1234-0005", Role: "claimant"}

// seedOffers queues the import of demoOfferAccounts for the Kakao T outage
// of 2022 by the demo supervisor (the runner of `bosang serve` reads it
// within seconds), unless it was queued before, and marks the phones of the Pro driver's and the free
// rider's demo accounts verified, so that their offers show under "My
// offers".
func seedOffers(ctx context.Context, a *app, out io.Writer) error {
	if _, err := a.auth.CreateUser(ctx, demoProDriver); err != nil && !errors.Is(err, apperr.ErrConflict) {
		return err
	}
	if err := verifyDemoPhones(ctx, a, demoProDriver.Email, "user@demo.bosang.kr"); err != nil {
		return err
	}
	supervisor, err := a.db.UserByEmail(ctx, "supervisor@demo.bosang.kr")
	if err != nil {
		return err
	}
	kakaoT, err := demoOutageOf(ctx, a, "kakao-t")
	if err != nil {
		return err
	}
	actor := offers.Actor{UserID: supervisor.ID, Role: supervisor.Role.String()}
	sqlDB, err := a.db.SQL()
	if err != nil {
		return err
	}
	var imports int
	if err := sqlDB.QueryRowContext(ctx, "SELECT count(*) FROM offer_imports WHERE outage_id = $1 AND filename = $2",
		kakaoT, demoOfferFile).Scan(&imports); err != nil {
		return err
	}
	fmt.Fprintln(out, "Demo offers (no claim needed)")
	if imports > 0 {
		fmt.Fprintln(out, "  kakao-t affected accounts  exists")
		return nil
	}
	imp, err := a.offers.StartImport(ctx, actor, kakaoT, demoOfferFile, strings.NewReader(demoOfferAccounts), 0)
	if err != nil {
		return fmt.Errorf("seed offers: %w", err)
	}
	fmt.Fprintf(out, "  kakao-t affected accounts  queued (import %s; 5 offers, 1 rejected row, once the portal runs)\n", imp.ID)
	fmt.Fprintf(out, "  %s sees a ₩7,550 offer under My offers\n", demoProDriver.Email)
	return nil
}

// demoOutageOf returns the id of the demo's 2022 outage of service code.
func demoOutageOf(ctx context.Context, a *app, code string) (string, error) {
	for _, d := range demoOutages {
		if d.service != code {
			continue
		}
		start, _ := time.Parse(time.RFC3339, d.start)
		end, _ := time.Parse(time.RFC3339, d.end)
		list, err := a.outages.List(ctx, outage.Filter{From: &start, To: &end})
		if err != nil {
			return "", err
		}
		for _, v := range list {
			if v.Service.Code == code && v.StartedAt.Equal(start) {
				return v.ID, nil
			}
		}
	}
	return "", fmt.Errorf("demo outage of %s: %w", code, apperr.ErrNotFound)
}

// verifyDemoPhones marks the demo accounts' phones verified, as a one-time
// code would (demo data only: the portal itself never sets the mark
// without a code).
func verifyDemoPhones(ctx context.Context, a *app, emails ...string) error {
	sqlDB, err := a.db.SQL()
	if err != nil {
		return err
	}
	for _, e := range emails {
		u, err := a.db.UserByEmail(ctx, e)
		if err != nil {
			return err
		}
		if _, err := sqlDB.ExecContext(ctx, "UPDATE users SET phone_verified_at = $1 WHERE id = $2 AND phone_verified_at IS NULL",
			time.Now().UTC(), u.ID); err != nil {
			return fmt.Errorf("verify demo phone of %s: %w", e, err)
		}
	}
	return nil
}
