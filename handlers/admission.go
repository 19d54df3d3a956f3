package handlers

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/bosang/bosang/apperr"
)

// admission bounds how many expensive requests run at once. Beyond capacity
// a request waits at most maxWait for a slot and is then refused at once with
// 503 and Retry-After, instead of queueing into time-outs: under a surge the
// requests that are admitted stay fast, and clients know when to come back.
type admission struct {
	slots    chan struct{}
	maxWait  time.Duration
	rejected prometheus.Counter
}

func newAdmission(capacity int, maxWait time.Duration, reg prometheus.Registerer) *admission {
	a := &admission{slots: make(chan struct{}, capacity), maxWait: maxWait,
		rejected: prometheus.NewCounter(prometheus.CounterOpts{Name: "bosang_admission_rejected_total",
			Help: "Expensive requests refused with 503 because the server was at capacity."})}
	reg.MustRegister(a.rejected, prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "bosang_admission_in_flight",
		Help: "Expensive requests running now."}, func() float64 { return float64(len(a.slots)) }))
	return a
}

// expensiveRoutes are admitted through the limiter: the writes that take a
// transaction, a password hash or a file.
var expensiveRoutes = map[string]bool{
	"POST /api/v1/claims": true, "POST /api/v1/claims/:id/evidence": true, "POST /api/v1/claims/:id/decisions": true,
	"POST /api/v1/auth/login": true, "POST /api/v1/auth/register": true, "POST /api/v1/review/next": true,
	"POST /claims/new": true, "POST /login": true, "POST /register": true,
	"POST /api/v1/auth/password/reset": true, "POST /password/reset": true,
}

func (a *admission) limit(c *gin.Context) {
	if !expensiveRoutes[c.Request.Method+" "+c.FullPath()] {
		c.Next()
		return
	}
	timer := time.NewTimer(a.maxWait)
	defer timer.Stop()
	select {
	case a.slots <- struct{}{}:
	case <-timer.C:
		a.refuse(c)
		return
	case <-c.Request.Context().Done():
		c.Abort()
		return
	}
	defer func() { <-a.slots }()
	c.Next()
}

func (a *admission) refuse(c *gin.Context) {
	a.rejected.Inc()
	c.Header("Retry-After", strconv.Itoa(1))
	// Refused before the language is negotiated: the message says it in
	// both languages.
	busy := apperr.M("handlers.api.busy")
	c.AbortWithStatusJSON(http.StatusServiceUnavailable, errorBody{Error: errorDetail{Code: "unavailable",
		Message: busy.In("ko") + " / " + busy.In("en")}})
}

// longRoutes move or stream whole payout batches, which may hold a million
// claims: they get ten times the ordinary deadline.
var longRoutes = map[string]bool{
	"POST /api/v1/payouts/batches": true, "GET /api/v1/payouts/batches/:id/export.csv": true,
	"GET /api/v1/payouts/batches/:id/export.xlsx": true, "POST /payouts": true, "GET /payouts/:id/export": true,
}

// withDeadline bounds every request so that nothing hangs when a dependency
// does: the database calls see the deadline through the request context.
func withDeadline(d time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		d := d
		if longRoutes[c.Request.Method+" "+c.FullPath()] {
			d *= 10
		}
		ctx, cancel := context.WithTimeout(c.Request.Context(), d)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}
