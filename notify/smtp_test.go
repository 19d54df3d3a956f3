package notify_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/notify"
)

// received is one message an SMTP server accepted.
type received struct {
	user, from string
	to         []string
	data       []byte
}

// mailbox is an SMTP backend (github.com/emersion/go-smtp) that keeps what
// it receives; it asks for PLAIN authentication with user and pass.
type mailbox struct {
	user, pass string
	mu         sync.Mutex
	got        []received
}

func (b *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{box: b}, nil }

func (b *mailbox) messages() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]received(nil), b.got...)
}

type session struct {
	box *mailbox
	cur received
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.box.user || pass != s.box.pass {
			return errors.New("bad credentials")
		}
		s.cur.user = user
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.cur.user == "" {
		return smtp.ErrAuthRequired
	}
	s.cur.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = b
	s.box.mu.Lock()
	s.box.got = append(s.box.got, s.cur)
	s.box.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.cur = received{user: s.cur.user} }
func (s *session) Logout() error { return nil }

// serveSMTP starts an SMTP server on a loopback port and returns its port.
func serveSMTP(t *testing.T, be smtp.Backend) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(be)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	go srv.Serve(l) //nolint:errcheck // ends with Close
	t.Cleanup(func() { srv.Close() })
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

// statusMessage is a partial approval of ₩2,000 for insufficient evidence,
// as review writes it.
func statusMessage() models.OutboxMessage {
	return models.OutboxMessage{ID: "m1", Topic: "claim.status", DedupeID: "claim-event-e1",
		Payload: `{"claim_id":"c1","number":"BS-2022-000123","claimant_id":"u1","status":"partially_approved","amount_krw":2000,"reason_code":"insufficient_evidence"}`}
}

func recipients(_ context.Context, id string) (string, string, error) {
	if id != "u1" {
		return "", "", errors.New("no such claimant")
	}
	return "driver@example.kr", "기사", nil
}

// TestSMTPSenderDelivers: the sender authenticates, and the message a real
// SMTP server receives parses as mail with the Korean subject encoded, the
// Message-ID from the dedupe id and the link to the claim.
func TestSMTPSenderDelivers(t *testing.T) {
	box := &mailbox{user: "bosang", pass: "s3cret"}
	port := serveSMTP(t, box)
	s, err := notify.NewSMTPSender("smtp://bosang:s3cret@localhost:"+port+"?from=noreply@bosang.example.kr", "https://bosang.example.kr", recipients)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), statusMessage()); err != nil {
		t.Fatal(err)
	}
	got := box.messages()
	if len(got) != 1 {
		t.Fatalf("%d messages received, want 1", len(got))
	}
	r := got[0]
	if r.user != "bosang" || r.from != "noreply@bosang.example.kr" || len(r.to) != 1 || r.to[0] != "driver@example.kr" {
		t.Errorf("envelope: user %q from %q to %v", r.user, r.from, r.to)
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(r.data)))
	if err != nil {
		t.Fatalf("not a mail message: %v\n%s", err, r.data)
	}
	raw := msg.Header.Get("Subject")
	if strings.ContainsFunc(raw, func(r rune) bool { return r > 127 }) {
		t.Errorf("subject %q carries raw UTF-8; want it MIME-encoded", raw)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(raw)
	if want := "[보상] BS-2022-000123 일부 승인 ₩2,000"; err != nil || subject != want {
		t.Errorf("subject %q (%v), want %s", subject, err, want)
	}
	if id := msg.Header.Get("Message-Id"); id != "<claim-event-e1@bosang>" {
		t.Errorf("Message-ID %q, want <claim-event-e1@bosang>", id)
	}
	if msg.Header.Get("Date") == "" || !strings.HasPrefix(msg.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("Date %q, Content-Type %q", msg.Header.Get("Date"), msg.Header.Get("Content-Type"))
	}
	body, err := decodeBody(msg)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"청구 BS-2022-000123의 상태가 ‘일부 승인’(으)로 바뀌었습니다.", "결정 금액: ₩2,000", "사유: 증빙 부족",
		"Claim BS-2022-000123 is now Partially approved.", "Amount decided: ₩2,000", "Reason: Insufficient evidence",
		"https://bosang.example.kr/claims/c1"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
}

