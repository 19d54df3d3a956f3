package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/notify"
)

// signupExisting is the message auth writes when someone signs up with
// u1's address at 09:30 UTC (18:30 in Korea).
func signupExisting() models.OutboxMessage {
	return models.OutboxMessage{ID: "m9", Topic: auth.TopicSignupExisting, DedupeID: "signup-existing-u1-2025-04-01",
		Payload: `{"user_id":"u1","at":"2025-04-01T09:30:00Z"}`}
}

// TestSMTPSenderSignupExisting: the owner of a registered address gets a
// mail, in Korean and English, saying someone tried to sign up with it,
// when (in Korean time), and where to log in.
func TestSMTPSenderSignupExisting(t *testing.T) {
	box := &mailbox{user: "bosang", pass: "s3cret"}
	port := serveSMTP(t, box)
	s, err := notify.NewSMTPSender("smtp://bosang:s3cret@localhost:"+port+"?from=noreply@bosang.example.kr", "https://bosang.example.kr", recipients)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), signupExisting()); err != nil {
		t.Fatal(err)
	}
	got := box.messages()
	if len(got) != 1 || len(got[0].to) != 1 || got[0].to[0] != "driver@example.kr" {
		t.Fatalf("got %d messages (%+v), want one to the owner driver@example.kr", len(got), got)
	}
	subject, msgID, body := readMail(t, got[0])
	if subject != "[보상] 가입 시도 안내 / sign-up attempt" {
		t.Errorf("subject %q", subject)
	}
	if msgID != "<signup-existing-u1-2025-04-01@bosang>" {
		t.Errorf("Message-ID %q", msgID)
	}
	for _, want := range []string{"2025-04-01 18:30 KST에 이 이메일 주소로 보상 포털 가입을 시도했습니다", "기존 비밀번호로 로그인하세요: https://bosang.example.kr/login",
		"At 2025-04-01 18:30 KST someone tried to sign up", "your account has not changed"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
}

// TestSignupExistingRefusals: a payload without a user is an error, and an
// unknown user has no recipient, so its job retries or gives up
// rather than mailing anyone else.
func TestSignupExistingRefusals(t *testing.T) {
	bad := signupExisting()
	bad.Payload = `{"at":"2025-04-01T09:30:00Z"}`
	if _, err := notify.AccountText(bad, ""); err == nil {
		t.Error("a payload naming no user: got a message, want an error")
	}
	s, _ := notify.NewSMTPSender("smtp://localhost:1?from=noreply@bosang.example.kr", "", recipients)
	unknown := signupExisting()
	unknown.Payload = `{"user_id":"u2","at":"2025-04-01T09:30:00Z"}`
	if err := s.Send(context.Background(), unknown); !errors.Is(err, notify.ErrNoRecipient) {
		t.Errorf("unknown user: got %v, want ErrNoRecipient", err)
	}
}

// TestLogSenderSignupExisting: without SMTP the log carries the message's
// text, and no address.
func TestLogSenderSignupExisting(t *testing.T) {
	var buf bytes.Buffer
	s := notify.LogSender{Log: slog.New(slog.NewJSONHandler(&buf, nil))}
	if err := s.Send(context.Background(), signupExisting()); err != nil {
		t.Fatal(err)
	}
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatal(err)
	}
	text, _ := line["text"].(string)
	if !strings.Contains(text, "가입을 시도했습니다") || !strings.Contains(text, "tried to sign up") || strings.Contains(buf.String(), "@") {
		t.Errorf("logged %s: want the text in both languages and no e-mail address", buf.String())
	}
}
