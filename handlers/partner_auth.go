package handlers

import (
	"fmt"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/models"
)

// partnerKey is the gin context key of the partner a request speaks for.
const partnerKey = "partner"

// partnerRole is the actor role of partner requests in the audit trail.
const partnerRole = "partner"

// partner is the caller when a request carries a partner API key.
type partner struct {
	keyID, providerID string
}

// DefaultPartnerRateLimit is each partner key's limit when Deps sets
// none: 20 requests a second with bursts of 40, for at most 1,000 keys.
var DefaultPartnerRateLimit = RateLimit{PerSecond: 20, Burst: 40, Clients: 1000}

// newPartnerLimiter returns the per-key buckets of rl (the default when
// zero), with its own refusal counter.
func newPartnerLimiter(rl RateLimit, now func() time.Time, reg prometheus.Registerer) *clientLimiter {
	if rl == (RateLimit{}) {
		rl = DefaultPartnerRateLimit
	}
	rejected := prometheus.NewCounter(prometheus.CounterOpts{Name: "bosang_partner_rate_limited_total",
		Help: "Partner API requests refused with 429 because their key was over its rate limit."})
	reg.MustRegister(rejected)
	return newBuckets(rl, now, rejected)
}

// identifyPartner authenticates a partner API key (Authorization: Bearer
// bsk_...): unknown or revoked is 401, a key over its rate is 429 with
// Retry-After. The request then speaks for the key (partnerOf) and, in
// the audit trail, for the key's id with the role "partner"; every
// partner request is logged with its key and provider once answered.
func (s *server) identifyPartner(c *gin.Context, token string) {
	if s.apiKeys == nil {
		s.fail(c, fmt.Errorf("partner keys are not served here: %w", apperr.ErrUnauthenticated))
		return
	}
	ctx := c.Request.Context()
	k, err := s.apiKeys.Authenticate(ctx, token)
	if err != nil {
		s.fail(c, err)
		return
	}
	if s.partners != nil {
		if d := s.partners.wait(k.ID); d > 0 {
			s.partners.rejected.Inc()
			s.fail(c, &apperr.RateLimited{RetryAfterSeconds: int((d + time.Second - 1) / time.Second)})
			return
		}
	}
	c.Set(partnerKey, partner{keyID: k.ID, providerID: k.ProviderID})
	ctx = audit.WithActor(ctx, audit.Actor{ID: k.ID, Role: partnerRole, IP: clientIP(c)})
	c.Request = c.Request.WithContext(ctx)
	c.Next()
	s.log.InfoContext(ctx, "partner_request", "api_key_id", k.ID, "provider_id", k.ProviderID, "ip", clientIP(c),
		"method", c.Request.Method, "route", c.FullPath(), "status", c.Writer.Status(), "request_id", requestID(c))
}

// partnerOf returns the partner API key a request authenticated with and
// the provider it is scoped to; ok is false for anyone else.
func partnerOf(c *gin.Context) (keyID, providerID string, ok bool) {
	v, found := c.Get(partnerKey)
	if !found {
		return "", "", false
	}
	p := v.(partner)
	return p.keyID, p.providerID, true
}

// staffOrPartner lets through a staff member holding one of roles (admins
// always) or a partner key; anyone else is refused (401 without
// credentials, 403 for the wrong role). Whether the key's provider may
// touch the resource is for the domain to decide, with the provider from
// partnerOf.
func (s *server) staffOrPartner(roles ...models.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if _, _, ok := partnerOf(c); ok {
			c.Next()
			return
		}
		if err := auth.Require(currentUser(c), roles...); err != nil {
			s.fail(c, err)
			return
		}
		c.Next()
	}
}