// TestSMTPSenderEstimateChanged: a re-priced claim's mail names the old
// and the new estimate and the policy that caused it, and says a decided
// amount stands when the new estimate is above it.
func TestSMTPSenderEstimateChanged(t *testing.T) {
	box := &mailbox{user: "bosang", pass: "s3cret"}
	port := serveSMTP(t, box)
	s, err := notify.NewSMTPSender("smtp://bosang:s3cret@localhost:"+port+"?from=noreply@bosang.example.kr", "https://bosang.example.kr", recipients)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []models.OutboxMessage{
		{ID: "m2", Topic: claims.TopicEstimate, DedupeID: "claim-estimate-e2", Payload: `{"claim_id":"c1","number":"BS-2022-000123",
"claimant_id":"u1","status":"submitted","old_amount_krw":30000,"new_amount_krw":40000,"policy_version":2,"policy_name":"2026 개정"}`},
		{ID: "m3", Topic: claims.TopicEstimate, DedupeID: "claim-estimate-e3", Payload: `{"claim_id":"c1","number":"BS-2022-000123",
"claimant_id":"u1","status":"approved","old_amount_krw":30000,"new_amount_krw":40000,"policy_version":2,"policy_name":"2026 개정",
"above_decision":true,"decided_amount_krw":30000}`},
	} {
		if err := s.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	got := box.messages()
	if len(got) != 2 {
		t.Fatalf("%d messages received, want 2", len(got))
	}
	for i, wants := range [][]string{
		{"₩30,000에서 ₩40,000(으)로 바뀌었습니다", "v2 「2026 개정」", "from ₩30,000 to ₩40,000", "https://bosang.example.kr/claims/c1"},
		{"₩30,000에서 ₩40,000(으)로 바뀌었습니다", "이미 결정된 금액 ₩30,000은(는) 그대로이며", "₩30,000, stands and is never lowered"},
	} {
		msg, err := mail.ReadMessage(strings.NewReader(string(got[i].data)))
		if err != nil {
			t.Fatal(err)
		}
		subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if !strings.Contains(subject, "예상 보상액 변경") {
			t.Errorf("message %d: subject %q, want it to say the estimate changed", i, subject)
		}
		body, err := decodeBody(msg)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range wants {
			if !strings.Contains(body, want) {
				t.Errorf("message %d: body lacks %q:\n%s", i, want, body)
			}
		}
		if i == 0 && strings.Contains(body, "결정된 금액") {
			t.Errorf("message 0 (an undecided claim) speaks of a decided amount:\n%s", body)
		}
	}
}

// readMail parses a received message and returns its decoded subject, its
// Message-ID and its decoded body; it fails the test when they do not parse.
func readMail(t *testing.T, r received) (subject, messageID, body string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(r.data))
	if err != nil {
		t.Fatal(err)
	}
	if subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatalf("subject: %v", err)
	}
	if body, err = decodeBody(msg); err != nil {
		t.Fatalf("body: %v", err)
	}
	return subject, msg.Header.Get("Message-Id"), body
}

// decodeBody reads a single-part body in its transfer encoding.
func decodeBody(msg *mail.Message) (string, error) {
	var r io.Reader = msg.Body
	switch strings.ToLower(msg.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		r = quotedPrintable(r)
	case "base64":
		r = base64Reader(r)
	}
	b, err := io.ReadAll(r)
	return string(b), err
}

func TestSMTPSenderRefusals(t *testing.T) {
	box := &mailbox{user: "bosang", pass: "s3cret"}
	port := serveSMTP(t, box)

	wrong, err := notify.NewSMTPSender("smtp://bosang:wrong@localhost:"+port+"?from=noreply@bosang.example.kr", "", recipients)
	if err != nil {
		t.Fatal(err)
	}
	if err := wrong.Send(context.Background(), statusMessage()); err == nil {
		t.Error("a wrong password sent the mail; want an error")
	}
	s, _ := notify.NewSMTPSender("smtp://bosang:s3cret@localhost:"+port+"?from=noreply@bosang.example.kr", "", recipients)
	unknown := statusMessage()
	unknown.Payload = strings.Replace(unknown.Payload, `"u1"`, `"u2"`, 1)
	if err := s.Send(context.Background(), unknown); !errors.Is(err, notify.ErrNoRecipient) {
		t.Errorf("unknown claimant: got %v, want ErrNoRecipient", err)
	}
	if n := len(box.messages()); n != 0 {
		t.Errorf("%d messages delivered, want none", n)
	}
	for _, u := range []string{"http://host?from=a@b.kr", "smtp://host:99999?from=a@b.kr", "smtp://host:587", "smtp://host:587?from=not-an-address"} {
		if _, err := notify.NewSMTPSender(u, "", recipients); err == nil {
			t.Errorf("%s: accepted, want an error", u)
		}
	}
}

// TestSMTPSenderBoundedByContext: a server that accepts the connection and
// never greets cannot hold the sender past its context.
func TestSMTPSenderBoundedByContext(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close() // silent until the test ends
		}
	}()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	s, err := notify.NewSMTPSender("smtp://localhost:"+port+"?from=noreply@bosang.example.kr", "", recipients)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Send(ctx, statusMessage()) }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a server that never greets accepted the mail")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Send still blocked 20 s after its 500 ms context ended")
	}
}
