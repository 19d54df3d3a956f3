package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bosang/bosang/offers"
)

// TestSeedImportsDemoOffers: `bosang seed --demo` queues the 2022 Kakao T
// import; once the runner has worked it, the demo Pro driver (phone
// verified) sees a ₩7,550 cash offer with its steps, the demo free rider
// an in-kind grant, and the import shows its one rejected row. A second
// seed queues no second import.
func TestSeedImportsDemoOffers(t *testing.T) {
	eachDialect(t, func(t *testing.T, getenv func(string) string) {
		ctx := context.Background()
		var out bytes.Buffer
		if err := run(ctx, []string{"seed", "--demo"}, getenv, &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "kakao-t affected accounts  queued") {
			t.Fatalf("the seed did not queue the demo import:\n%s", out.String())
		}
		// A second seed queues no second import.
		out.Reset()
		if err := run(ctx, []string{"seed", "--demo"}, getenv, &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "kakao-t affected accounts  exists") {
			t.Fatalf("a second seed queued the import again:\n%s", out.String())
		}
		a := openForRunner(t, getenv)
		r := startRunner(t, a)
		dctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		if err := r.Drain(dctx); err != nil {
			t.Fatal(err)
		}
		pro, err := a.db.UserByEmail(ctx, demoProDriver.Email)
		if err != nil {
			t.Fatal(err)
		}
		mine, err := a.offers.Mine(ctx, pro.ID)
		if err != nil || len(mine) != 1 {
			t.Fatalf("the demo Pro driver's offers: %+v, %v; want one", mine, err)
		}
		if o := mine[0]; o.Status != offers.Offered || o.AmountKRW != 7_550 || len(o.Steps) < 3 || o.Service != "카카오 T" {
			t.Fatalf("the demo Pro driver's offer: %+v; want ₩7,550 offered on Kakao T with its steps", o)
		}
		free, err := a.db.UserByEmail(ctx, "user@demo.bosang.kr")
		if err != nil {
			t.Fatal(err)
		}
		grants, err := a.offers.Mine(ctx, free.ID)
		if err != nil || len(grants) != 1 || grants[0].Status != offers.Granted || grants[0].InKind == "" {
			t.Fatalf("the demo free rider's offers: %+v, %v; want one in-kind grant", grants, err)
		}
		var rows, rejected, created int
		sqlDB, _ := a.db.SQL()
		if err := sqlDB.QueryRowContext(ctx, "SELECT rows, rejected, offers_created FROM offer_imports WHERE status = 'done'").Scan(&rows, &rejected, &created); err != nil {
			t.Fatalf("the demo import: %v", err)
		}
		if rows != 6 || rejected != 1 || created != 5 {
			t.Fatalf("the demo import read %d rows, rejected %d, made %d offers; want 6, 1 and 5", rows, rejected, created)
		}
		// A day later the claims' idempotency keys are purged (the
		// runner's periodic job may have done so already): seeding again
		// still finds everything in place.
		if _, err := sqlDB.ExecContext(ctx, "DELETE FROM idempotency_keys"); err != nil {
			t.Fatal(err)
		}
		out.Reset()
		if err := run(ctx, []string{"seed", "--demo"}, getenv, &out); err != nil {
			t.Fatalf("seeding again after the keys were purged: %v\n%s", err, out.String())
		}
	})
}
