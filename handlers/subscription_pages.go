package handlers

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

func init() { pageNames = append(pageNames, "subscription") }

// subscriptionPageRoutes registers per-outage e-mail subscription pages.
// The link's token travels in the query (GET) or the form (POST), never
// the path, which the request log records.
func (s *server) subscriptionPageRoutes(g *gin.RouterGroup) {
	g.POST("/outages/:id/subscribe", s.subscribeSubmit)
	g.GET("/subscriptions", s.subscriptionPage)
	g.POST("/subscriptions/confirm", s.subscriptionSubmit(true))
	g.POST("/subscriptions/unsubscribe", s.subscriptionSubmit(false))
}

// subscribeSubmit asks for e-mail about an outage; the outage page answers
// alike whether the address was new or subscribed already.
func (s *server) subscribeSubmit(c *gin.Context) {
	v := s.view(c, "outage.title")
	v.Form["subscribe.email"] = strings.TrimSpace(c.PostForm("subscribe-email"))
	if err := s.outages.Subscribe(c.Request.Context(), c.Param("id"), v.Form["subscribe.email"]); err != nil {
		errs, ok := inputErrors(err, v.Lang)
		if !ok {
			s.fail(c, err)
			return
		}
		for k, e := range errs {
			v.Errors["subscribe."+k] = e
		}
		s.renderOutage(c, v, classify(err).status)
		return
	}
	v.Form["subscribe.sent"] = "1"
	v.Form["subscribe.email"] = ""
	s.renderOutage(c, v, http.StatusOK)
}

type subscriptionData struct {
	Token, About, Summary, OutageID string
	Confirmed, Unsubscribed, Done   bool
	Action                          string
}

// subscriptionPage shows a link's subscription with its buttons; it
// changes nothing. An unknown token is a plain not-found page.
func (s *server) subscriptionPage(c *gin.Context) {
	s.renderSubscription(c, c.Query("token"), "")
}

// subscriptionSubmit confirms (confirm) or ends the subscription of the
// posted token and shows it again.
func (s *server) subscriptionSubmit(confirm bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		token := c.PostForm("token")
		act, action := s.outages.Unsubscribe, "unsubscribed"
		if confirm {
			act, action = s.outages.ConfirmSubscription, "confirmed"
		}
		if err := act(c.Request.Context(), token); err != nil {
			s.fail(c, err)
			return
		}
		s.renderSubscription(c, token, action)
	}
}

func (s *server) renderSubscription(c *gin.Context, token, action string) {
	v := s.view(c, "subscription.title")
	sub, err := s.outages.SubscriptionByToken(c.Request.Context(), token)
	if err != nil {
		s.fail(c, err)
		return
	}
	o := sub.Outage
	v.Data = subscriptionData{Token: token, About: v.L.T("subscription.about", map[string]any{"Service": localName(v.Lang, o.Service.Name, o.Service.NameEN)}), Summary: o.Summary,
		OutageID: o.ID, Confirmed: sub.Sub.ConfirmedAt != nil, Unsubscribed: sub.Sub.UnsubscribedAt != nil, Action: action}
	s.render(c, http.StatusOK, "subscription", v)
}
