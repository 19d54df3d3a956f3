package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os/signal"
	"strings"
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

// TestMetricsListener pins where /metrics is served, through the handler
// and listener serve builds: with BOSANG_METRICS_ADDR only there (and
// nothing else there); without it on the public port in development and
// nowhere in production.
func TestMetricsListener(t *testing.T) {
	key := strings.Repeat("ab", 32)
	tests := []struct {
		name, env, addr string
		public          bool
	}{
		{"development keeps it on the public port", "development", "", true},
		{"development with an address moves it there", "development", "127.0.0.1:0", false},
		{"production serves it nowhere by default", "production", "", false},
		{"production with an address serves it only there", "production", "127.0.0.1:0", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := map[string]string{"BOSANG_DATA_DIR": t.TempDir(), "BOSANG_ENV": tt.env, "BOSANG_METRICS_ADDR": tt.addr,
				"BOSANG_JWT_KEY": key, "BOSANG_CSRF_KEY": key, "BOSANG_ENCRYPTION_KEY": key, "BOSANG_AUDIT_KEY": key}
			a, err := open(t.Context(), func(k string) string { return vars[k] })
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			h, err := newHandler(a)
			if err != nil {
				t.Fatal(err)
			}
			public := httptest.NewServer(h)
			defer public.Close()
			if got, body := get(t, public.URL+"/metrics"); (got == http.StatusOK) != tt.public || tt.public && !strings.Contains(body, "go_goroutines") {
				t.Errorf("public /metrics: got %d, want served=%v", got, tt.public)
			}
			ln, err := a.listenMetrics()
			if err != nil {
				t.Fatal(err)
			}
			if tt.addr == "" {
				if ln != nil {
					t.Fatalf("a metrics listener on %s without BOSANG_METRICS_ADDR", ln.Addr())
				}
				return
			}
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error, 1)
			go func() { done <- serveUntil(ctx, ln, newMetricsServer(a), time.Second) }()
			defer func() {
				cancel()
				if err := <-done; err != nil {
					t.Errorf("metrics listener: %v", err)
				}
			}()
			base := "http://" + ln.Addr().String()
			if got, body := get(t, base+"/metrics"); got != http.StatusOK || !strings.Contains(body, "go_goroutines") {
				t.Errorf("metrics listener /metrics: got %d, want the metrics", got)
			}
			for _, p := range []string{"/", "/healthz", "/api/v1/outages"} {
				if got, _ := get(t, base+p); got != http.StatusNotFound {
					t.Errorf("metrics listener %s: got %d, want 404 (only /metrics there)", p, got)
				}
			}
		})
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
