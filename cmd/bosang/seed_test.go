package main

import (
	"bytes"
	"context"
	"github.com/bosang/bosang/models"
	"strings"
	"testing"

	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/store/dbtest"
)

// testEnv returns a getenv for a fresh data directory and database: SQLite
// when dsn is empty, else the given PostgreSQL database.
func testEnv(t *testing.T, dsn string) func(string) string {
	t.Helper()
	vars := map[string]string{"BOSANG_DATA_DIR": t.TempDir(), "BOSANG_DATABASE_URL": dsn}
	return func(k string) string { return vars[k] }
}

// eachDialect runs fn with a getenv for SQLite and one for PostgreSQL.
func eachDialect(t *testing.T, fn func(t *testing.T, getenv func(string) string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, testEnv(t, "")) })
	t.Run("postgres", func(t *testing.T) {
		dsn, drop := dbtest.CreatePostgresDB(t)
		t.Cleanup(drop)
		fn(t, testEnv(t, dsn))
	})
}

func TestSeedDemoTwiceChangesNothing(t *testing.T) {
	eachDialect(t, func(t *testing.T, getenv func(string) string) {
		ctx := context.Background()
		var first, second bytes.Buffer
		if err := run(ctx, []string{"seed", "--demo"}, getenv, &first); err != nil {
			t.Fatalf("first seed: %v", err)
		}
		if err := run(ctx, []string{"seed", "--demo"}, getenv, &second); err != nil {
			t.Fatalf("second seed: %v", err)
		}
		if strings.Contains(second.String(), "created") {
			t.Fatalf("second seed created something:\n%s", second.String())
		}
		a, err := open(ctx, getenv)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		views, err := a.outages.List(ctx, outage.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(views) != len(demoOutages)+1 {
			t.Fatalf("got %d outages, want %d and the recent one", len(views), len(demoOutages)+1)
		}
		admin, err := a.db.UserByEmail(ctx, "admin@demo.bosang.kr")
		if err != nil {
			t.Fatal(err)
		}
		list, err := a.claims.List(ctx, admin, claims.Filter{})
		if err != nil || len(list) != len(demoClaims) {
			t.Fatalf("got %d claims (%v), want %d", len(list), err, len(demoClaims))
		}
		statuses := map[models.ClaimCategory]models.ClaimStatus{}
		for _, c := range list {
			// The Pro membership driver's 2022 figure: 3x the two calendar days Kakao T
			// was down, ₩39,000 × 6 / 31, rounded up to ₩10.
			if c.Category == "driver" && c.Estimate.AmountKRW != 7550 {
				t.Errorf("driver claim estimate ₩%d, want ₩7,550", c.Estimate.AmountKRW)
			}
			statuses[c.Category] = c.Status
		}
		// Every review page has something to show.
		for cat, want := range map[models.ClaimCategory]models.ClaimStatus{"driver": "paid", "merchant": "pending_second_approval", "paid_subscriber": "appealed", "partner_business": "submitted"} {
			if statuses[cat] != want {
				t.Errorf("demo %s claim is %s, want %s (all: %v)", cat, statuses[cat], want, statuses)
			}
		}
		// The verdicts DOMAIN.md implies for the 2022 fire and the others.
		want := map[string]string{"kakaotalk": "free_service", "kakao-account": "free_service", "kakao-map": "free_service",
			"kakao-t": "", "kakaopay": "", "kt-internet": "short_unforeseen", "baedal": ""}
		for _, v := range views {
			got := ""
			if v.Notice.Exemption != nil {
				got = v.Notice.Exemption.String()
			}
			if got != want[v.Service.Code] || v.Notice.Required != (got == "") {
				t.Errorf("%s: got exemption %q required %v, want %q", v.Service.Code, got, v.Notice.Required, want[v.Service.Code])
			}
			if v.Service.Code == "kakao-account" && (len(v.Impacted) != 1 || v.Impacted[0].Code != "coinplace") {
				t.Errorf("kakao-account outage impacts %v, want the exchange built on Kakao login", v.Impacted)
			}
		}
	})
}
