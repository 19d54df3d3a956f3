package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/notify"
)

// reminderOf is the message claims.RemindSupplements queues for claim c1
// of claimant u1, whose supplement is due at 18:00 on 3 May 2024 in Korea.
func reminderOf() models.OutboxMessage {
	due := time.Date(2024, 5, 3, 9, 0, 0, 0, time.UTC)
	d := claims.SupplementDue{ClaimID: "c1", Number: "BS-2022-000123", ClaimantID: "u1", DueAt: due}
	return *claims.SupplementReminder("m1", d, due.Add(-36*time.Hour))
}

// TestSupplementReminderText: the reminder names the claim and the due
// time in Korean time, in Korean then English, with the claim's link.
func TestSupplementReminderText(t *testing.T) {
	m, err := notify.StatusText(reminderOf(), "https://bosang.example.kr")
	if err != nil {
		t.Fatal(err)
	}
	if want := "[보상] BS-2022-000123 보완 기한 임박 / supplement due soon"; m.Subject != want {
		t.Errorf("subject %q, want %q", m.Subject, want)
	}
	wants := []string{"청구 BS-2022-000123에 요청된 보완 자료의 제출 기한은 2024-05-03 18:00 KST입니다.",
		"The supplement requested for claim BS-2022-000123 is due by 2024-05-03 18:00 KST.",
		"이미 제출했다면", "If you have sent it already", "https://bosang.example.kr/claims/c1"}
	for _, w := range wants {
		if !strings.Contains(m.Body, w) {
			t.Errorf("body lacks %q:\n%s", w, m.Body)
		}
	}
	if strings.Index(m.Body, "청구 BS") > strings.Index(m.Body, "The supplement") {
		t.Errorf("body is not Korean first:\n%s", m.Body)
	}
	if m.Payload.ClaimantID != "u1" {
		t.Errorf("recipient %q, want the claimant u1", m.Payload.ClaimantID)
	}
	bad := reminderOf()
	bad.Payload = `{"claim_id":"c1","number":"BS-2022-000123","claimant_id":"u1"}`
	if _, err := notify.StatusText(bad, ""); err == nil {
		t.Error("a reminder without a due time: got no error")
	}
}

// TestLogSenderSupplementReminder: without SMTP the log carries the text.
func TestLogSenderSupplementReminder(t *testing.T) {
	var buf bytes.Buffer
	s := notify.LogSender{Log: slog.New(slog.NewJSONHandler(&buf, nil))}
	if err := s.Send(context.Background(), reminderOf()); err != nil {
		t.Fatal(err)
	}
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("log line %q: %v", buf.String(), err)
	}
	if text, _ := line["text"].(string); !strings.Contains(text, "2024-05-03 18:00 KST") {
		t.Errorf("logged text %q: want the due time", line["text"])
	}
}

// TestSMTPSenderSupplementReminder: the reminder goes to the claimant,
// deduplicated by Message-ID on the claim and due time.
func TestSMTPSenderSupplementReminder(t *testing.T) {
	box := &mailbox{user: "bosang", pass: "s3cret"}
	port := serveSMTP(t, box)
	s, err := notify.NewSMTPSender("smtp://bosang:s3cret@localhost:"+port+"?from=noreply@bosang.example.kr", "https://bosang.example.kr", recipients)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), reminderOf()); err != nil {
		t.Fatal(err)
	}
	got := box.messages()
	if len(got) != 1 || len(got[0].to) != 1 || got[0].to[0] != "driver@example.kr" {
		t.Fatalf("received %+v, want one mail to the claimant", got)
	}
	subject, msgID, body := readMail(t, got[0])
	if !strings.Contains(subject, "보완 기한 임박") {
		t.Errorf("subject %q", subject)
	}
	if msgID != "<claim-supplement-reminder-c1-20240503T090000Z@bosang>" {
		t.Errorf("Message-ID %q", msgID)
	}
	if !strings.Contains(body, "2024-05-03 18:00 KST") {
		t.Errorf("body lacks the due time:\n%s", body)
	}
}
