package handlers

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/semaphore"

	"github.com/bosang/bosang/apperr"
)

// admission bounds how many expensive requests run at once, and makes the
// rest wait their turn in arrival order. Beyond capacity a request waits at
// most maxWait for a slot and is then refused with 503 and Retry-After,
// instead of queueing into time-outs: under a surge the admitted requests
// stay within a known time, and clients know when to come back.
//
// The queue is first come, first served. Kept below the database pool, it
// is where a surge waits: database/sql hands a freed connection to a random
// waiter, so a request queued there could be passed over again and again,
// and a few claimants would wait many times as long as the rest.
type admission struct {
	slots    *semaphore.Weighted // FIFO: a freed slot goes to the longest waiter
	maxWait  time.Duration
	inFlight atomic.Int64
	waiting  atomic.Int64
	rejected prometheus.Counter
}

func newAdmission(capacity int, maxWait time.Duration, reg prometheus.Registerer) *admission {
	a := &admission{slots: semaphore.NewWeighted(int64(capacity)), maxWait: maxWait,
		rejected: prometheus.NewCounter(prometheus.CounterOpts{Name: "bosang_admission_rejected_total",
			Help: "Expensive requests refused with 503 because the server was at capacity."})}
	reg.MustRegister(a.rejected, prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "bosang_admission_in_flight",
		Help: "Expensive requests running now."}, func() float64 { return float64(a.inFlight.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "bosang_admission_waiting",
			Help: "Expensive requests waiting for a slot now, served in arrival order."}, func() float64 { return float64(a.waiting.Load()) }))
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
	if err := a.acquire(c.Request.Context()); err != nil {
		if errors.Is(c.Request.Context().Err(), context.Canceled) {
			c.Abort() // the client has gone: nobody to answer
			return
		}
		a.refuse(c)
		return
	}
	a.inFlight.Add(1)
	defer func() {
		a.inFlight.Add(-1)
		a.slots.Release(1)
	}()
	c.Next()
}

// acquire takes a slot, waiting in line for at most maxWait.
func (a *admission) acquire(ctx context.Context) error {
	if a.slots.TryAcquire(1) {
		return nil
	}
	a.waiting.Add(1)
	defer a.waiting.Add(-1)
	ctx, cancel := context.WithTimeout(ctx, a.maxWait)
	defer cancel()
	return a.slots.Acquire(ctx, 1)
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
