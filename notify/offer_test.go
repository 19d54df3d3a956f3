package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bosang/bosang/contact"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/notify"
	"github.com/bosang/bosang/offers"
	"github.com/bosang/bosang/pii"
)

func testSealer(t *testing.T) *pii.Sealer {
	t.Helper()
	s, err := pii.NewSealer(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// offerMessage is an outbox row announcing p to the address to with the
// link token, sealed as the offers package writes it.
func offerMessage(t *testing.T, sealer *pii.Sealer, topic string, p offers.MessagePayload, to, token string) models.OutboxMessage {
	t.Helper()
	b, err := json.Marshal(offers.SealMessage(sealer, p, to, token))
	if err != nil {
		t.Fatal(err)
	}
	return models.OutboxMessage{ID: "m-" + p.OfferID, Topic: topic, DedupeID: topic + "-" + p.OfferID, Payload: string(b)}
}

// proDriver is the Kakao T Pro driver's cash offer of ₩7,550.
func proDriver() offers.MessagePayload {
	return offers.MessagePayload{OfferID: "o1", OutageID: "out1", Provider: "카카오모빌리티", Service: "카카오 T", ServiceEN: "Kakao T",
		Status: offers.Offered, AmountKRW: 7550, ExpiresAt: time.Date(2026, 12, 31, 14, 59, 0, 0, time.UTC)}
}

// TestOfferSMSFitsSMSOrLMS: the announcement carries the provider's name,
// the amount (7,550원: EUC-KR has no ₩) and the link; it goes as an SMS
// when it fits 90 EUC-KR bytes and as an LMS with the title otherwise.
func TestOfferSMSFitsSMSOrLMS(t *testing.T) {
	sealer := testSealer(t)
	long := strings.Repeat("T", 43) // a 32-byte token in base64url
	tests := []struct {
		name, provider, base, token string
		want                        string // the endpoint: sms or mms
	}{
		{"a short link fits an SMS", "카카오", "https://b.kr", "t0k", "sms"},
		{"the real link needs an LMS", "카카오모빌리티", "https://bosang.example.kr", long, "mms"},
		{"an emoji in the name is sent as ?", "카카오🚕", "https://b.kr", "t0k", "sms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeNHN(t)
			p := proDriver()
			p.Provider = tt.provider
			s := notify.AddressedSender{SMS: newSMSSender(t, f.URL, nhnSecret), BaseURL: tt.base, Sealer: sealer}
			if err := s.Send(context.Background(), offerMessage(t, sealer, offers.TopicSMS, p, "010-2000-7550", tt.token)); err != nil {
				t.Fatal(err)
			}
			got := f.sends()
			if len(got) != 1 {
				t.Fatalf("%d requests, want 1", len(got))
			}
			body := got[0].Req.Body
			n, ok := eucKR(body)
			if got[0].Kind != tt.want || !ok || (n <= 90) != (tt.want == "sms") {
				t.Fatalf("sent as %s, %d EUC-KR bytes (encodable %t), want %s: %q", got[0].Kind, n, ok, tt.want, body)
			}
			link := tt.base + "/offers/" + tt.token
			if !strings.Contains(body, "7,550원") || !strings.Contains(body, link) || got[0].Req.RecipientList[0].RecipientNo != "01020007550" {
				t.Fatalf("text %q to %s: want the amount, the link %s, the sealed number", body, got[0].Req.RecipientList[0].RecipientNo, link)
			}
			if name := strings.ReplaceAll(tt.provider, "🚕", "?"); !strings.Contains(body, name) {
				t.Fatalf("text %q lacks the provider %q", body, name)
			}
			if tt.want == "mms" && (got[0].Req.Title == nil || !strings.Contains(*got[0].Req.Title, tt.provider)) {
				t.Fatalf("LMS title %v, want the provider's name", got[0].Req.Title)
			}
		})
	}
}

// TestOfferEmailThroughSMTP: the e-mail goes to the sealed address, in
// Korean then English, with the amount, the provider, the link to the
// steps and the deadline.
func TestOfferEmailThroughSMTP(t *testing.T) {
	sealer := testSealer(t)
	box := &mailbox{user: "bosang", pass: "s3cret"}
	port := serveSMTP(t, box)
	mailer, err := notify.NewSMTPSender("smtp://bosang:s3cret@localhost:"+port+"?from=noreply@bosang.example.kr", "https://bosang.example.kr", recipients)
	if err != nil {
		t.Fatal(err)
	}
	s := notify.AddressedSender{Mail: mailer, BaseURL: "https://bosang.example.kr", Sealer: sealer}
	if err := s.Send(context.Background(), offerMessage(t, sealer, offers.TopicEmail, proDriver(), "pro@example.kr", "tok_1")); err != nil {
		t.Fatal(err)
	}
	got := box.messages()
	if len(got) != 1 || len(got[0].to) != 1 || got[0].to[0] != "pro@example.kr" {
		t.Fatalf("received %d messages (%+v), want 1 to the sealed address", len(got), got)
	}
	subject, id, body := readMail(t, got[0])
	if !strings.Contains(subject, "카카오모빌리티") || !strings.Contains(subject, "₩7,550") || id != "<offer.email-o1@bosang>" {
		t.Errorf("subject %q, Message-ID %s", subject, id)
	}
	for _, want := range []string{"카카오모빌리티의 카카오 T 장애로", "₩7,550", "https://bosang.example.kr/offers/tok_1", "2026-12-31 23:59 KST",
		"Kakao T outage affected your account", "at this link:", "verified"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
}

// TestAddressedSenderPermanentFailures: a number no SMS reaches and a
// request the provider refuses for good are permanent (the job stops at
// once); the provider being down is not.
func TestAddressedSenderPermanentFailures(t *testing.T) {
	sealer := testSealer(t)
	tests := []struct {
		name, phone string
		fail        func(w http.ResponseWriter, s nhnSend)
		permanent   bool
	}{
		{"a landline number", "02-123-4567", nil, true},
		{"the recipient refused", "010-2000-7550", func(w http.ResponseWriter, s nhnSend) {
			w.Header().Set("Content-Type", "application/json;charset=UTF-8")
			fmt.Fprintf(w, `{"header":{"isSuccessful":true,"resultCode":0,"resultMessage":"SUCCESS"},"body":{"data":{"requestId":"r1","statusCode":"2","sendResultList":[{"recipientNo":"01020007550","resultCode":-2019,"resultMessage":"Invalid recipientNo."}]}}}`)
		}, true},
		{"the sender number unregistered", "010-2000-7550", func(w http.ResponseWriter, s nhnSend) { nhnHeader(w, -2312, "Not regist sendno.") }, true},
		{"the provider down", "010-2000-7550", func(w http.ResponseWriter, s nhnSend) { w.WriteHeader(http.StatusServiceUnavailable) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeNHN(t)
			f.fail = tt.fail
			s := notify.AddressedSender{SMS: newSMSSender(t, f.URL, nhnSecret), BaseURL: "https://b.kr", Sealer: sealer}
			err := s.Send(context.Background(), offerMessage(t, sealer, offers.TopicSMS, proDriver(), tt.phone, "t0k"))
			var p *notify.PermanentError
			if err == nil || errors.As(err, &p) != tt.permanent {
				t.Fatalf("err = %v, want permanent %t", err, tt.permanent)
			}
			checkNoSecrets(t, err)
		})
	}
}

// TestCodeMessages: a one-time code goes by SMS (well within 90 bytes)
// or by mail in both languages; without a provider the text is logged,
// never the address.
func TestCodeMessages(t *testing.T) {
	code := contact.Code{Payload: contact.Payload{VerificationID: "v1", Channel: contact.Phone}, To: "01012345678", Code: "042917"}
	open := func(models.OutboxMessage) (contact.Code, error) { return code, nil }
	f := newFakeNHN(t)
	s := notify.AddressedSender{SMS: newSMSSender(t, f.URL, nhnSecret), OpenCode: open}
	if err := s.Send(context.Background(), models.OutboxMessage{ID: "m1", Topic: contact.TopicSMS, DedupeID: "verify-v1"}); err != nil {
		t.Fatal(err)
	}
	if got := f.sends(); len(got) != 1 || got[0].Kind != "sms" || !strings.Contains(got[0].Req.Body, "042917") {
		t.Fatalf("code SMS: %+v", got)
	}
	subject, body, err := notify.CodeMail(code)
	if err != nil || !strings.Contains(subject, "인증번호") || !strings.Contains(body, "042917") || !strings.Contains(body, "10 minutes") {
		t.Fatalf("code mail %q %q (%v)", subject, body, err)
	}
	var logs bytes.Buffer
	s = notify.AddressedSender{Log: slog.New(slog.NewJSONHandler(&logs, nil)), OpenCode: open}
	if err := s.Send(context.Background(), models.OutboxMessage{ID: "m2", Topic: contact.TopicEmail, DedupeID: "verify-v1"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "042917") || strings.Contains(logs.String(), code.To) {
		t.Fatalf("log: %s; want the text without the address", logs.String())
	}
}
