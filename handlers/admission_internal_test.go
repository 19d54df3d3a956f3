package handlers

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/bosang/bosang/i18n"
)

// admissionRig serves an expensive route (filing) and a cheap one (a
// claim page) behind one admission; a request whose X-Hold header is set
// holds its slot until the test lets it go.
type admissionRig struct {
	adm      *admission
	engine   *gin.Engine
	mu       sync.Mutex
	admitted []string // X-N of each request that reached its handler, in order
	release  chan struct{}
}

func newAdmissionRig(capacity int, maxWait time.Duration) *admissionRig {
	gin.SetMode(gin.TestMode)
	r := &admissionRig{adm: newAdmission(capacity, maxWait, prometheus.NewRegistry()), engine: gin.New(), release: make(chan struct{})}
	run := func(c *gin.Context) {
		r.mu.Lock()
		r.admitted = append(r.admitted, c.GetHeader("X-N"))
		r.mu.Unlock()
		if c.GetHeader("X-Hold") != "" {
			<-r.release
		}
		c.Status(http.StatusCreated)
	}
	r.engine.Use(r.adm.limit)
	r.engine.POST("/api/v1/claims", run)
	r.engine.GET("/api/v1/claims/:id", run)
	return r
}

// do serves one request; ctx ends it early when the test cancels it.
func (r *admissionRig) do(ctx context.Context, method, path, n string, hold bool) *httptest.ResponseRecorder {
	req := httptest.NewRequestWithContext(ctx, method, path, nil)
	req.Header.Set("X-N", n)
	if hold {
		req.Header.Set("X-Hold", "1")
	}
	w := httptest.NewRecorder()
	r.engine.ServeHTTP(w, req)
	return w
}

// waitFor polls cond every millisecond until it holds; the test fails if
// it does not within 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	giveUp := time.After(30 * time.Second)
	for !cond() {
		select {
		case <-giveUp:
			t.Fatalf("never saw %s", what)
		case <-time.After(time.Millisecond):
		}
	}
}

// TestAdmissionServesWaitersInArrivalOrder: beyond capacity, expensive
// requests get their slots first come, first served. (database/sql hands
// a freed connection to a random waiter; the order 1..8 would come out of
// a random choice once in 40,320 runs.)
func TestAdmissionServesWaitersInArrivalOrder(t *testing.T) {
	r := newAdmissionRig(1, time.Minute)
	var wg sync.WaitGroup
	codes := make([]int, 9)
	serve := func(i int, hold bool) {
		wg.Go(func() { codes[i] = r.do(t.Context(), http.MethodPost, "/api/v1/claims", strconv.Itoa(i), hold).Code })
	}
	serve(0, true)
	waitFor(t, "the first request in its slot", func() bool { return r.adm.inFlight.Load() == 1 })
	for i := 1; i <= 8; i++ {
		serve(i, false)
		waitFor(t, "request "+strconv.Itoa(i)+" waiting", func() bool { return r.adm.waiting.Load() == int64(i) })
	}
	if got := r.admittedNow(); len(got) != 1 {
		t.Fatalf("admitted while the only slot was held: %v", got)
	}
	close(r.release)
	wg.Wait()
	if got, want := strings.Join(r.admittedNow(), " "), "0 1 2 3 4 5 6 7 8"; got != want {
		t.Errorf("admitted in the order %s, want %s", got, want)
	}
	for i, c := range codes {
		if c != http.StatusCreated {
			t.Errorf("request %d: got %d, want 201", i, c)
		}
	}
	if r.adm.inFlight.Load() != 0 || r.adm.waiting.Load() != 0 {
		t.Errorf("after all: %d in flight, %d waiting, want 0 and 0", r.adm.inFlight.Load(), r.adm.waiting.Load())
	}
}

