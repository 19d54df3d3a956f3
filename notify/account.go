package notify

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/i18n"
	"github.com/bosang/bosang/models"
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
	subject := "[보상] " + ko.T("notify.signup_existing.subject") + " / " + en.T("notify.signup_existing.subject")
	return AccountMail{UserID: p.UserID, Subject: subject, Body: strings.Join(lines, "\r\n")}, nil
}

// letter is a message to one user, whatever its topic.
type letter struct {
	to, subject, body string
	about             string // for errors
}

// compose writes the message of m for its recipient: an account message,
// or else a claim's status or estimate message.
func compose(m models.OutboxMessage, baseURL string) (letter, error) {
	if m.Topic == auth.TopicSignupExisting {
		a, err := AccountText(m, baseURL)
		return letter{to: a.UserID, subject: a.Subject, body: a.Body, about: "account " + a.UserID}, err
	}
	st, err := StatusText(m, baseURL)
	return letter{to: st.Payload.ClaimantID, subject: st.Subject, body: st.Body, about: "claim " + st.Payload.Number}, err
}
