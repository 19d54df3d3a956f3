package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"golang.org/x/text/encoding/korean"

	"github.com/bosang/bosang/contact"
	"github.com/bosang/bosang/estimate"
	"github.com/bosang/bosang/i18n"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/offers"
)

// Texter sends one text message: an SMS, or an LMS titled title when the
// text is longer. *SMSSender is one.
type Texter interface {
	SendSMS(ctx context.Context, phone, title, text string) error
}

// Mailer sends one plain-text e-mail to an address. *SMTPSender is one.
type Mailer interface {
	SendText(ctx context.Context, to, subject, body, dedupeID string) error
}

// CodeOpener reads a one-time code message; contact.Service's OpenMessage
// is one.
type CodeOpener func(models.OutboxMessage) (contact.Code, error)

// AddressedSender delivers the messages whose address is sealed in their
// payload rather than named by an account: offer announcements
// (offers.TopicSMS, offers.TopicEmail) and one-time codes
// (contact.TopicSMS, contact.TopicEmail). SMS go through SMS and mail
// through Mail; either nil writes the text to Log instead (never the
// address). A failure the provider says will repeat (a number no SMS
// reaches, a refused request, an address the mail library refuses) is a
// PermanentError, so the job stops at once and the row shows dead with
// the reason.
type AddressedSender struct {
	SMS  Texter
	Mail Mailer
	Log  *slog.Logger
	// BaseURL starts the offer links.
	BaseURL string
	// Sealer opens offer announcements; OpenCode, one-time codes.
	Sealer   offers.Sealer
	OpenCode CodeOpener
}

// Topics are the topics AddressedSender delivers, for the runner's routes.
func (AddressedSender) Topics() []string {
	return []string{offers.TopicSMS, offers.TopicEmail, contact.TopicSMS, contact.TopicEmail}
}

// outgoing is one message ready to go: by SMS (title for an LMS) or mail.
type outgoing struct {
	sms                  bool
	to, title, text, sub string
}

// Send writes m's text and sends it. A payload that cannot be opened is an
// error (retried, then dead: a key may be missing on this instance).
func (s AddressedSender) Send(ctx context.Context, m models.OutboxMessage) error {
	out, err := s.compose(m)
	if err != nil {
		return err
	}
	if out.sms {
		if s.SMS == nil {
			s.Log.InfoContext(ctx, "notification", "topic", m.Topic, "dedupe_id", m.DedupeID, "title", out.title, "text", out.text)
			return nil
		}
		if err := s.SMS.SendSMS(ctx, out.to, out.title, out.text); err != nil {
			if !SMSRetryable(err) {
				return Permanent(err)
			}
			return err
		}
		return nil
	}
	if s.Mail == nil {
		s.Log.InfoContext(ctx, "notification", "topic", m.Topic, "dedupe_id", m.DedupeID, "subject", out.sub, "text", out.text)
		return nil
	}
	if err := s.Mail.SendText(ctx, out.to, out.sub, out.text, m.DedupeID); err != nil {
		if errors.Is(err, ErrNoRecipient) {
			return Permanent(err)
		}
		return err
	}
	return nil
}

func (s AddressedSender) compose(m models.OutboxMessage) (outgoing, error) {
	switch m.Topic {
	case offers.TopicSMS, offers.TopicEmail:
		if s.Sealer == nil {
			return outgoing{}, fmt.Errorf("offer message %s: no way to open it", m.ID)
		}
		msg, err := offers.OpenMessage(s.Sealer, m)
		if err != nil {
			return outgoing{}, err
		}
		if m.Topic == offers.TopicSMS {
			title, text, err := OfferSMS(msg, s.BaseURL)
			return outgoing{sms: true, to: msg.To, title: title, text: text}, err
		}
		sub, body, err := OfferMail(msg, s.BaseURL)
		return outgoing{to: msg.To, sub: sub, text: body}, err
	case contact.TopicSMS, contact.TopicEmail:
		if s.OpenCode == nil {
			return outgoing{}, fmt.Errorf("code message %s: no way to open it", m.ID)
		}
		c, err := s.OpenCode(m)
		if err != nil {
			return outgoing{}, err
		}
		if m.Topic == contact.TopicSMS {
			text, err := CodeSMS(c)
			return outgoing{sms: true, to: c.To, text: text}, err
		}
		sub, body, err := CodeMail(c)
		return outgoing{to: c.To, sub: sub, text: body}, err
	}
	return outgoing{}, fmt.Errorf("outbox message %s: topic %q is not an addressed message", m.ID, m.Topic)
}

// PermanentError is a send that would fail the same way if tried again.
// The jobs package asks a failure for Permanent and, when true, stops
// retrying and marks the message dead with the reason.
type PermanentError struct{ Err error }

// Permanent wraps err as a PermanentError; nil stays nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &PermanentError{Err: err}
}

// Error is the wrapped error's text.
func (e *PermanentError) Error() string { return e.Err.Error() }

// Unwrap returns the wrapped error.
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent reports that retrying is useless.
func (e *PermanentError) Permanent() bool { return true }

// tag is the subject's leading "[보상] ": the service's name in ko's
// language, whatever languages follow.
func tag(ko *i18n.Localizer) string { return "[" + ko.T("app.name") + "] " }

// offerLink is the address of an offer's page.
func offerLink(baseURL, token string) string { return baseURL + "/offers/" + url.PathEscape(token) }

