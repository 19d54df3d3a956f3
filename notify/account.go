package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/i18n"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
)

// AccountMail is a message to an account's owner about the account.
type AccountMail struct {
	UserID  string
	Subject string
	// Body is plain text, Korean then English.
	Body string
}

// kst is the zone the times in messages are written in.
var kst = time.FixedZone("KST", 9*60*60)

// AccountText writes the message of an auth.TopicSignupExisting outbox
// message: someone tried to sign up with the owner's address at the time
// the payload gives, and no account was made; log in (at baseURL's login
// page) if it was you, ignore this otherwise. It names neither the address
// nor anything else personal, so the log may carry it. A payload that does
// not decode or names no user is an error.
func AccountText(m models.OutboxMessage, baseURL string) (AccountMail, error) {
	var p auth.SignupExisting
	if err := json.Unmarshal([]byte(m.Payload), &p); err != nil || p.UserID == "" {
		return AccountMail{}, fmt.Errorf("account message %s: payload %q names no user", m.ID, m.Payload)
	}
	cat, err := catalog()
	if err != nil {
		return AccountMail{}, err
	}
	ko, en := cat.For("ko"), cat.For("en")
	args := map[string]any{"At": p.At.In(kst).Format("2006-01-02 15:04 MST"), "URL": baseURL + "/login"}
	var lines []string
	for _, l := range []*i18n.Localizer{ko, en} {
		lines = append(lines, l.T("notify.signup_existing.body", args), l.T("notify.signup_existing.you", args),
			l.T("notify.signup_existing.not_you"), "")
	}
	subject := tag(ko) + ko.T("notify.signup_existing.subject") + " / " + en.T("notify.signup_existing.subject")
	return AccountMail{UserID: p.UserID, Subject: subject, Body: strings.Join(lines, "\r\n")}, nil
}

// letter is a message to one user, whatever its topic.
type letter struct {
	to, subject, body string
	// address, when set, is where the letter goes (to names no user).
	address string
	// staff, when set, are the roles whose enabled accounts the letter
	// goes to (to names no user).
	staff []models.Role
	about string // for errors
}

// ResetOpener reads a password reset message: its recipient, the link's
// token (sealed in the outbox) and expiry. auth.Service's
// OpenPasswordResetMessage is one.
type ResetOpener func(models.OutboxMessage) (auth.PasswordResetMail, error)

// PasswordResetText writes the message of an auth.TopicPasswordReset
// outbox message, in Korean then English: the link to set a new password
// (at baseURL), that it works once until the time given, and to ignore
// the message if they did not ask. A nil open or a payload it cannot
// read is an error.
func PasswordResetText(m models.OutboxMessage, baseURL string, open ResetOpener) (AccountMail, error) {
	if open == nil {
		return AccountMail{}, fmt.Errorf("password reset message %s: no way to open its token", m.ID)
	}
	r, err := open(m)
	if err != nil {
		return AccountMail{}, err
	}
	cat, err := catalog()
	if err != nil {
		return AccountMail{}, err
	}
	ko, en := cat.For("ko"), cat.For("en")
	args := map[string]any{"Until": r.ExpiresAt.In(kst).Format("2006-01-02 15:04 MST"),
		"URL": baseURL + "/password/reset?token=" + url.QueryEscape(r.Token), "Minutes": int(auth.PasswordResetTTL.Minutes())}
	var lines []string
	for _, l := range []*i18n.Localizer{ko, en} {
		lines = append(lines, l.T("notify.password_reset.body", args), args["URL"].(string), l.T("notify.password_reset.once", args),
			l.T("notify.password_reset.not_you"), "")
	}
	subject := tag(ko) + ko.T("notify.password_reset.subject") + " / " + en.T("notify.password_reset.subject")
	return AccountMail{UserID: r.UserID, Subject: subject, Body: strings.Join(lines, "\r\n")}, nil
}

// compose writes the message of m for its recipient: an account message,
// an outage subscription message, an overdue notice alert to the staff, or
// else a claim's status, estimate or supplement reminder message. open
// reads password reset messages.
func compose(ctx context.Context, m models.OutboxMessage, baseURL string, open ResetOpener, openSub SubscriptionOpener) (letter, error) {
	if m.Topic == outage.TopicSubscribeConfirm || m.Topic == outage.TopicUpdate {
		a, addr, err := SubscriptionText(ctx, m, baseURL, openSub)
		return letter{address: addr, subject: a.Subject, body: a.Body, about: "outage subscription " + m.DedupeID}, err
	}
	if m.Topic == outage.TopicNoticeOverdue {
		a, err := NoticeOverdueText(m, baseURL)
		return letter{staff: a.Roles, subject: a.Subject, body: a.Body, about: "overdue notice alert " + m.DedupeID}, err
	}
	if m.Topic == auth.TopicPasswordReset {
		a, err := PasswordResetText(m, baseURL, open)
		return letter{to: a.UserID, subject: a.Subject, body: a.Body, about: "password reset " + m.ID}, err
	}
	if m.Topic == auth.TopicSignupExisting {
		a, err := AccountText(m, baseURL)
		return letter{to: a.UserID, subject: a.Subject, body: a.Body, about: "account " + a.UserID}, err
	}
	st, err := StatusText(m, baseURL)
	return letter{to: st.Payload.ClaimantID, subject: st.Subject, body: st.Body, about: "claim " + st.Payload.Number}, err
}
