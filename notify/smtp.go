package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/smtp"
	"net/url"
	"strings"

	"github.com/bosang/bosang/models"
)

// Recipients finds the e-mail address of a claimant.
type Recipients func(ctx context.Context, userID string) (email, name string, err error)

// SMTPSender e-mails claimants about their claims.
type SMTPSender struct {
	addr, from string
	auth       smtp.Auth
	recipients Recipients
	baseURL    string
}

// NewSMTPSender parses smtp://user:pass@host:port?from=addr.
func NewSMTPSender(rawURL, baseURL string, recipients Recipients) (*SMTPSender, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "smtp" || u.Host == "" {
		return nil, fmt.Errorf("BOSANG_SMTP_URL must look like smtp://user:pass@host:587?from=bosang@example.kr")
	}
	s := &SMTPSender{addr: u.Host, from: u.Query().Get("from"), recipients: recipients, baseURL: baseURL}
	if s.from == "" {
		return nil, fmt.Errorf("BOSANG_SMTP_URL needs ?from=")
	}
	if u.User != nil {
		pass, _ := u.User.Password()
		s.auth = smtp.PlainAuth("", u.User.Username(), pass, u.Hostname())
	}
	return s, nil
}

// Send e-mails the claimant named in the payload. The Message-ID is derived
// from the dedupe id so that mail clients fold a repeat into the original.
func (s *SMTPSender) Send(ctx context.Context, m models.OutboxMessage) error {
	var p struct {
		ClaimID    string `json:"claim_id"`
		Number     string `json:"number"`
		ClaimantID string `json:"claimant_id"`
		Status     string `json:"status"`
	}
	if err := json.Unmarshal([]byte(m.Payload), &p); err != nil {
		return err
	}
	to, _, err := s.recipients(ctx, p.ClaimantID)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNoRecipient, err)
	}
	body := strings.Join([]string{
		"From: " + s.from, "To: " + to, "Subject: [보상] " + p.Number + " " + p.Status,
		"Message-ID: <" + m.DedupeID + "@bosang>", "Content-Type: text/plain; charset=UTF-8", "",
		"청구 " + p.Number + "의 상태가 " + p.Status + "(으)로 바뀌었습니다.",
		"Claim " + p.Number + " is now " + p.Status + ".", s.baseURL + "/claims/" + p.ClaimID, "",
	}, "\r\n")
	return smtp.SendMail(s.addr, s.auth, s.from, []string{to}, []byte(body))
}