// offerWhat says what an offer gives in l's language: the amount (in
// won, "7,550원" for SMS, which cannot carry ₩), the extension, the
// in-kind item, joined by " + ".
func offerWhat(l *i18n.Localizer, msg offers.Message, lang string, sms bool) string {
	var parts []string
	if msg.AmountKRW > 0 {
		if sms {
			parts = append(parts, l.T("notify.sms_won", map[string]any{"Amount": strings.TrimPrefix(estimate.FormatKRW(msg.AmountKRW), "₩")}))
		} else {
			parts = append(parts, estimate.FormatKRW(msg.AmountKRW))
		}
	}
	if msg.ExtensionDays > 0 {
		parts = append(parts, l.T("notify.offer.what.extension", map[string]any{"Days": msg.ExtensionDays}))
	}
	item := msg.InKind
	if lang == "en" && msg.InKindEN != "" {
		item = msg.InKindEN
	}
	if item != "" {
		parts = append(parts, item)
	}
	return strings.Join(parts, " + ")
}

// offerKind is the wording of an offer: granted without any action, or
// offered for an answer.
func offerKind(msg offers.Message) string {
	if msg.Status == offers.Granted {
		return "granted"
	}
	return "offered"
}

// OfferSMS writes the text of an offers.TopicSMS message, in Korean: the
// provider's name, what is offered (the amount in won) and the link
// {baseURL}/offers/{token}; and the LMS title used when the text is over
// 90 EUC-KR bytes (SMSSender decides). Characters EUC-KR cannot carry are
// replaced, so that a provider's name cannot make the text unsendable.
func OfferSMS(msg offers.Message, baseURL string) (title, text string, err error) {
	cat, err := catalog()
	if err != nil {
		return "", "", err
	}
	ko := cat.For("ko")
	args := map[string]any{"Provider": msg.Provider, "What": offerWhat(ko, msg, "ko", true), "URL": offerLink(baseURL, msg.Token)}
	text = smsSafe(ko.T("notify.offer.sms."+offerKind(msg), args))
	title = smsSafe(ko.T("notify.offer.sms_title", args))
	if eucKRBytes(title) > LMSTitleMaxBytes {
		title = ko.T("notify.offer.sms_title_short")
	}
	return title, text, nil
}

// OfferMail writes the e-mail of an offers.TopicEmail message, in Korean
// then English: the provider, the service and what is offered or granted;
// the link to the offer's page with the steps of its pricing; for an offer
// awaiting an answer, until when it stands; that only a verified account
// sees it.
func OfferMail(msg offers.Message, baseURL string) (subject, body string, err error) {
	cat, err := catalog()
	if err != nil {
		return "", "", err
	}
	kind := offerKind(msg)
	link := offerLink(baseURL, msg.Token)
	var lines, subjects []string
	for _, lang := range []string{"ko", "en"} {
		l := cat.For(lang)
		service := msg.Service
		if lang == "en" && msg.ServiceEN != "" {
			service = msg.ServiceEN
		}
		args := map[string]any{"Provider": msg.Provider, "Service": service, "What": offerWhat(l, msg, lang, false),
			"Until": msg.ExpiresAt.In(kst).Format("2006-01-02 15:04 MST")}
		subjects = append(subjects, l.T("notify.offer.subject."+kind, args))
		lines = append(lines, l.T("notify.offer.body."+kind, args), l.T("notify.offer.steps."+kind), link)
		if kind == "offered" {
			lines = append(lines, l.T("notify.offer.until", args))
		}
		lines = append(lines, l.T("notify.offer.identity"), l.T("notify.offer.not_you"), "")
	}
	return tag(cat.For("ko")) + strings.Join(subjects, " / "), strings.Join(lines, "\r\n"), nil
}

// CodeSMS writes the SMS of a contact.TopicSMS message: the code and how
// long it works, in Korean (well under 90 bytes).
func CodeSMS(c contact.Code) (string, error) {
	cat, err := catalog()
	if err != nil {
		return "", err
	}
	return cat.For("ko").T("notify.verify.sms", map[string]any{"Code": c.Code, "Minutes": int(contact.CodeTTL.Minutes())}), nil
}

// CodeMail writes the e-mail of a contact.TopicEmail message, in Korean
// then English: the code, how long it works, and to ignore it if they
// did not ask.
func CodeMail(c contact.Code) (subject, body string, err error) {
	cat, err := catalog()
	if err != nil {
		return "", "", err
	}
	ko, en := cat.For("ko"), cat.For("en")
	args := map[string]any{"Code": c.Code, "Minutes": int(contact.CodeTTL.Minutes())}
	var lines []string
	for _, l := range []*i18n.Localizer{ko, en} {
		lines = append(lines, l.T("notify.verify.body", args), l.T("notify.verify.not_you"), "")
	}
	return tag(ko) + ko.T("notify.verify.subject") + " / " + en.T("notify.verify.subject"), strings.Join(lines, "\r\n"), nil
}

// smsSafe replaces what EUC-KR cannot carry: the won sign by its
// full-width form, anything else by "?".
func smsSafe(s string) string {
	s = strings.ReplaceAll(s, "₩", "￦")
	enc := korean.EUCKR.NewEncoder()
	var b strings.Builder
	for _, r := range s {
		if _, err := enc.String(string(r)); err != nil {
			b.WriteRune('?')
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// eucKRBytes is the length of s in EUC-KR; s must be smsSafe.
func eucKRBytes(s string) int {
	n, _ := eucKRLen("text", s)
	return n
}
