package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/contact"
	"github.com/bosang/bosang/i18n"
	"github.com/bosang/bosang/offers"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/payout"
	"github.com/bosang/bosang/review"
	"github.com/bosang/bosang/stats"
)

// Deps is everything the HTTP layer needs, wired by cmd/bosang.
type Deps struct {
	Auth    *auth.Service
	Outages *outage.Service
	Claims  *claims.Service
	Audit   *audit.Service
	Review  *review.Service
	Payouts *payout.Service
	Stats   *stats.Service
	// Offers answers a person's proactive offers (issue 14).
	Offers  *offers.Service
	Catalog *i18n.Catalog
	// BaseURL is the portal's public address, used in notice drafts.
	BaseURL string
	// Ready reports nil when the database answers and is migrated.
	Ready   func(ctx context.Context) error
	Logger  *slog.Logger
	CSRFKey []byte
	// CSRFPreviousKeys still validate form tokens during a key rotation.
	CSRFPreviousKeys [][]byte
	SecureCookies    bool
	RefreshTTL       time.Duration
	// MaxBodyBytes caps JSON and form bodies; 1 MiB when zero.
	MaxBodyBytes int64
	// MaxUploadBytes caps file upload requests; 11 MiB (a 10 MiB file and
	// its form) when zero.
	MaxUploadBytes int64
	// MaxInFlight is how many expensive requests (claim filing, uploads,
	// decisions, logins) run at once; the rest wait in arrival order, so
	// that a surge queues here in order and not in the database pool
	// (filings past the first wait for their group's writer without a
	// connection); 10 when zero.
	// AdmissionWait is how long one waits for a slot before a 503; 2 s when
	// zero.
	MaxInFlight   int
	AdmissionWait time.Duration
	// RequestTimeout bounds every request; 15 s when zero.
	RequestTimeout time.Duration
	// Registry receives the HTTP metrics; a fresh one when nil.
	Registry *prometheus.Registry
	// RateLimit limits each client's API requests; off when zero.
	RateLimit RateLimit
	// Now is the server's clock: the rate limits, the request durations in
	// the access log and the metrics, and the business time of the pages
	// that show one. Required: New returns an error without it, so the wall
	// clock is chosen where the program is put together.
	Now func() time.Time
	// HideMetrics leaves /metrics off this handler: it is then served on
	// a separate listener (BOSANG_METRICS_ADDR) or nowhere.
	HideMetrics bool

	// TrustedProxies are the peers (IP addresses or CIDR prefixes, as
	// BOSANG_TRUSTED_PROXIES) whose ClientIPHeader is believed; nil trusts
	// no one, and every client is the address it connects from.
	TrustedProxies []string
	// ClientIPHeader is the one header a trusted proxy names the client
	// in; defaultClientIPHeader when empty. See clientIP.
	ClientIPHeader string
	// Draining, when it reports true, makes /readyz answer 503 without
	// asking the database, so a load balancer stops sending new requests
	// while the process finishes the ones it has; nil never drains.
	Draining func() bool

	// Contacts proves a claimant's phone or e-mail with one-time codes.
	Contacts *contact.Service
	// APIKeys issues and checks partner API keys; without it a partner
	// key authenticates nothing.
	APIKeys *auth.APIKeys
	// PartnerRateLimit limits each partner key's requests, beside the
	// per-address limit; DefaultPartnerRateLimit when zero.
	PartnerRateLimit RateLimit
}

type server struct {
	auth    *auth.Service
	outages *outage.Service
	claims  *claims.Service
	audit   *audit.Service
	review  *review.Service
	payouts *payout.Service
	stats   *stats.Service
	offers  *offers.Service
	baseURL string
	catalog *i18n.Catalog
	ready   func(context.Context) error
	log     *slog.Logger
	csrfKey []byte
	// csrfPrevious are the form-token keys before a rotation, still accepted.
	csrfPrevious [][]byte
	secure       bool
	refreshTTL   time.Duration
	pages        *pages
	// now is the clock of what pages say about time (filing windows).
	now func() time.Time
	// draining reports that the process is shutting down (Deps.Draining).
	draining func() bool

	// contacts and apiKeys: one-time codes and partner keys; partners
	// limits each partner key's rate.
	contacts *contact.Service
	apiKeys  *auth.APIKeys
	partners *clientLimiter
}

