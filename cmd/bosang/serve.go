package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/bosang/bosang/config"
	"github.com/bosang/bosang/handlers"
)

// serveGCPercent is the portal's GOGC unless the environment sets one.
// Nearly all of a request's allocations are garbage once it has answered
// and the live heap is small, so with Go's default (collect when the heap
// has doubled) the collector took a sixth of the portal's CPU while filing
// on `make bench`. Collecting at five times the live heap gives most of
// that back for about 90 MB more peak RSS there (226 MB against 137 MB);
// GOMEMLIMIT, when set, still makes it collect sooner near the limit.
const serveGCPercent = 400

// shutdownGrace is how long a stopping server lets in-flight requests
// finish after it stops accepting; evidence uploads from phones are slow.
const shutdownGrace = 30 * time.Second

func serve(ctx context.Context, getenv func(string) string) error {
	return serveListening(ctx, getenv, nil)
}

// serveListening is serve, telling listening (when set) the address it
// accepts connections on. When ctx ends (SIGINT or SIGTERM) the portal
// drains: /readyz fails at once, requests are still served for
// BOSANG_DRAIN_DELAY while the load balancer notices, then the listener
// closes and in-flight requests get shutdownGrace to finish.
func serveListening(ctx context.Context, getenv func(string) string, listening func(net.Addr)) error {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
	a, err := open(ctx, getenv)
	if err != nil {
		return err
	}
	defer a.Close()
	observe, err := filingGroupMetrics(a.metrics)
	if err != nil {
		return err
	}
	a.db.OnFilingGroup(observe)
	if err := claimPageMetrics(a.metrics, a.db.ClaimPageCacheStats); err != nil {
		return err
	}
	h, err := newHandler(a)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.cfg.Addr, err)
	}
	metricsLn, err := a.listenMetrics()
	if err != nil {
		ln.Close()
		return err
	}
	// Metrics outlive the drain, so the drain itself can be watched.
	metricsCtx, stopMetrics := context.WithCancel(context.WithoutCancel(ctx))
	defer stopMetrics()
	if metricsLn != nil {
		go func() {
			if err := serveUntil(metricsCtx, metricsLn, newMetricsServer(a), 5*time.Second); err != nil {
				a.log.Error("metrics listener", "err", err)
			}
		}()
	}
	a.log.Info("bosang serving", "version", version, "config", a.cfg.Redacted(), "listen", ln.Addr().String())
	// The jobs: outbox deliveries, review, batch and periodic jobs (the
	// audit sealer and checkpoint export among them), on River.
	runner, err := a.newRunner()
	if err != nil {
		ln.Close()
		return err
	}
	if err := runner.Start(ctx); err != nil {
		ln.Close()
		return err
	}
	if addr := getenv("BOSANG_PPROF_ADDR"); addr != "" {
		go servePprof(ctx, addr, a)
	}
	// Users changed by other processes leave the token checks' cache;
	// it listens through the drain, until serving returns.
	listenCtx, stopListening := context.WithCancel(context.WithoutCancel(ctx))
	defer stopListening()
	go a.db.ListenUserChanges(listenCtx, databaseDSN(a.cfg), time.Second, a.auth.Forget, a.auth.ForgetAll)
	if listening != nil {
		listening(ln.Addr())
	}
	err = drainAndServe(ctx, ln, newHTTPServer(h), drainPlan{delay: a.cfg.DrainDelay, grace: shutdownGrace, begin: func() {
		a.draining.Store(true)
		a.log.Info("draining", "delay", a.cfg.DrainDelay.String(), "grace", shutdownGrace.String())
	}})
	// HTTP has drained: running jobs get jobStopGrace to finish, then
	// their contexts end; a job cut short runs again (its row says whether
	// it was delivered).
	stopCtx, cancel := context.WithTimeout(context.Background(), jobStopGrace)
	defer cancel()
	if serr := runner.Stop(stopCtx); serr != nil {
		a.log.Warn("jobs stopped with running jobs cancelled", "err", serr)
	}
	return err
}

// jobStopGrace is how long running jobs may finish on shutdown after HTTP
// has drained (within Docker's and the orchestrator's grace periods).
const jobStopGrace = 20 * time.Second

