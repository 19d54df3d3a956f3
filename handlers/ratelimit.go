package handlers

import (
	"container/list"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/bosang/bosang/apperr"
)

// RateLimit is the per-client limit of the JSON API, beside the admission
// limit that sheds load when the whole server is busy: a token bucket per
// client address (an IPv4 address or an IPv6 /64) that refills PerSecond
// requests a second and holds Burst. A client over it gets 429 with
// Retry-After. At most Clients addresses are tracked: an address is
// forgotten once idle long enough for its bucket to be full again (when
// forgetting changes nothing), and when the table is full the least
// recently seen goes first, so memory stays bounded whatever the traffic.
// PerSecond 0 turns the limit off.
type RateLimit struct {
	PerSecond float64
	Burst     int
	Clients   int
}

// clientLimiter is RateLimit's table: buckets by address, in a list from
// most to least recently seen.
type clientLimiter struct {
	limit    rate.Limit
	burst    int
	max      int
	idle     time.Duration
	now      func() time.Time
	rejected prometheus.Counter

	mu     sync.Mutex
	byAddr map[string]*list.Element
	recent *list.List // of *clientBucket, most recent first
}

type clientBucket struct {
	addr string
	lim  *rate.Limiter
	seen time.Time
}

// newClientLimiter returns nil when rl turns limiting off.
func newClientLimiter(rl RateLimit, now func() time.Time, reg prometheus.Registerer) *clientLimiter {
	l := newBuckets(rl, now, prometheus.NewCounter(prometheus.CounterOpts{Name: "bosang_rate_limited_total",
		Help: "API requests refused with 429 because their client was over its rate limit."}))
	if l == nil {
		return nil
	}
	reg.MustRegister(l.rejected, prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "bosang_rate_limit_clients",
		Help: "Client addresses the API rate limit tracks now."}, func() float64 { return float64(l.tracked()) }))
	return l
}

// newBuckets returns the table of rl's buckets, whose refusals count in
// rejected; nil when rl turns limiting off. Any key may name a bucket: a
// client address, a partner's API key.
func newBuckets(rl RateLimit, now func() time.Time, rejected prometheus.Counter) *clientLimiter {
	if rl.PerSecond <= 0 {
		return nil
	}
	l := &clientLimiter{limit: rate.Limit(rl.PerSecond), burst: max(rl.Burst, 1), max: max(rl.Clients, 1), now: now,
		byAddr: map[string]*list.Element{}, recent: list.New(), rejected: rejected}
	l.idle = time.Duration(float64(l.burst) / rl.PerSecond * float64(time.Second))
	return l
}

// wait takes a token from addr's bucket and returns 0, or, when the bucket
// is empty, takes nothing and returns how long until a token is there.
func (l *clientLimiter) wait(addr string) time.Duration {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.forgetIdle(now)
	el, ok := l.byAddr[addr]
	if ok {
		l.recent.MoveToFront(el)
	} else {
		if l.recent.Len() >= l.max {
			l.forget(l.recent.Back())
		}
		el = l.recent.PushFront(&clientBucket{addr: addr, lim: rate.NewLimiter(l.limit, l.burst)})
		l.byAddr[addr] = el
	}
	b := el.Value.(*clientBucket)
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d
	}
	return 0
}

// forgetIdle drops the buckets, least recent first, that have been idle
// long enough to be full again.
func (l *clientLimiter) forgetIdle(now time.Time) {
	for el := l.recent.Back(); el != nil && now.Sub(el.Value.(*clientBucket).seen) >= l.idle; el = l.recent.Back() {
		l.forget(el)
	}
}

func (l *clientLimiter) forget(el *list.Element) {
	delete(l.byAddr, el.Value.(*clientBucket).addr)
	l.recent.Remove(el)
}

func (l *clientLimiter) tracked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.recent.Len()
}

// limitedForms are the anonymous page forms that, besides the API, count
// against the per-client rate: each sends an e-mail to an address anyone
// may type.
var limitedForms = map[string]bool{"POST /outages/:id/subscribe": true}

// rateLimit refuses an API request, or a post of one of limitedForms, from
// a client over its limit with 429 and Retry-After (whole seconds, rounded
// up). Other pages are not limited here: their costly forms are throttled
// by auth and the admission limit.
func (s *server) rateLimit(l *clientLimiter) gin.HandlerFunc {
	return func(c *gin.Context) {
		if l == nil || !strings.HasPrefix(c.Request.URL.Path, "/api/") && !limitedForms[c.Request.Method+" "+c.FullPath()] {
			c.Next()
			return
		}
		if d := l.wait(clientAddr(c)); d > 0 {
			l.rejected.Inc()
			s.fail(c, &apperr.RateLimited{RetryAfterSeconds: int((d + time.Second - 1) / time.Second)})
			return
		}
		c.Next()
	}
}
