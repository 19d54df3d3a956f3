package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestChaosShort is the CI-sized crash-safety run (`make chaos-short`): it
// builds bosang, then SIGKILLs one instance 3 times and one of two instances
// 3 times under claim load, and fails on any lost or duplicated
// acknowledged claim, any key left without an answer, and any message sent
// twice or dead (jobs on River). It does not stop
// PostgreSQL: `go test ./...` runs other packages against the same server
// in parallel. It takes about 2.5 minutes, most of it waiting out the 60 s
// after which the portal lets a retry take over a crashed request's key.
func TestChaosShort(t *testing.T) {
	dsn := os.Getenv("BOSANG_TEST_POSTGRES_URL")
	if dsn == "" {
		dsn = DefaultConfig().AdminDSN
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	conn, err := pgx.Connect(ctx, dsn)
	cancel()
	if err != nil {
		msg := "PostgreSQL is NOT reachable at " + redact(dsn) + ": " + err.Error()
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true: %s", msg)
		}
		banner := strings.Repeat("!", 72)
		t.Skipf("\n%s\n!!! SKIPPING TestChaosShort: %s\n!!! Start PostgreSQL or set BOSANG_TEST_POSTGRES_URL to run it.\n%s", banner, msg, banner)
	}
	conn.Close(context.Background())

	dir := t.TempDir()
	bin := filepath.Join(dir, "bosang")
	build := exec.Command("go", "build", "-o", bin, "github.com/bosang/bosang/cmd/bosang")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/bosang: %v\n%s", err, out)
	}

	cfg := DefaultConfig()
	cfg.Bosang, cfg.AdminDSN = bin, dsn
	cfg.Kills, cfg.Phases, cfg.PGStop = 3, []int{1, 2}, false
	// Phase 2's two instances share an S3 server for evidence when there
	// is one; CI always has one (.ci/run starts it).
	cfg.S3 = S3{Endpoint: os.Getenv("BOSANG_TEST_S3_ENDPOINT"), AccessKey: os.Getenv("BOSANG_TEST_S3_ACCESS_KEY"), SecretKey: os.Getenv("BOSANG_TEST_S3_SECRET_KEY")}
	if cfg.S3.Endpoint == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true: BOSANG_TEST_S3_ENDPOINT is not set; .ci/run starts an S3 server for this test")
		}
		t.Log("no S3 server (BOSANG_TEST_S3_ENDPOINT): the instances keep evidence on their own disks and the evidence check is off")
	}
	cfg.WorkDir = filepath.Join(dir, "work")
	if err := os.MkdirAll(cfg.WorkDir, 0o700); err != nil {
		t.Fatal(err)
	}
	rep, err := Run(t.Context(), cfg, testWriter{t})
	if err != nil {
		t.Fatalf("chaos run: %v", err)
	}
	if len(rep.Phases) != 2 {
		t.Fatalf("ran %d phases, want 2", len(rep.Phases))
	}
	for _, p := range rep.Phases {
		if p.Rec == nil {
			t.Fatalf("phase %s was not reconciled", p.Name)
		}
		for _, f := range p.Failures {
			t.Errorf("phase %s: %s", p.Name, f)
		}
		t.Logf("phase %s: kills %d, acknowledged %d, reconciled %d, lost %d, duplicates %d", p.Name, p.Kills, p.Acked, p.Rec.Reconciled, p.Rec.Lost, p.Rec.Duplicates)
		if ev := p.Evidence; ev != nil {
			t.Logf("phase %s: evidence acknowledged %d, checked through the other instance %d, lost %d", p.Name, ev.Acked, ev.Checked, ev.Lost)
		}
	}
	if t.Failed() {
		for _, name := range []string{"a.log", "b.log"} {
			if b, err := os.ReadFile(filepath.Join(cfg.WorkDir, name)); err == nil {
				lines := strings.Split(strings.TrimSpace(string(b)), "\n")
				t.Logf("last lines of %s:\n%s", name, strings.Join(lines[max(0, len(lines)-20):], "\n"))
			}
		}
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
