package main

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/bosang/bosang/config"
	"github.com/bosang/bosang/notify"
)

// TestAddressedSenderChannels: offer announcements and one-time codes go
// by SMS only with BOSANG_SMS_* set and by mail only through the SMTP
// sender; otherwise to the log.
func TestAddressedSenderChannels(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	smtp, err := notify.NewSMTPSender("smtp://localhost:2525?from=noreply@bosang.example", "https://bosang.example",
		func(context.Context, string) (string, string, error) { return "", "", nil })
	if err != nil {
		t.Fatal(err)
	}
	nhn := config.SMS{Provider: config.SMSProviderNHNCloud, APIKey: "app", APISecret: "secret", Sender: "15446859", URL: "http://127.0.0.1:1"}
	tests := []struct {
		name           string
		sms            config.SMS
		mail           notify.Sender
		wantSMS, wantM bool
	}{
		{"nothing configured: the log", config.SMS{}, notify.LogSender{Log: log}, false, false},
		{"SMTP only", config.SMS{}, smtp, false, true},
		{"NHN Cloud and SMTP", nhn, smtp, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &app{cfg: &config.Config{SMS: tt.sms, BaseURL: "https://bosang.example"}, log: log}
			s, err := a.addressedSender(tt.mail)
			if err != nil {
				t.Fatal(err)
			}
			if (s.SMS != nil) != tt.wantSMS || (s.Mail != nil) != tt.wantM || len(s.Topics()) != 4 {
				t.Fatalf("SMS %v, mail %v, %d topics; want SMS %t, mail %t, 4 topics", s.SMS, s.Mail, len(s.Topics()), tt.wantSMS, tt.wantM)
			}
		})
	}
}
