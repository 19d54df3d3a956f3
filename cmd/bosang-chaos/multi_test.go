package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// TestMultiInstance runs two `bosang serve` processes on two ports against
// one PostgreSQL database, one S3 server and one SMTP server, the way a
// deployment behind a load balancer runs them (issue 13):
//
//   - both start at the same moment on an empty database: the migrations
//     run once, under a lock, and both become ready;
//   - an evidence file uploaded through one instance downloads through the
//     other, byte for byte;
//   - 1,000 claims filed through both while both deliver notifications:
//     every message the database enqueued reaches the SMTP server exactly
//     once;
//   - behind a trusted proxy, the login throttle counts the forwarded client
//     address: 20 failures from one client do not lock out another.
func TestMultiInstance(t *testing.T) {
	admin := adminDSN(t)
	s3 := requireS3(t)
	bin := buildBosang(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()

	name, dsn, err := createDatabase(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		dctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := dropDatabase(dctx, admin, name); err != nil {
			t.Logf("drop database %s: %v", name, err)
		}
	})
	box := &countingMailbox{bySubject: map[string]int{}}
	smtpAddr := serveSMTP(t, box)

	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"BOSANG_ENV=development", "BOSANG_DATABASE_URL=" + dsn,
		"BOSANG_JWT_KEY=" + randomHex(32), "BOSANG_CSRF_KEY=" + randomHex(32),
		"BOSANG_ENCRYPTION_KEY=" + randomHex(32), "BOSANG_AUDIT_KEY=" + randomHex(32),
		"BOSANG_RATE_LIMIT=0",
		"BOSANG_SMTP_URL=smtp://" + smtpAddr + "?from=bosang@example.kr",
		"BOSANG_S3_ENDPOINT=" + s3.endpoint, "BOSANG_S3_ACCESS_KEY=" + s3.accessKey,
		"BOSANG_S3_SECRET_KEY=" + s3.secretKey, "BOSANG_S3_BUCKET=bosang-multi-" + randomHex(4),
		"BOSANG_S3_REGION=us-east-1", "BOSANG_S3_TLS=false",
		// The test client is the proxy: it forwards X-Forwarded-For.
		"BOSANG_TRUSTED_PROXIES=127.0.0.1/32"}
	a, err := newInstance("a", bin, dir, env)
	if err != nil {
		t.Fatal(err)
	}
	b, err := newInstance("b", bin, dir, env)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.kill)
	t.Cleanup(b.kill)
	t.Cleanup(func() {
		if t.Failed() {
			for _, in := range []*instance{a, b} {
				logTail(t, in.logPath)
			}
		}
	})

	t.Run("both start at once on an empty database", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, in := range []*instance{a, b} {
			wg.Go(func() { errs[i] = in.start(ctx) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		conn := connect(t, dsn)
		var dup int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM (SELECT version_id FROM goose_db_version
			WHERE is_applied GROUP BY version_id HAVING count(*) > 1) d`).Scan(&dup); err != nil {
			t.Fatal(err)
		}
		if dup != 0 {
			t.Errorf("%d migrations were applied twice", dup)
		}
		var policies int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM policies`).Scan(&policies); err != nil {
			t.Fatal(err)
		}
		if policies != 1 {
			t.Errorf("got %d default policies after two concurrent starts, want 1", policies)
		}
	})
	if t.Failed() {
		return
	}

	cs, outages, err := seed(ctx, dsn, 50, 21)
	if err != nil {
		t.Fatal(err)
	}
	if err := login(ctx, a.baseURL(), cs); err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: time.Minute}

	t.Run("evidence uploaded through one instance downloads through the other", func(t *testing.T) {
		id := fileClaim(t, client, a, cs[0].Token, outages[0], 0)
		body := pngFile(t)
		eid := uploadEvidence(t, client, a, cs[0].Token, id, body)
		got, status := get(t, client, b, cs[0].Token, "/api/v1/claims/"+id+"/evidence/"+eid)
		if status != http.StatusOK || !bytes.Equal(got, body) {
			t.Fatalf("download through b: status %d, %d bytes equal=%v, want 200 and the %d bytes uploaded through a", status, len(got), bytes.Equal(got, body), len(body))
		}
		// The other claimant sees a 404 on both instances.
		for _, in := range []*instance{a, b} {
			if _, status := get(t, client, in, cs[1].Token, "/api/v1/claims/"+id+"/evidence/"+eid); status != http.StatusNotFound {
				t.Errorf("another claimant through %s: status %d, want 404", in.name, status)
			}
		}
	})

	t.Run("1,000 notifications delivered exactly once by two instances", func(t *testing.T) {
		type slot struct{ claimant, outage int }
		work := make(chan slot)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var failures []string
		for w := range 8 {
			wg.Go(func() {
				in := []*instance{a, b}[w%2]
				for s := range work {
					if _, err := tryFileClaim(client, in, cs[s.claimant].Token, outages[s.outage], s.claimant); err != nil {
						mu.Lock()
						failures = append(failures, err.Error())
						mu.Unlock()
					}
				}
			})
		}
		filed := 0
		for o := 1; o < len(outages) && filed < 1000; o++ {
			for c := range cs {
				if filed == 1000 {
					break
				}
				work <- slot{c, o}
				filed++
			}
		}
		close(work)
		wg.Wait()
		if filed != 1000 {
			t.Fatalf("filed %d claims, want 1,000", filed)
		}
		if len(failures) > 0 {
			t.Fatalf("%d of 1,000 filings failed; first: %s", len(failures), failures[0])
		}
		conn := connect(t, dsn)
		// The claimants' status mails: one per claim filed, and one more
		// per claim the review job decides. (Other mail, such as the
		// operators' overdue-notice alerts for these outages, has no
		// recipient in this database and is not counted.)
		const statusRows = `SELECT count(*), count(*) FILTER (WHERE delivered_at IS NULL) FROM outbox WHERE topic = 'claim.status'`
		var want, pending int
		if err := conn.QueryRow(ctx, statusRows).Scan(&want, &pending); err != nil {
			t.Fatal(err)
		}
		if want < 1001 {
			t.Fatalf("the database holds %d status messages, want at least 1,001 (one per claim filed)", want)
		}
		// Wait until every one is delivered and received.
		deadline := time.Now().Add(5 * time.Minute)
		for pending > 0 || box.claimMails() < want {
			if time.Now().After(deadline) {
				t.Fatalf("after 5 minutes: %d status messages undelivered, %d of %d received", pending, box.claimMails(), want)
			}
			time.Sleep(200 * time.Millisecond)
			if err := conn.QueryRow(ctx, statusRows).Scan(&want, &pending); err != nil {
				t.Fatal(err)
			}
		}
		total, dups := box.claimMails(), box.duplicates()
		if total != want || len(dups) > 0 {
			t.Fatalf("received %d messages for %d enqueued; sent more than once: %v", total, want, dups)
		}
		t.Logf("%d messages enqueued, %d received, none twice", want, total)
	})

	t.Run("login throttle counts the forwarded client address", func(t *testing.T) {
		// 20 wrong passwords for 20 accounts from one client, alternately
		// through a and b: that client's address is now blocked...
		for i := range 20 {
			in := []*instance{a, b}[i%2]
			st := loginAs(t, client, in, cs[10+i].Email, "wrong-password-1", "203.0.113.7")
			if st != http.StatusUnauthorized && st != http.StatusTooManyRequests {
				t.Fatalf("wrong password %d: status %d, want 401 or 429", i+1, st)
			}
		}
		if st := loginAs(t, client, a, cs[2].Email, chaosPassword, "203.0.113.7"); st != http.StatusTooManyRequests {
			t.Errorf("right password from the blocked client: status %d, want 429", st)
		}
		// ...but another client behind the same proxy logs in.
		if st := loginAs(t, client, b, cs[2].Email, chaosPassword, "203.0.113.8"); st != http.StatusOK {
			t.Errorf("right password from another client behind the proxy: status %d, want 200", st)
		}
	})
}

