package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// requestTimeout bounds one HTTP attempt; anything near it is a hang.
const requestTimeout = 30 * time.Second

// ack is a key for which a 2xx arrived.
type ack struct {
	Claimant int
	Outage   string
	ClaimID  string
}

// attempt is one HTTP exchange, for the observers of phase 3.
type attempt struct {
	Start, End time.Time
	Label      string // status code, "net" or "timeout"
	OK         bool
}

// job is one claim: its key and body never change across retries.
type job struct {
	key      string
	claimant int
	outage   string
	body     []byte
	inst     int // instance tried next (failover moves it on)
	tries    int
	nextAt   time.Time
	lastSeen string
}

// slots hands out (claimant, outage) pairs never used before, so that no two
// claims of the run are duplicates of each other.
type slots struct {
	next      atomic.Int64
	claimants int
	outages   []string
}

func (s *slots) take() (int, string, bool) {
	n := int(s.next.Add(1) - 1)
	if n >= s.claimants*len(s.outages) {
		return 0, "", false
	}
	return n % s.claimants, s.outages[n/s.claimants], true
}

// load drives claim filing for one phase.
type load struct {
	fx        *fixture
	slots     *slots
	instances []*instance
	client    *http.Client
	observe   atomic.Pointer[func(attempt)]

	sent, ok2xx, replays, retries atomic.Int64

	mu         sync.Mutex
	byStatus   map[string]int
	acked      map[string]ack // key -> ack
	terminal   map[string]string
	unresolved map[string]string // key -> last status seen
	examples   []string
	exhausted  bool
	okLatency  []time.Duration // of fresh (not replayed) 2xx answers
}

func newLoad(fx *fixture, sl *slots, instances []*instance) *load {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 3 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 256,
		IdleConnTimeout:     30 * time.Second,
	}
	return &load{fx: fx, slots: sl, instances: instances, client: &http.Client{Transport: tr, Timeout: requestTimeout},
		byStatus: map[string]int{}, acked: map[string]ack{}, terminal: map[string]string{}, unresolved: map[string]string{}}
}

func (l *load) newJob(clientID int) (*job, bool) {
	c, o, ok := l.slots.take()
	if !ok {
		return nil, false
	}
	body, _ := json.Marshal(map[string]any{
		"outage_id": o, "category": "driver", "monetary": true, "description": "카오스 시험 청구: 호출을 받지 못했습니다",
		"claimed_amount_krw": 0, "details": map[string]any{"monthly_fee_krw": 39000},
		"payout_account": map[string]string{"bank": "004", "number": fmt.Sprintf("110-123-%06d", c), "holder": "홍길동"},
	})
	return &job{key: uuid.NewString(), claimant: c, outage: o, body: body, inst: clientID % len(l.instances)}, true
}

// outcome of one attempt.
type outcome int

const (
	done     outcome = iota // 2xx or a final client error
	retry                   // same instance again later (409 in flight, 429)
	failover                // another instance next (network error, 5xx)
)

func (l *load) count(label string) {
	l.mu.Lock()
	l.byStatus[label]++
	l.mu.Unlock()
}

func (l *load) example(s string) {
	l.mu.Lock()
	if len(l.examples) < 10 {
		l.examples = append(l.examples, s)
	}
	l.mu.Unlock()
}

