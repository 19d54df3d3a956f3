package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServeDrainsOnSignal runs the real serve on a loopback port and stops
// it, as SIGTERM does, while a login is in flight (held in the middle of
// its body). In order: /readyz fails at once while the portal still serves
// new requests; the held login still completes with 200; then serve
// returns nil and the port refuses connections. Each step waits on what it
// observes, within a deadline.
func TestServeDrainsOnSignal(t *testing.T) {
	vars := map[string]string{"BOSANG_DATA_DIR": t.TempDir(), "BOSANG_ADDR": "127.0.0.1:0",
		// Long enough to be observed on a busy machine; the drain then
		// ends by itself.
		"BOSANG_DRAIN_DELAY": "5s"}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	addrc := make(chan net.Addr, 1)
	served := make(chan error, 1)
	go func() {
		served <- serveListening(ctx, func(k string) string { return vars[k] }, func(a net.Addr) { addrc <- a })
	}()
	var base string
	select {
	case a := <-addrc:
		base = "http://" + a.String()
	case err := <-served:
		t.Fatalf("serve: %v", err)
	}
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	if got := status(t, fresh, base+"/readyz"); got != http.StatusOK {
		t.Fatalf("/readyz before the signal: got %d, want 200", got)
	}
	const email, password = "drain@example.kr", "Haneul-bada-2022"
	reg := `{"email":"` + email + `","password":"` + password + `","name":"김보상","phone":"010-1234-5678"}`
	if r, err := fresh.Post(base+"/api/v1/auth/register", "application/json", strings.NewReader(reg)); err != nil || r.StatusCode != http.StatusCreated {
		t.Fatalf("register: %v %v, want 201", r, err)
	}

	// The slow request: the server asks for the body (100 Continue) once
	// the login handler reads it, and the body waits on the pipe.
	body, feed := io.Pipe()
	entered := make(chan struct{})
	slow, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(),
		&httptrace.ClientTrace{Got100Continue: func() { close(entered) }}), "POST", base+"/api/v1/auth/login", body)
	if err != nil {
		t.Fatal(err)
	}
	slow.Header.Set("Content-Type", "application/json")
	slow.Header.Set("Expect", "100-continue")
	type result struct {
		status int
		err    error
	}
	slowDone := make(chan result, 1)
	go func() {
		c := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: time.Minute}}
		resp, err := c.Do(slow)
		if err != nil {
			slowDone <- result{err: err}
			return
		}
		defer resp.Body.Close()
		var v map[string]any
		err = json.NewDecoder(resp.Body).Decode(&v)
		slowDone <- result{resp.StatusCode, err}
	}()
	select {
	case <-entered:
	case r := <-slowDone:
		t.Fatalf("the slow login ended before its body was sent: %d, %v", r.status, r.err)
	}

	stop() // what SIGTERM does through signal.NotifyContext
	deadline := time.Now().Add(30 * time.Second)
	for status(t, fresh, base+"/readyz") != http.StatusServiceUnavailable {
		if time.Now().After(deadline) {
			t.Fatal("/readyz never failed after the signal")
		}
	}
	if got := status(t, fresh, base+"/healthz"); got != http.StatusOK {
		t.Errorf("a new request during the drain: got %d, want 200", got)
	}
	select {
	case r := <-slowDone:
		t.Fatalf("the slow login ended during the drain before its body was sent: %d, %v", r.status, r.err)
	default:
	}
	io.WriteString(feed, `{"email":"`+email+`","password":"`+password+`"}`)
	feed.Close()
	if r := <-slowDone; r.err != nil || r.status != http.StatusOK {
		t.Fatalf("the in-flight login: got %d, %v; want 200", r.status, r.err)
	}

	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("serve: got %v, want nil after a clean drain", err)
		}
	case <-time.After(time.Until(deadline)):
		t.Fatal("serve did not return after the drain")
	}
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err == nil {
		c.Close()
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial after serve returned: got %v, want connection refused", err)
	}
}

// status GETs url with c and returns the status; a refused connection is a
// test failure.
func status(t *testing.T, c *http.Client, url string) int {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
