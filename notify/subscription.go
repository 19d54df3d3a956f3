package notify

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/bosang/bosang/i18n"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
)

// SubscriptionOpener reads an outage subscription message: the address,
// the link's token (sealed in the outbox) and the outage it is about.
// outage.Service's OpenMail is one.
type SubscriptionOpener func(ctx context.Context, m models.OutboxMessage) (outage.SubscriptionMail, error)

// SubscriptionText writes the message of an outage.TopicSubscribeConfirm
// or outage.TopicUpdate outbox message, in Korean then English: the
// outage's service and summary; for a confirmation, the link to confirm
// (nothing is sent until then); for an update, its text and the link to
// unsubscribe. The mail goes to the subscribed address (Email). A nil open
// or a payload it cannot read is an error.
func SubscriptionText(ctx context.Context, m models.OutboxMessage, baseURL string, open SubscriptionOpener) (AccountMail, string, error) {
	if open == nil {
		return AccountMail{}, "", fmt.Errorf("subscription message %s: no way to open it", m.ID)
	}
	sm, err := open(ctx, m)
	if err != nil {
		return AccountMail{}, "", err
	}
	cat, err := catalog()
	if err != nil {
		return AccountMail{}, "", err
	}
	ko, en := cat.For("ko"), cat.For("en")
	link := baseURL + "/subscriptions?token=" + url.QueryEscape(sm.Token)
	nameEN := sm.ServiceNameEN
	if nameEN == "" {
		nameEN = sm.ServiceName
	}
	kind := "update"
	if m.Topic == outage.TopicSubscribeConfirm {
		kind = "confirm"
	}
	var lines []string
	for i, l := range []*i18n.Localizer{ko, en} {
		name := sm.ServiceName
		if i == 1 {
			name = nameEN
		}
		args := map[string]any{"Service": name, "URL": link}
		lines = append(lines, l.T("notify.outage_sub."+kind+".body", args), sm.Summary)
		if kind == "update" {
			lines = append(lines, "", sm.UpdateBody, "", l.T("notify.outage_sub.unsubscribe", args), link, "")
		} else {
			lines = append(lines, l.T("notify.outage_sub.confirm.link", args), link, l.T("notify.outage_sub.confirm.not_you"), "")
		}
	}
	subject := tag(ko) + sm.ServiceName + " " + ko.T("notify.outage_sub."+kind+".subject") + " / " + nameEN + " " + en.T("notify.outage_sub."+kind+".subject")
	return AccountMail{Subject: subject, Body: strings.Join(lines, "\r\n")}, sm.Email, nil
}
