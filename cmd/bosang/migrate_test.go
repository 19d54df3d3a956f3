package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bosang/bosang/config"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// TestMigrateStepThenServeWithMigrateOff pins the deployment where
// migrations are their own step: with BOSANG_MIGRATE=off a start on an
// unmigrated database is refused, naming `bosang migrate`; `bosang migrate
// status` lists without applying; `bosang migrate` applies everything and
// publishes the default policy (the chaos run seeds on that), a second run
// applies nothing; then the start succeeds. On both databases.
func TestMigrateStepThenServeWithMigrateOff(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testMigrateStep(t, "") })
	t.Run("postgres", func(t *testing.T) {
		dsn, drop := dbtest.CreatePostgresDB(t)
		t.Cleanup(drop)
		testMigrateStep(t, dsn)
	})
}

func testMigrateStep(t *testing.T, databaseURL string) {
	ctx := context.Background()
	vars := map[string]string{"BOSANG_DATA_DIR": t.TempDir(), "BOSANG_DATABASE_URL": databaseURL, "BOSANG_MIGRATE": "off"}
	getenv := func(k string) string { return vars[k] }
	if a, err := open(ctx, getenv); err == nil {
		a.Close()
		t.Fatal("a start with BOSANG_MIGRATE=off on an unmigrated database succeeded; want it refused")
	} else if !strings.Contains(err.Error(), "bosang migrate") {
		t.Fatalf("refused start: got %v, want an error naming `bosang migrate`", err)
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"migrate", "status"}, getenv, &out); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "applied") || !strings.Contains(out.String(), "pending") {
		t.Fatalf("migrate status on an empty database:\n%s\nwant every migration pending, none applied", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"migrate"}, getenv, &out); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "pending") || strings.Contains(out.String(), "applied 0 migrations") {
		t.Fatalf("bosang migrate:\n%s\nwant migrations applied, none pending", out.String())
	}
	if n := policies(t, vars); n != 1 {
		t.Fatalf("policies after bosang migrate: got %d, want the default one", n)
	}
	out.Reset()
	if err := run(ctx, []string{"migrate", "up"}, getenv, &out); err != nil || !strings.Contains(out.String(), "applied 0 migrations") {
		t.Fatalf("second bosang migrate up: %v\n%s\nwant 0 applied", err, out.String())
	}
	a, err := open(ctx, getenv)
	if err != nil {
		t.Fatalf("start with BOSANG_MIGRATE=off after `bosang migrate`: %v", err)
	}
	a.Close()
}

// policies counts the published policies of the database vars name.
func policies(t *testing.T, vars map[string]string) int {
	t.Helper()
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), databaseDSN(cfg), store.WithClock(time.Now))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	recs, err := db.Claims().Policies(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return len(recs)
}

// TestMigrateUsage pins the subcommand's arguments.
func TestMigrateUsage(t *testing.T) {
	for _, args := range [][]string{{"migrate", "down"}, {"migrate", "up", "extra"}} {
		var ue usageError
		err := run(context.Background(), args, func(string) string { return "" }, &bytes.Buffer{})
		if !errors.As(err, &ue) {
			t.Errorf("%v: got %v, want a usage error", args, err)
		}
	}
}
