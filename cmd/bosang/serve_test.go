package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os/signal"
	"syscall"
	"testing"
	"time"
)

// TestSIGTERMLetsInFlightRequestFinish sends the process a real SIGTERM while
// a slow request is in flight: the request must complete with its full
// response, and the server must then stop cleanly.
func TestSIGTERMLetsInFlightRequestFinish(t *testing.T) {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	entered, release := make(chan struct{}), make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		io.WriteString(w, "finished")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- serveUntil(ctx, ln, newHTTPServer(mux), 10*time.Second) }()

	type result struct {
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{string(b), err}
	}()
	<-entered
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-ctx.Done() // the signal arrived and shutdown has begun
	select {
	case err := <-served:
		t.Fatalf("server returned %v while a request was in flight", err)
	default:
	}
	close(release)
	r := <-got
	if r.err != nil || r.body != "finished" {
		t.Fatalf("in-flight request: got %q, %v; want \"finished\"", r.body, r.err)
	}
	if err := <-served; err != nil {
		t.Fatalf("serveUntil: got %v, want nil after a clean shutdown", err)
	}
}
