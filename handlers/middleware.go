package handlers

import (
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/bosang/bosang/records"
)

const requestIDKey = "request_id"

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// withRequestID takes a sane X-Request-ID from the client or makes one, and
// echoes it on the response.
func withRequestID(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if !requestIDPattern.MatchString(id) {
		id = uuid.NewString()
	}
	c.Set(requestIDKey, id)
	c.Header("X-Request-ID", id)
	c.Next()
}

func requestID(c *gin.Context) string { return c.GetString(requestIDKey) }

// accessLog writes one structured line per request. It logs the route
// pattern and path, never the query string, headers or body, where tokens,
// passwords and account numbers travel.
func (s *server) accessLog(c *gin.Context) {
	start := s.now()
	c.Next()
	path := c.Request.URL.Path
	if c.FullPath() == offerLinkRoute { // the path is the offer's link token
		path = offerLinkRoute
	}
	s.log.InfoContext(c.Request.Context(), "http",
		"request_id", requestID(c), "method", c.Request.Method, "route", c.FullPath(),
		"path", path, "status", c.Writer.Status(),
		"duration_ms", s.now().Sub(start).Milliseconds(), "bytes", c.Writer.Size())
}

// securityHeaders applies the browser protections to every response.
func (s *server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("Permissions-Policy", "camera=(self), geolocation=(), microphone=()")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if s.secure {
		h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
	c.Next()
}

// limitBody caps how much of a request body any handler can read: n, or
// upload for the routes that take files. A declared length over the cap is
// refused before anything is read; reading past it fails with
// *http.MaxBytesError. Both render as 413.
func (s *server) limitBody(n, upload int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		n := n
		if uploadRoutes[c.FullPath()] {
			n = upload
		}
		if c.FullPath() == accountUploadRoute {
			n = records.MaxAccountFileBytes
		}
		if c.Request.ContentLength > n {
			c.Header("Connection", "close")
			s.fail(c, &http.MaxBytesError{Limit: n}) // JSON under /api, the error page elsewhere
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		c.Next()
	}
}

// accountUploadRoute takes a provider's affected accounts: up to
// records.MaxAccountFileBytes (a million rows of CSV are about 100 MB).
const accountUploadRoute = "/api/v1/outages/:id/affected"

// uploadRoutes take multipart file uploads.
var uploadRoutes = map[string]bool{"/api/v1/claims/:id/evidence": true, "/claims/:id/evidence": true, "/claims/new": true,
	"/claims/:id/supplement": true, "/api/v1/claims/:id/appeal": true, "/claims/:id/appeal": true}

// metrics counts requests and observes latency by route pattern, so that ids
// in paths do not explode the label space.
type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	now      func() time.Time // the server's clock, which times each request
}

func newMetrics(reg prometheus.Registerer, now func() time.Time) *metrics {
	m := &metrics{now: now,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bosang_http_requests_total", Help: "HTTP requests by method, route and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "bosang_http_request_duration_seconds", Help: "HTTP request latency by method and route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

func (m *metrics) observe(c *gin.Context) {
	start := m.now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(c.Request.Method, route, strconv.Itoa(c.Writer.Status())).Inc()
	m.latency.WithLabelValues(c.Request.Method, route).Observe(m.now().Sub(start).Seconds())
}