// s3Server is where the tests find an S3 server (.ci/run starts versitygw).
type s3Server struct{ endpoint, accessKey, secretKey string }

// requireS3 reads BOSANG_TEST_S3_*; without them the test fails under
// CI=true and is skipped with instructions otherwise.
func requireS3(t *testing.T) s3Server {
	t.Helper()
	s := s3Server{os.Getenv("BOSANG_TEST_S3_ENDPOINT"), os.Getenv("BOSANG_TEST_S3_ACCESS_KEY"), os.Getenv("BOSANG_TEST_S3_SECRET_KEY")}
	if s.endpoint != "" && s.accessKey != "" && s.secretKey != "" {
		return s
	}
	msg := "no S3 server: BOSANG_TEST_S3_ENDPOINT, BOSANG_TEST_S3_ACCESS_KEY and BOSANG_TEST_S3_SECRET_KEY are not all set"
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true: %s", msg)
	}
	banner := strings.Repeat("!", 72)
	t.Skipf("\n%s\n!!! SKIPPING %s: %s\n!!! Start one with `eval $(scripts/s3-test-server.sh)`.\n%s", banner, t.Name(), msg, banner)
	return s
}

// adminDSN is the PostgreSQL server the test creates its database on; an
// unreachable one fails under CI=true and skips otherwise.
func adminDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("BOSANG_TEST_POSTGRES_URL")
	if dsn == "" {
		dsn = DefaultConfig().AdminDSN
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		msg := "PostgreSQL is NOT reachable at " + redact(dsn) + ": " + err.Error()
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true: %s", msg)
		}
		t.Skipf("SKIPPING %s: %s", t.Name(), msg)
	}
	conn.Close(context.Background())
	return dsn
}