// TestAdmissionRefusesAfterMaxWait: a request that finds no slot within
// maxWait is answered 503 with Retry-After and the message in both
// languages, without reaching its handler; cheap routes are not held up,
// and the slot is free again once the holder finishes.
func TestAdmissionRefusesAfterMaxWait(t *testing.T) {
	if _, err := i18n.Load(); err != nil { // the 503's message comes from the catalog
		t.Fatal(err)
	}
	r := newAdmissionRig(1, 20*time.Millisecond)
	held := make(chan int, 1)
	go func() { held <- r.do(t.Context(), http.MethodPost, "/api/v1/claims", "holder", true).Code }()
	waitFor(t, "the holder in its slot", func() bool { return r.adm.inFlight.Load() == 1 })

	w := r.do(t.Context(), http.MethodPost, "/api/v1/claims", "refused", false)
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "1" {
		t.Fatalf("at capacity: got %d with Retry-After %q, want 503 with 1", w.Code, w.Header().Get("Retry-After"))
	}
	var body errorBody
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if body.Error.Code != "unavailable" || !strings.Contains(body.Error.Message, "서버가 바쁩니다") || !strings.Contains(body.Error.Message, "The server is busy") {
		t.Errorf("503 body: %+v, want code unavailable and the message in Korean and English", body.Error)
	}
	if got := r.rejectedNow(t); got != 1 {
		t.Errorf("bosang_admission_rejected_total: %v, want 1", got)
	}
	if w := r.do(t.Context(), http.MethodGet, "/api/v1/claims/x", "page", false); w.Code != http.StatusCreated {
		t.Errorf("a cheap route at capacity: got %d, want it served", w.Code)
	}

	close(r.release)
	if c := <-held; c != http.StatusCreated {
		t.Fatalf("holder: got %d, want 201", c)
	}
	if w := r.do(t.Context(), http.MethodPost, "/api/v1/claims", "after", false); w.Code != http.StatusCreated {
		t.Errorf("after the holder finished: got %d, want 201", w.Code)
	}
	if got, want := strings.Join(r.admittedNow(), " "), "holder page after"; got != want {
		t.Errorf("handlers reached: %s, want %s", got, want)
	}
}

// TestAdmissionClientGoneWhileWaiting: a client that gives up in the queue
// is not served, not answered, and leaves the queue and the slots as they
// were.
func TestAdmissionClientGoneWhileWaiting(t *testing.T) {
	r := newAdmissionRig(1, time.Minute)
	held := make(chan int, 1)
	go func() { held <- r.do(t.Context(), http.MethodPost, "/api/v1/claims", "holder", true).Code }()
	waitFor(t, "the holder in its slot", func() bool { return r.adm.inFlight.Load() == 1 })

	ctx, cancel := context.WithCancel(t.Context())
	gone := make(chan *httptest.ResponseRecorder, 1)
	go func() { gone <- r.do(ctx, http.MethodPost, "/api/v1/claims", "gone", false) }()
	waitFor(t, "the second request waiting", func() bool { return r.adm.waiting.Load() == 1 })
	cancel()
	w := <-gone
	if w.Body.Len() != 0 || w.Header().Get("Retry-After") != "" {
		t.Errorf("a client that left got an answer: %d %q", w.Code, w.Body.String())
	}
	if got := r.rejectedNow(t); got != 0 {
		t.Errorf("bosang_admission_rejected_total: %v, want 0 (nobody was refused)", got)
	}
	if r.adm.waiting.Load() != 0 {
		t.Errorf("%d still waiting, want 0", r.adm.waiting.Load())
	}

	close(r.release)
	<-held
	if w := r.do(t.Context(), http.MethodPost, "/api/v1/claims", "next", false); w.Code != http.StatusCreated {
		t.Errorf("the next request: got %d, want 201 (the slot was kept)", w.Code)
	}
	if got, want := strings.Join(r.admittedNow(), " "), "holder next"; got != want {
		t.Errorf("handlers reached: %s, want %s", got, want)
	}
}

func (r *admissionRig) admittedNow() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.admitted...)
}

// rejectedNow reads bosang_admission_rejected_total.
func (r *admissionRig) rejectedNow(t *testing.T) float64 {
	t.Helper()
	var m dto.Metric
	if err := r.adm.rejected.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}