// New builds the router: middleware, the JSON API under /api/v1, the pages,
// static assets and the operational endpoints. It fails when a page
// template is missing or broken, or Deps.Now is nil.
func New(d Deps) (http.Handler, error) {
	gin.SetMode(gin.ReleaseMode)
	pg, err := loadPages()
	if err != nil {
		return nil, err
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.MaxBodyBytes == 0 {
		d.MaxBodyBytes = 1 << 20
	}
	if d.MaxUploadBytes == 0 {
		d.MaxUploadBytes = 11 << 20
	}
	if d.Registry == nil {
		d.Registry = prometheus.NewRegistry()
		d.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	s := &server{auth: d.Auth, outages: d.Outages, claims: d.Claims, review: d.Review, baseURL: d.BaseURL, catalog: d.Catalog, ready: d.Ready, log: d.Logger, csrfKey: d.CSRFKey, csrfPrevious: d.CSRFPreviousKeys,
		secure: d.SecureCookies, refreshTTL: d.RefreshTTL, pages: pg}
	s.audit = d.Audit
	s.payouts = d.Payouts
	s.stats = d.Stats
	s.contacts, s.apiKeys = d.Contacts, d.APIKeys
	s.offers = d.Offers

	r := gin.New()
	r.ContextWithFallback = true
	if err := trustProxies(r, d.TrustedProxies, d.ClientIPHeader); err != nil {
		return nil, err
	}
	s.draining = d.Draining
	if s.draining == nil {
		s.draining = func() bool { return false }
	}
	if d.Now == nil {
		return nil, errors.New("handlers: no clock (Deps.Now)")
	}
	m := newMetrics(d.Registry, d.Now)
	if d.MaxInFlight == 0 {
		d.MaxInFlight = 10
	}
	if d.AdmissionWait == 0 {
		d.AdmissionWait = 2 * time.Second
	}
	if d.RequestTimeout == 0 {
		d.RequestTimeout = 15 * time.Second
	}
	adm := newAdmission(d.MaxInFlight, d.AdmissionWait, d.Registry)
	cop, err := crossOriginProtection(d.BaseURL)
	if err != nil {
		return nil, err
	}
	s.now = d.Now
	limiter := newClientLimiter(d.RateLimit, d.Now, d.Registry)
	s.partners = newPartnerLimiter(d.PartnerRateLimit, d.Now, d.Registry)
	r.Use(withRequestID, m.observe, s.accessLog, gin.CustomRecovery(s.recovered), s.securityHeaders, s.crossOrigin(cop),
		s.rateLimit(limiter), withDeadline(d.RequestTimeout), adm.limit)
	r.NoRoute(func(c *gin.Context) { s.fail(c, errNoRoute) })
	assets, err := staticAssets()
	if err != nil {
		return nil, err
	}

	healthz := func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) }
	r.GET("/healthz", healthz)
	r.HEAD("/healthz", healthz) // load balancers and uptime monitors probe with HEAD
	r.GET("/readyz", s.readyz)
	r.HEAD("/readyz", s.readyz)
	if !d.HideMetrics {
		r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(d.Registry, promhttp.HandlerOpts{})))
	}
	r.GET("/static/*path", s.serveStatic(assets))
	r.HEAD("/static/*path", s.serveStatic(assets))

	s.apiRoutes(r.Group("/api/v1", s.limitBody(d.MaxBodyBytes, d.MaxUploadBytes), s.identify))
	s.pageRoutes(r.Group("/", s.limitBody(d.MaxBodyBytes, d.MaxUploadBytes), s.identify, s.checkCSRF))
	return r, nil
}

func (s *server) apiRoutes(g *gin.RouterGroup) {
	g.GET("/openapi.json", serveOpenAPI)
	g.POST("/auth/register", s.register)
	g.POST("/auth/login", s.login)
	g.POST("/auth/mfa", s.completeMFA)
	g.POST("/auth/refresh", s.refresh)
	g.POST("/auth/logout", s.requireUser, s.logout)
	g.POST("/auth/password/forgot", s.forgotPassword)
	g.POST("/auth/password/reset", s.resetPassword)
	g.GET("/me", s.requireUser, s.me)
	g.POST("/admin/users", s.requireUser, s.requireRole(), s.createUser)
	s.adminUserRoutes(g)
	s.outageRoutes(g)
	s.claimRoutes(g)
	s.auditRoutes(g)
	s.reviewRoutes(g)
	s.payoutRoutes(g)
	s.statsRoutes(g)
	s.verifyRoutes(g)
	s.apiKeyRoutes(g)
	s.offerAnswerRoutes(g)
	s.offerImportRoutes(g)
}

func (s *server) pageRoutes(g *gin.RouterGroup) {
	g.GET("/", s.homePage)
	g.GET("/register", s.registerPage)
	g.POST("/register", s.registerSubmit)
	g.GET("/login", s.loginPage)
	g.POST("/login", s.loginSubmit)
	g.POST("/login/mfa", s.mfaSubmit)
	g.POST("/logout", s.logoutSubmit)
	g.GET("/account", s.accountPage)
	g.GET("/lang/:lang", s.switchLang)
	s.outagePageRoutes(g)
	s.claimPageRoutes(g)
	s.statsPageRoutes(g)
	s.reviewPageRoutes(g)
	s.payoutPageRoutes(g)
	s.offerImportPageRoutes(g)
	s.auditPageRoutes(g)
	s.adminUserPageRoutes(g)
	s.passwordPageRoutes(g)
	s.subscriptionPageRoutes(g)
	s.adminPolicyPageRoutes(g)
	s.verifyPageRoutes(g)
	s.apiKeyPageRoutes(g)
	s.offerPageRoutes(g)
}

func (s *server) readyz(c *gin.Context) {
	if s.draining() {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "draining"})
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := s.ready(ctx); err != nil {
		s.log.WarnContext(ctx, "not ready", "err", err)
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "not ready"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

func (s *server) recovered(c *gin.Context, v any) {
	s.log.ErrorContext(c.Request.Context(), "panic", "request_id", requestID(c), "panic", v)
	s.fail(c, errPanic)
}

// lang is the language of this request: the lang cookie, else
// Accept-Language, else Korean.
func (s *server) lang(c *gin.Context) string {
	choice, _ := c.Cookie("lang")
	return i18n.Negotiate(choice, c.GetHeader("Accept-Language"))
}

// isAPI reports whether the request is for the JSON API.
func isAPI(c *gin.Context) bool { return strings.HasPrefix(c.Request.URL.Path, "/api/") }
