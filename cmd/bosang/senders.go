package main

import (
	"github.com/bosang/bosang/notify"
)

// addressedSender delivers offer announcements and one-time codes: SMS
// through the configured provider (BOSANG_SMS_*), mail through mail when
// it is the SMTP sender; what has no channel is written to the log.
func (a *app) addressedSender(mail notify.Sender) (notify.AddressedSender, error) {
	s := notify.AddressedSender{Log: a.log, BaseURL: a.cfg.BaseURL, Sealer: a.sealer, OpenCode: a.contacts.OpenMessage}
	if m, ok := mail.(notify.Mailer); ok {
		s.Mail = m
	}
	if !a.cfg.SMS.Enabled() {
		return s, nil
	}
	sms, err := notify.NewSMSSender(notify.SMSConfig{BaseURL: a.cfg.SMS.URL, AppKey: a.cfg.SMS.APIKey,
		SecretKey: a.cfg.SMS.APISecret, SendNo: a.cfg.SMS.Sender})
	if err != nil {
		return s, err
	}
	s.SMS = sms
	return s, nil
}
