package notify_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/notify"
)

// openReset stands in for auth's opener: it reads message m9 as a reset
// for u1 with token tok-1, good until 09:30 UTC (18:30 in Korea).
func openReset(m models.OutboxMessage) (auth.PasswordResetMail, error) {
	if m.ID != "m9" {
		return auth.PasswordResetMail{}, errors.New("cannot open")
	}
	return auth.PasswordResetMail{UserID: "u1", Token: "tok-1", ExpiresAt: time.Date(2025, 4, 1, 9, 30, 0, 0, time.UTC)}, nil
}

func resetMessage() models.OutboxMessage {
	return models.OutboxMessage{ID: "m9", Topic: auth.TopicPasswordReset, DedupeID: "password-reset-r1", Payload: `{"user_id":"u1"}`}
}

// TestSMTPSenderPasswordReset: the owner gets the link in Korean and
// English with the time it stops working (in Korean time); without a way
// to open the token the sender refuses rather than mail a broken link.
func TestSMTPSenderPasswordReset(t *testing.T) {
	box := &mailbox{user: "bosang", pass: "s3cret"}
	port := serveSMTP(t, box)
	s, err := notify.NewSMTPSender("smtp://bosang:s3cret@localhost:"+port+"?from=noreply@bosang.example.kr", "https://bosang.example.kr", recipients)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), resetMessage()); err == nil {
		t.Fatal("a sender without an opener sent a reset message")
	}
	s.OpenReset = openReset
	if err := s.Send(context.Background(), resetMessage()); err != nil {
		t.Fatal(err)
	}
	got := box.messages()
	if len(got) != 1 || got[0].to[0] != "driver@example.kr" {
		t.Fatalf("got %+v, want one message to the owner", got)
	}
	subject, _, body := readMail(t, got[0])
	if subject != "[보상] 비밀번호 재설정 / Password reset" {
		t.Errorf("subject %q", subject)
	}
	for _, want := range []string{"https://bosang.example.kr/password/reset?token=tok-1", "2025-04-01 18:30 KST까지 30분 동안 한 번만",
		"The link works once, for 30 minutes, until 2025-04-01 18:30 KST", "ignore this message"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
}

// TestLogSenderPasswordReset: in development the log carries the link.
func TestLogSenderPasswordReset(t *testing.T) {
	var buf bytes.Buffer
	s := notify.LogSender{Log: slog.New(slog.NewJSONHandler(&buf, nil)), OpenReset: openReset, BaseURL: "http://127.0.0.1:8080"}
	if err := s.Send(context.Background(), resetMessage()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "http://127.0.0.1:8080/password/reset?token=tok-1") {
		t.Fatalf("log %s: want the link", buf.String())
	}
}
