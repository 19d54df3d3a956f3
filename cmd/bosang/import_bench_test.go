//go:build importbench

// The affected-account import benchmark (issue 14): a generated file of
// IMPORT_BENCH_ROWS rows (1,000,000 by default) imported for the demo
// Kakao T outage, validated, priced, stored and announced (an SMS and,
// for half the rows, an e-mail, each an outbox row with its River job), as
// the server's Batch lane would run it. It reports the upload and import
// wall times, the progress seen while it runs, and the process's peak RSS
// (VmHWM). Run on PostgreSQL (IMPORT_BENCH_DIALECT=postgres, the default)
// or SQLite:
//
//	go test -tags importbench -run TestImportBench -v -timeout 30m ./cmd/bosang
package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bosang/bosang/offers"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/records"
	"github.com/bosang/bosang/store/dbtest"
)

// accountFile generates a file of n rows without holding it: 90% are
// free users (granted emoticons and coupons), paid subscribers with bill
// credits and Pro drivers waiting for a bank transfer; 1% are bad.
func accountFile(n int) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		w := bufio.NewWriterSize(pw, 64<<10)
		fmt.Fprint(w, "account_ref,category,name,phone,email,monthly_fee_krw,settlement\n")
		for i := 1; i <= n; i++ {
			phone := fmt.Sprintf("010-%04d-%04d", i/10000, i%10000)
			switch {
			case i%100 == 7:
				fmt.Fprintf(w, "ACC-%07d,vip,홍길동,%s,,,\n", i, phone)
			case i%10 < 6:
				fmt.Fprintf(w, "ACC-%07d,free_user,홍길동,%s,,,\n", i, phone)
			case i%10 < 9:
				fmt.Fprintf(w, "ACC-%07d,paid_subscriber,김구독,%s,u%d@example.com,\"9,900\",bill_credit\n", i, phone, i)
			default:
				fmt.Fprintf(w, "ACC-%07d,driver,이기사,%s,d%d@example.com,39000,bank\n", i, phone, i)
			}
		}
		pw.CloseWithError(w.Flush())
	}()
	return pr
}

// peakRSS is the process's VmHWM line.
func peakRSS() string {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			return strings.Join(strings.Fields(l)[1:], " ")
		}
	}
	return "?"
}