// try sends the job once and classifies the answer.
func (l *load) try(j *job) (outcome, time.Duration) {
	inst := l.instances[j.inst%len(l.instances)]
	req, _ := http.NewRequest(http.MethodPost, inst.baseURL()+"/api/v1/claims", bytes.NewReader(j.body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+l.fx.Claimants[j.claimant].Token)
	req.Header.Set("Idempotency-Key", j.key)
	l.sent.Add(1)
	if j.tries > 0 {
		l.retries.Add(1)
	}
	j.tries++
	start := time.Now()
	resp, err := l.client.Do(req)
	var body []byte
	if err == nil {
		body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	end := time.Now()
	label := ""
	if err != nil {
		label = "net"
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			label = "timeout"
		}
	} else {
		label = strconv.Itoa(resp.StatusCode)
	}
	if obs := l.observe.Load(); obs != nil {
		(*obs)(attempt{Start: start, End: end, Label: label, OK: err == nil && resp.StatusCode/100 == 2})
	}
	j.lastSeen = label
	if err != nil {
		l.count(label)
		return failover, 0
	}
	switch st := resp.StatusCode; {
	case st/100 == 2:
		var v struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(body, &v) != nil || v.ID == "" {
			l.count(label + "-no-id")
			l.example(fmt.Sprintf("%d without a claim id: %.200s", st, body))
			l.final(j, label+"-no-id")
			return done, 0
		}
		l.ok2xx.Add(1)
		replayed := resp.Header.Get("Idempotent-Replayed") == "true"
		if replayed {
			l.replays.Add(1)
			label += "-replayed"
		}
		l.count(label)
		l.mu.Lock()
		if !replayed {
			l.okLatency = append(l.okLatency, end.Sub(start))
		}
		l.acked[j.key] = ack{Claimant: j.claimant, Outage: j.outage, ClaimID: v.ID}
		l.mu.Unlock()
		return done, 0
	case st == http.StatusConflict:
		var e struct {
			Error struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		json.Unmarshal(body, &e) //nolint:errcheck // an unparseable body counts as not in flight
		if e.Error.Code == "conflict" {
			l.count("409-in-flight")
			j.lastSeen = "409-in-flight"
			return retry, 0
		}
		label = "409-" + e.Error.Code
	case st == http.StatusTooManyRequests:
		l.count(label)
		ra, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return retry, time.Duration(min(ra, 5)) * time.Second
	case st >= 500:
		l.count(label)
		return failover, 0
	}
	// Any other client error is final for this key: unexpected in this run.
	l.count(label)
	l.example(fmt.Sprintf("key %s: %s %.300s", j.key, label, body))
	l.final(j, label)
	return done, 0
}

func (l *load) final(j *job, label string) {
	l.mu.Lock()
	l.terminal[j.key] = label
	l.mu.Unlock()
}

func backoff(tries int) time.Duration {
	d := 50 * time.Millisecond << min(tries, 6) // 100 ms .. 3.2 s
	d = min(d, 2*time.Second)
	return d/2 + rand.N(d/2+1)
}

// run drives one client until stop closes and its keys are all answered, or
// until drainBy passes after stop (the keys left are reported unresolved).
// A key answered 409 (still in flight) is parked and retried later while the
// client files new claims, so a crash does not stall the load (the portal
// lets a retry take over a crashed request's key only after 60 s); at most
// maxPending keys are open per client. A key that met a network error or a
// 5xx is retried (with backoff, failing over) before any new claim.
func (l *load) run(clientID int, stop <-chan struct{}, drainBy *atomic.Pointer[time.Time]) {
	const maxPending = 64
	var pending []*job
	stopped := false
	for {
		if !stopped {
			select {
			case <-stop:
				stopped = true
			default:
			}
		}
		if stopped {
			if len(pending) == 0 {
				return
			}
			if d := drainBy.Load(); d != nil && time.Now().After(*d) {
				l.mu.Lock()
				for _, j := range pending {
					l.unresolved[j.key] = j.lastSeen
				}
				l.mu.Unlock()
				return
			}
		}
		now := time.Now()
		var j *job
		idx := -1
		for i, p := range pending {
			if !p.nextAt.After(now) && (j == nil || p.nextAt.Before(j.nextAt)) {
				j, idx = p, i
			}
		}
		// A new claim only when every open key is parked on "409 still in
		// flight"; a key that met a network error or a 5xx is retried first.
		parkedOnly := true
		for _, p := range pending {
			if p.lastSeen != "409-in-flight" {
				parkedOnly = false
			}
		}
		if j == nil && parkedOnly && !stopped && len(pending) < maxPending && !l.exhaustedNow() {
			nj, ok := l.newJob(clientID)
			if ok {
				j = nj
				pending = append(pending, j)
				idx = len(pending) - 1
			} else {
				l.mu.Lock()
				l.exhausted = true
				l.mu.Unlock()
			}
		}
		if j == nil {
			wait := 20 * time.Millisecond
			for _, p := range pending {
				wait = min(wait, max(p.nextAt.Sub(now), time.Millisecond))
			}
			if len(pending) == 0 && !stopped {
				select {
				case <-stop:
				case <-time.After(50 * time.Millisecond):
				}
				continue
			}
			time.Sleep(wait)
			continue
		}
		res, after := l.try(j)
		switch res {
		case done:
			pending = append(pending[:idx], pending[idx+1:]...)
		case failover:
			j.inst++
			j.nextAt = time.Now().Add(backoff(j.tries))
		case retry:
			j.nextAt = time.Now().Add(max(after, backoff(j.tries)))
		}
	}
}

func (l *load) exhaustedNow() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.exhausted
}

// login gets an access token for every claimant from the first instance.
func login(ctx context.Context, base string, cs []claimant) error {
	c := &http.Client{Timeout: 30 * time.Second}
	sem := make(chan struct{}, 4)
	errc := make(chan error, len(cs))
	var wg sync.WaitGroup
	for i := range cs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			body, _ := json.Marshal(map[string]string{"email": cs[i].Email, "password": chaosPassword})
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/auth/login", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := c.Do(req)
			if err != nil {
				errc <- err
				return
			}
			defer resp.Body.Close()
			var v struct {
				AccessToken string `json:"access_token"`
			}
			if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&v) != nil || v.AccessToken == "" {
				errc <- fmt.Errorf("login %s: status %d", cs[i].Email, resp.StatusCode)
				return
			}
			cs[i].Token = v.AccessToken
		}()
	}
	wg.Wait()
	close(errc)
	return <-errc
}
