package handlers_test

import (
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/bosang/bosang/handlers"
	"github.com/bosang/bosang/store/dbtest"
)

// TestReadyzFailsWhileDraining pins the first step of a drain: once the
// process is draining, /readyz answers 503 (GET and HEAD, so a load
// balancer's probe sees it either way) while /healthz and the portal
// itself keep answering, since the requests already routed here must still
// be served.
func TestReadyzFailsWhileDraining(t *testing.T) {
	var draining atomic.Bool
	e := newTestEnvWith(t, dbtest.NewSQLite(t), func(d *handlers.Deps) { d.Draining = draining.Load })
	steps := []struct {
		name     string
		draining bool
		method   string
		path     string
		want     int
	}{
		{"ready before the drain", false, "GET", "/readyz", http.StatusOK},
		{"ready to a HEAD probe before the drain", false, "HEAD", "/readyz", http.StatusOK},
		{"not ready while draining", true, "GET", "/readyz", http.StatusServiceUnavailable},
		{"not ready to a HEAD probe while draining", true, "HEAD", "/readyz", http.StatusServiceUnavailable},
		{"alive while draining", true, "GET", "/healthz", http.StatusOK},
		{"still serving the API while draining", true, "GET", "/api/v1/outages", http.StatusOK},
	}
	for _, s := range steps {
		draining.Store(s.draining)
		r := e.call(t, s.method, s.path, nil)
		if r.status != s.want {
			t.Errorf("%s: %s %s got %d, want %d", s.name, s.method, s.path, r.status, s.want)
		}
		if s.method == "GET" && s.path == "/readyz" && s.draining {
			if got := r.json(t)["status"]; got != "draining" {
				t.Errorf("%s: status %v, want draining", s.name, got)
			}
		}
	}
}