func newHandler(a *app) (http.Handler, error) {
	cat := a.catalog
	return handlers.New(handlers.Deps{
		Auth: a.auth, Outages: a.outages, Claims: a.claims, Review: a.review, BaseURL: a.cfg.BaseURL, Catalog: cat, Ready: a.db.Ready, Logger: a.log, CSRFKey: a.cfg.CSRFKey, CSRFPreviousKeys: a.cfg.CSRFPreviousKeys,
		SecureCookies: a.cfg.SecureCookies(), RefreshTTL: a.cfg.RefreshTTL,
		Audit: a.audit, Payouts: a.payouts, Stats: a.stats, Contacts: a.contacts, APIKeys: a.apiKeys, Offers: a.offers,
		RateLimit:   handlers.RateLimit{PerSecond: a.cfg.RatePerSecond, Burst: a.cfg.RateBurst, Clients: a.cfg.RateClients},
		MaxInFlight: maxInFlight(a.cfg.MaxInFlight, a.db.MaxConns(), a.db.FilingGroup()), AdmissionWait: a.cfg.AdmissionWait,
		Registry: a.metrics, HideMetrics: !a.cfg.PublicMetrics(),
		TrustedProxies: a.cfg.TrustedProxies, ClientIPHeader: a.cfg.ClientIPHeader, Draining: a.draining.Load,
		Now: time.Now,
	})
}

// maxInFlight is BOSANG_MAX_IN_FLIGHT, or else half the process's
// connection pool, at least config.MinMaxInFlight and at least a filing
// group (filingGroup, 0 on SQLite): expensive requests then queue in
// arrival order at admission, half the pool serves pages and jobs during
// a surge, and filings, which wait for their group without a connection,
// can fill a group.
func maxInFlight(set, poolConns, filingGroup int) int {
	if set > 0 {
		return set
	}
	return max(config.MinMaxInFlight, poolConns/2, filingGroup)
}

// listenMetrics listens on BOSANG_METRICS_ADDR, the only address that then
// serves /metrics; nil when it is not set.
func (a *app) listenMetrics() (net.Listener, error) {
	if a.cfg.MetricsAddr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", a.cfg.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("listen on BOSANG_METRICS_ADDR %s: %w", a.cfg.MetricsAddr, err)
	}
	return ln, nil
}

// newMetricsServer serves /metrics, and nothing else, from the app's
// registry.
func newMetricsServer(a *app) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.metrics, promhttp.HandlerOpts{}))
	return &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
}

func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // evidence uploads from phones are slow
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    2 << 20,
	}
}

// serveUntil serves on ln until ctx ends (SIGINT or SIGTERM), then stops
// accepting and lets in-flight requests finish for up to grace.
func serveUntil(ctx context.Context, ln net.Listener, srv *http.Server, grace time.Duration) error {
	return drainAndServe(ctx, ln, srv, drainPlan{grace: grace})
}

// drainPlan is how a server stops: begin runs when it is told to (the
// readiness probe starts failing), it keeps serving for delay, then stops
// accepting and gives in-flight requests grace to finish.
type drainPlan struct {
	begin func()
	delay time.Duration
	grace time.Duration
}

// drainAndServe serves on ln until ctx ends, then stops as p says. During
// the delay keep-alive is off and idle connections are closed, so clients
// and the proxy come back on new connections, which the load balancer
// sends elsewhere once it has seen the probe fail.
func drainAndServe(ctx context.Context, ln net.Listener, srv *http.Server, p drainPlan) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	if p.begin != nil {
		p.begin()
	}
	if p.delay > 0 {
		srv.SetKeepAlivesEnabled(false)
		t := time.NewTimer(p.delay)
		select {
		case <-t.C:
		case err := <-errc:
			t.Stop()
			return err
		}
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), p.grace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// servePprof serves Go's profiler on a separate, loopback-only address, for
// finding what limits a benchmark figure. It is off unless BOSANG_PPROF_ADDR
// is set.
func servePprof(ctx context.Context, addr string, a *app) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || !(host == "127.0.0.1" || host == "localhost" || host == "::1") {
		a.log.Error("BOSANG_PPROF_ADDR must be a loopback address", "addr", addr)
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { <-ctx.Done(); srv.Close() }()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		a.log.Error("pprof server", "err", err)
	}
}