func TestImportBench(t *testing.T) {
	rows := 1_000_000
	if v := os.Getenv("IMPORT_BENCH_ROWS"); v != "" {
		rows, _ = strconv.Atoi(v)
	}
	if os.Getenv("IMPORT_BENCH_CHILD") == "" {
		benchParent(t)
		return
	}
	getenv := func(k string) string { return os.Getenv("IMPORT_BENCH_" + strings.TrimPrefix(k, "BOSANG_")) }
	ctx := context.Background()
	a := openForRunner(t, getenv)
	if v := os.Getenv("IMPORT_BENCH_CHUNK"); v != "" {
		n, _ := strconv.Atoi(v)
		a.offers.SetImportLimits(records.Limits{}, n)
	}
	if os.Getenv("IMPORT_BENCH_NO_JOBS") != "" { // to measure what queueing River jobs costs
		a.db.SetJobs(nil)
	}
	sup, err := a.db.UserByEmail(ctx, "supervisor@demo.bosang.kr")
	if err != nil {
		t.Fatal(err)
	}
	views, err := a.outages.List(ctx, outage.Filter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	outageID := ""
	for _, v := range views {
		if v.Service.Code == "kakao-t" {
			outageID = v.ID
		}
	}
	dsn := getenv("BOSANG_DATABASE_URL")
	t.Logf("%d rows on %s; peak RSS after opening: %s", rows, map[bool]string{true: "SQLite", false: "PostgreSQL"}[dsn == ""], peakRSS())
	actor := offers.Actor{UserID: sup.ID, Role: "supervisor"}

	start := time.Now()
	imp, err := a.offers.StartImport(ctx, actor, outageID, "affected.csv", accountFile(rows), 30)
	if err != nil {
		t.Fatal(err)
	}
	upload := time.Since(start)
	t.Logf("file kept; peak RSS %s", peakRSS())
	var jobs []string
	sqlDB, _ := a.db.SQL()
	// The demo seed queued an import of its own: take this one's job.
	r, err := sqlDB.QueryContext(ctx, "SELECT id FROM outbox WHERE topic = 'offer.import' AND payload LIKE '%' || $1 || '%'", imp.ID)
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		var id string
		_ = r.Scan(&id)
		jobs = append(jobs, id)
	}
	r.Close()
	m, err := a.db.OutboxMessage(ctx, jobs[0])
	if err != nil {
		t.Fatal(err)
	}

	done := make(chan struct{})
	go func() { // progress, as GET /api/v1/imports/{id} shows it
		tick := time.NewTicker(5 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				v, err := a.offers.Import(ctx, actor, imp.ID)
				if err == nil {
					t.Logf("  %5.1fs  %s  progress %.2f  rows %d  offers %d  RSS peak %s", time.Since(start).Seconds(), v.Status, v.Progress, v.Rows, v.OffersCreated, peakRSS())
				}
			}
		}
	}()
	if p := os.Getenv("IMPORT_BENCH_CPUPROFILE"); p != "" {
		f, _ := os.Create(p)
		_ = pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	startRun := time.Now()
	if err := a.offers.RunImport(ctx, *m); err != nil {
		t.Fatal(err)
	}
	took := time.Since(startRun)
	close(done)
	v, err := a.offers.Import(ctx, actor, imp.ID)
	if err != nil {
		t.Fatal(err)
	}
	msgs := countOutbox(t, a, "topic IN ('offer.sms','offer.email')")
	var jobsQueued int
	_ = sqlDB.QueryRowContext(ctx, "SELECT count(*) FROM river_job WHERE kind = 'outbox_message'").Scan(&jobsQueued)
	t.Logf("file %d MB kept in %.1fs; import %s in %.1fs: rows %d, accepted %d, rejected %d, offers %d, messages %d, River jobs %d; peak RSS %s",
		imp.SizeBytes>>20, upload.Seconds(), v.Status, took.Seconds(), v.Rows, v.Accepted, v.Rejected, v.OffersCreated, msgs, jobsQueued, peakRSS())
	if p := os.Getenv("IMPORT_BENCH_MEMPROFILE"); p != "" {
		f, _ := os.Create(p)
		_ = pprof.Lookup("allocs").WriteTo(f, 0)
		f.Close()
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("Go heap: in use %d MB, from the OS %d MB, total allocated %d MB, GCs %d", ms.HeapInuse>>20, ms.HeapSys>>20, ms.TotalAlloc>>20, ms.NumGC)
	if v.Status != offers.ImportDone || v.Rows != rows {
		t.Fatalf("import ended %s after %d rows", v.Status, v.Rows)
	}
}

// benchParent seeds the demo into a fresh database, then runs the import
// in a child process of its own, so that the child's peak RSS is the
// import's and not the seed's.
func benchParent(t *testing.T) {
	dsn := ""
	if os.Getenv("IMPORT_BENCH_DIALECT") != "sqlite" {
		var drop func()
		dsn, drop = dbtest.CreatePostgresDB(t)
		t.Cleanup(drop)
	}
	getenv := testEnv(t, dsn)
	if err := run(context.Background(), []string{"seed", "--demo"}, getenv, io.Discard); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestImportBench$", "-test.v", "-test.timeout", "30m")
	cmd.Env = append(os.Environ(), "IMPORT_BENCH_CHILD=1", "IMPORT_BENCH_DATABASE_URL="+dsn, "IMPORT_BENCH_DATA_DIR="+getenv("BOSANG_DATA_DIR"))
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("the import process: %v", err)
	}
}
