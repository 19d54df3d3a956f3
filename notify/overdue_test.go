package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/notify"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/statute"
)

// overdueAlert is the alert outage.AlertOverdueNotices writes when the
// compensation notice of a messenger outage restored at 17:00 on 2 June
// 2025 (Korean time) is past its deadline 30 days later.
func overdueAlert(t *testing.T) models.OutboxMessage {
	t.Helper()
	kst := time.FixedZone("KST", 9*3600)
	start := time.Date(2025, 6, 2, 14, 0, 0, 0, kst)
	end := start.Add(3 * time.Hour)
	v := &outage.View{ID: "o1", Service: outage.ServiceRef{Name: "메신저", NameEN: "Messenger"}, ProviderName: "플랫폼",
		Summary: "데이터센터 화재로 메시지 전송 불가", StartedAt: start.UTC(), EndedAt: &end}
	due := end.Add(30 * 24 * time.Hour).UTC()
	v.Notice.Regime, v.Notice.CompensationRequired, v.Notice.CompensationNoticeDueAt = "decree-2025-03-28", true, &due
	v.Notice.Overdue = []statute.NoticeKind{statute.NoticeCompensation}
	ms := outage.OverdueAlerts(v, due.Add(time.Second), func() string { return "m1" })
	if len(ms) != 1 {
		t.Fatalf("%d alerts, want 1", len(ms))
	}
	return *ms[0]
}

// TestNoticeOverdueText: the alert names the outage, the notice, its
// deadline in Korean time and the legal basis, in Korean then English,
// with the page to record the notice on.
func TestNoticeOverdueText(t *testing.T) {
	m, err := notify.NoticeOverdueText(overdueAlert(t), "https://bosang.example.kr")
	if err != nil {
		t.Fatal(err)
	}
	if want := "[보상] 법정 고지 기한 경과: 메신저 / statutory notice overdue: Messenger"; m.Subject != want {
		t.Errorf("subject %q, want %q", m.Subject, want)
	}
	for _, w := range []string{
		"메신저 장애(2025-06-02 14:00 KST 시작)의 손해배상 기준과 절차 고지 기한이 지났지만 발송 기록이 없습니다.",
		"데이터센터 화재로 메시지 전송 불가",
		"고지 기한: 2025-07-02 17:00 KST",
		"전기통신사업법 제33조", "(2025-03-28 시행 규정)",
		"복구 후 30일 안에",
		"The compensation criteria and procedure notice for the outage of Messenger (started 2025-06-02 14:00 KST) is past its deadline",
		"Deadline: 2025-07-02 17:00 KST",
		"Article 33 of the Telecommunications Business Act", "text in force from 2025-03-28",
		"within 30 days of restoration",
		"https://bosang.example.kr/outages/o1#notices",
	} {
		if !strings.Contains(m.Body, w) {
			t.Errorf("body lacks %q:\n%s", w, m.Body)
		}
	}
	if !slices.Equal(m.Roles, []models.Role{models.RoleOperator, models.RoleAdmin}) {
		t.Errorf("roles %v, want operators and admins", m.Roles)
	}
	bad := overdueAlert(t)
	bad.Payload = `{"outage_id":"o1","kind":"compensation"}`
	if _, err := notify.NoticeOverdueText(bad, ""); err == nil {
		t.Error("an alert without a deadline: got no error")
	}
}

// TestLogSenderNoticeOverdue: without SMTP the log carries the alert.
func TestLogSenderNoticeOverdue(t *testing.T) {
	var buf bytes.Buffer
	s := notify.LogSender{Log: slog.New(slog.NewJSONHandler(&buf, nil))}
	if err := s.Send(context.Background(), overdueAlert(t)); err != nil {
		t.Fatal(err)
	}
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("log line %q: %v", buf.String(), err)
	}
	if text, _ := line["text"].(string); !strings.Contains(text, "고지 기한: 2025-07-02 17:00 KST") {
		t.Errorf("logged text %q: want the deadline", line["text"])
	}
}

// TestSMTPSenderNoticeOverdue: one mail to every enabled operator and
// admin the sender finds; finding none, or having no way to look, is
// ErrNoRecipient and nothing is sent.
func TestSMTPSenderNoticeOverdue(t *testing.T) {
	box := &mailbox{user: "bosang", pass: "s3cret"}
	port := serveSMTP(t, box)
	s, err := notify.NewSMTPSender("smtp://bosang:s3cret@localhost:"+port+"?from=noreply@bosang.example.kr", "https://bosang.example.kr", recipients)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Send(ctx, overdueAlert(t)); !errors.Is(err, notify.ErrNoRecipient) {
		t.Errorf("without Staff: got %v, want ErrNoRecipient", err)
	}
	var asked []models.Role
	s.Staff = func(_ context.Context, roles ...models.Role) ([]string, error) {
		asked = roles
		return nil, nil
	}
	if err := s.Send(ctx, overdueAlert(t)); !errors.Is(err, notify.ErrNoRecipient) {
		t.Errorf("no enabled operator: got %v, want ErrNoRecipient", err)
	}
	if len(box.messages()) != 0 {
		t.Fatalf("%d messages sent without a recipient", len(box.messages()))
	}
	s.Staff = func(_ context.Context, roles ...models.Role) ([]string, error) {
		asked = roles
		return []string{"admin@bosang.example.kr", "ops@bosang.example.kr"}, nil
	}
	if err := s.Send(ctx, overdueAlert(t)); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(asked, outage.AlertRoles) {
		t.Errorf("asked for %v, want %v", asked, outage.AlertRoles)
	}
	got := box.messages()
	if len(got) != 1 || !slices.Equal(got[0].to, []string{"admin@bosang.example.kr", "ops@bosang.example.kr"}) {
		t.Fatalf("received %+v; want one message to both", got)
	}
	subject, msgID, body := readMail(t, got[0])
	if !strings.Contains(subject, "법정 고지 기한 경과") {
		t.Errorf("subject %q", subject)
	}
	if msgID != "<outage-notice-overdue-o1-compensation-20250702T080000Z@bosang>" {
		t.Errorf("Message-ID %q", msgID)
	}
	if !strings.Contains(body, "Deadline: 2025-07-02 17:00 KST") {
		t.Errorf("body lacks the deadline:\n%s", body)
	}
}