func buildBosang(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bosang")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/bosang/bosang/cmd/bosang").CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/bosang: %v\n%s", err, out)
	}
	return bin
}

func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func logTail(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		return
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	t.Logf("last lines of %s:\n%s", filepath.Base(path), strings.Join(lines[max(0, len(lines)-30):], "\n"))
}

func claimBody(outage string, claimant int) []byte {
	body, _ := json.Marshal(map[string]any{
		"outage_id": outage, "category": "driver", "monetary": true, "description": "다중 인스턴스 시험 청구: 호출을 받지 못했습니다",
		"claimed_amount_krw": 0, "details": map[string]any{"monthly_fee_krw": 39000},
		"payout_account": map[string]string{"bank": "004", "number": fmt.Sprintf("110-123-%06d", claimant), "holder": "홍길동"},
	})
	return body
}

// tryFileClaim files one claim and returns its id, or why it failed.
func tryFileClaim(c *http.Client, in *instance, token, outage string, claimant int) (string, error) {
	req, _ := http.NewRequest(http.MethodPost, in.baseURL()+"/api/v1/claims", bytes.NewReader(claimBody(outage, claimant)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Idempotency-Key", uuid.NewString())
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var v struct {
		ID string `json:"id"`
	}
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(b, &v) != nil || v.ID == "" {
		return "", fmt.Errorf("file a claim through %s: status %d: %s", in.name, resp.StatusCode, b)
	}
	return v.ID, nil
}

func fileClaim(t *testing.T, c *http.Client, in *instance, token, outage string, claimant int) string {
	t.Helper()
	id, err := tryFileClaim(c, in, token, outage, claimant)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// pngFile is a small valid PNG, the kind a claimant's screenshot is.
func pngFile(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	img.Set(0, 0, color.RGBA{255, 0, 0, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func uploadEvidence(t *testing.T, c *http.Client, in *instance, token, claimID string, file []byte) string {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("kind", "screenshot") //nolint:errcheck // writes to memory
	fw, _ := w.CreateFormFile("file", "shot.png")
	fw.Write(file) //nolint:errcheck // writes to memory
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, in.baseURL()+"/api/v1/claims/"+claimID+"/evidence", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var v struct {
		ID string `json:"id"`
	}
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(b, &v) != nil || v.ID == "" {
		t.Fatalf("upload through %s: status %d: %s", in.name, resp.StatusCode, b)
	}
	return v.ID
}

func get(t *testing.T, c *http.Client, in *instance, token, path string) ([]byte, int) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, in.baseURL()+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b, resp.StatusCode
}

// loginAs posts a login as if forwarded by a proxy for client address xff.
func loginAs(t *testing.T, c *http.Client, in *instance, email, password, xff string) int {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	req, _ := http.NewRequest(http.MethodPost, in.baseURL()+"/api/v1/auth/login", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", xff)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body) //nolint:errcheck // only the status matters
	return resp.StatusCode
}

// countingMailbox is an SMTP backend that counts the messages it accepts by
// recipient and subject; a claim's messages name its number in the subject,
// so a message sent twice shows up as a count of 2.
type countingMailbox struct {
	mu        sync.Mutex
	bySubject map[string]int
	claims    int
}

func (b *countingMailbox) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &countingSession{box: b}, nil
}

// claimMails is how many messages about a claim (subject "[보상] BS-...")
// were received.
func (b *countingMailbox) claimMails() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.claims
}

// duplicates returns the messages received more than once, with their count.
func (b *countingMailbox) duplicates() map[string]int {
	b.mu.Lock()
	defer b.mu.Unlock()
	dups := map[string]int{}
	for k, n := range b.bySubject {
		if n > 1 {
			dups[k] = n
		}
	}
	return dups
}

type countingSession struct {
	box *countingMailbox
	to  []string
}

func (s *countingSession) Mail(string, *smtp.MailOptions) error { return nil }

func (s *countingSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *countingSession) Data(r io.Reader) error {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, msg.Body) //nolint:errcheck // only the headers are counted
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return err
	}
	key := strings.Join(s.to, ",") + " " + subject
	s.box.mu.Lock()
	s.box.bySubject[key]++
	if strings.HasPrefix(subject, "[보상] BS-") {
		s.box.claims++
	}
	s.box.mu.Unlock()
	return nil
}

func (s *countingSession) Reset()        { s.to = nil }
func (s *countingSession) Logout() error { return nil }

// serveSMTP serves box on a loopback port and returns host:port.
func serveSMTP(t *testing.T, box smtp.Backend) string {
	t.Helper()
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l) //nolint:errcheck // ends with Close
	t.Cleanup(func() { srv.Close() })
	return l.Addr().String()
}
