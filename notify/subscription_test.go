package notify_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/notify"
	"github.com/bosang/bosang/outage"
)

// openSub stands in for outage.Service's OpenMail: message s1 is an
// update of the 하늘택시 outage to watcher@example.kr with token tok-s.
func openSub(_ context.Context, m models.OutboxMessage) (outage.SubscriptionMail, error) {
	if m.ID != "s1" && m.ID != "c1" {
		return outage.SubscriptionMail{}, errors.New("cannot open")
	}
	return outage.SubscriptionMail{Email: "watcher@example.kr", Token: "tok-s", OutageID: "o1", ServiceName: "하늘택시",
		ServiceNameEN: "Haneul Taxi", Summary: "호출 지연", UpdateBody: "복구 작업 중입니다."}, nil
}

// TestSMTPSenderOutageUpdate: a subscriber's update mail goes to the
// subscribed address (no account needed), names the outage in Korean and
// English, carries the update and the unsubscribe link; without a way to
// open it the sender refuses.
func TestSMTPSenderOutageUpdate(t *testing.T) {
	box := &mailbox{user: "bosang", pass: "s3cret"}
	port := serveSMTP(t, box)
	s, err := notify.NewSMTPSender("smtp://bosang:s3cret@localhost:"+port+"?from=noreply@bosang.example.kr", "https://bosang.example.kr", recipients)
	if err != nil {
		t.Fatal(err)
	}
	m := models.OutboxMessage{ID: "s1", Topic: outage.TopicUpdate, DedupeID: "outage-update-j1-s1", Payload: `{"subscription_id":"sub1"}`}
	if err := s.Send(context.Background(), m); err == nil {
		t.Fatal("a sender without an opener sent a subscription message")
	}
	s.OpenSubscription = openSub
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := box.messages()
	if len(got) != 1 || got[0].to[0] != "watcher@example.kr" {
		t.Fatalf("got %+v, want one message to the subscriber", got)
	}
	subject, _, body := readMail(t, got[0])
	if subject != "[보상] 하늘택시 장애 소식 / Haneul Taxi outage update" {
		t.Errorf("subject %q", subject)
	}
	for _, want := range []string{"하늘택시 장애에 새 소식이 있습니다.", "There is an update on the outage of Haneul Taxi.", "호출 지연",
		"복구 작업 중입니다.", "그만 받으려면", "To stop these mails", "https://bosang.example.kr/subscriptions?token=tok-s"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
}

// TestSubscriptionConfirmText: the confirmation asks to confirm at the
// link, in both languages, and says nothing more comes otherwise.
func TestSubscriptionConfirmText(t *testing.T) {
	m := models.OutboxMessage{ID: "c1", Topic: outage.TopicSubscribeConfirm, DedupeID: "outage-subscribe-sub1"}
	text, to, err := notify.SubscriptionText(context.Background(), m, "https://bosang.example.kr", openSub)
	if err != nil {
		t.Fatal(err)
	}
	if to != "watcher@example.kr" || !strings.Contains(text.Subject, "장애 소식 신청 확인") {
		t.Errorf("to %q, subject %q", to, text.Subject)
	}
	for _, want := range []string{"하늘택시 장애 소식을 메일로", "about the outage of Haneul Taxi", "https://bosang.example.kr/subscriptions?token=tok-s",
		"신청하지 않았다면", "If it was not you"} {
		if !strings.Contains(text.Body, want) {
			t.Errorf("body lacks %q:\n%s", want, text.Body)
		}
	}
}

// TestLogSenderOutageUpdate: in development the log carries the text and
// link, but not the address.
func TestLogSenderOutageUpdate(t *testing.T) {
	var buf bytes.Buffer
	s := notify.LogSender{Log: slog.New(slog.NewJSONHandler(&buf, nil)), OpenSubscription: openSub, BaseURL: "http://127.0.0.1:8080"}
	m := models.OutboxMessage{ID: "s1", Topic: outage.TopicUpdate, DedupeID: "outage-update-j1-s1", Payload: `{"subscription_id":"sub1"}`}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "http://127.0.0.1:8080/subscriptions?token=tok-s") || strings.Contains(buf.String(), "watcher@example.kr") {
		t.Fatalf("log %s: want the link and not the address", buf.String())
	}
}
