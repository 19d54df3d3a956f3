package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// modulePath is the module whose packages the layering rules govern.
const modulePath = "github.com/bosang/bosang"

// The import table of STYLE.md, as data. Paths are relative to modulePath for
// the module's own packages and full import paths for third-party ones; a
// prefix matches itself and everything below it.
var (
	// stdlibOnly packages import the standard library and nothing else.
	stdlibOnly = []string{"models", "web", "migrations", "apperr", "config"}

	// notDomain are the module packages that are not domain packages.
	// Everything else in the module is domain.
	notDomain = []string{"models", "web", "migrations", "store", "handlers", "cmd", "jobs"}

	// domainThirdParty is what every domain package may import from outside
	// the standard library and the module.
	domainThirdParty = []string{"github.com/google/uuid"}

	// domainAllow extends domainThirdParty per domain package (keyed by the
	// first element of its relative path, so sub-packages inherit it). Module
	// packages outside the domain may appear here too (i18n reads web).
	domainAllow = map[string][]string{
		"auth":    {"github.com/golang-jwt/jwt/v5", "golang.org/x/crypto", "github.com/pquerna/otp"},
		"i18n":    {"github.com/nicksnyder/go-i18n/v2", "golang.org/x/text", modulePath + "/web"},
		"records": {"golang.org/x/text", "github.com/xuri/excelize/v2"},
		"payout":  {"github.com/xuri/excelize/v2"},
		"notify":  {"github.com/wneessen/go-mail", "golang.org/x/text"}, // x/text: SMS length in EUC-KR bytes
		"blob":    {"github.com/minio/minio-go/v7", "github.com/minio/sio"},
	}

	// domainNever may not be reached from a domain package, even transitively.
	domainNever = []string{"gorm.io", "github.com/gin-gonic", modulePath + "/store", modulePath + "/handlers",
		modulePath + "/jobs", "github.com/riverqueue"}

	// storeNever may not be reached from store, even transitively: store
	// takes River's job inserter as an interface (store.JobInserter).
	storeNever = []string{modulePath + "/handlers", "github.com/gin-gonic", modulePath + "/jobs", "github.com/riverqueue"}

	// handlersNever may not be reached from handlers, even transitively.
	handlersNever = []string{modulePath + "/store", "gorm.io", modulePath + "/jobs", "github.com/riverqueue"}

	// jobs wires River to the store and the domain (issue 13): it may
	// import the domain, models, store and, from outside, only these; it
	// reaches gorm only through store.
	jobsThirdParty = []string{"github.com/riverqueue/river", "github.com/prometheus"}

	// jobsNever may not be reached from jobs, even transitively.
	jobsNever = []string{modulePath + "/handlers", "github.com/gin-gonic"}

	// handlersThirdParty is what handlers may import directly from outside
	// the standard library and the module: the Go team's rate limiter and
	// semaphore are the per-client limit's and admission's.
	handlersThirdParty = []string{"github.com/gin-gonic", "github.com/prometheus", "github.com/google/uuid", "golang.org/x/time/rate",
		"golang.org/x/sync/semaphore"}
)

// importGraph is what the checker knows about the build: each package's
// direct imports from non-test files, and which packages are the standard
// library.
type importGraph struct {
	imports map[string][]string
	std     map[string]bool
}

// TestLayering enforces STYLE.md's import table on every non-test file of the
// module, using the graph that `go list -deps` reports.
func TestLayering(t *testing.T) {
	g, listErrs := listGraph(t)
	for _, e := range listErrs {
		t.Errorf("go list: %s", e)
	}
	var own int
	for p := range g.imports {
		if _, ok := relPath(p); ok {
			own++
		}
	}
	if _, ok := g.imports[modulePath+"/models"]; !ok || own < 5 {
		t.Fatalf("go list found %d packages of %s and no models package; the checker would check nothing", own, modulePath)
	}
	for _, v := range checkLayering(g) {
		t.Error(v)
	}
}

// TestLayeringCatchesViolations proves the checker reports what it should and
// only that, on synthetic graphs, so TestLayering passing means something.
func TestLayeringCatchesViolations(t *testing.T) {
	m := func(rel string) string { return modulePath + "/" + rel }
	tests := []struct {
		name    string
		imports map[string][]string
		want    []string // substrings, one per expected violation, in order
	}{
		{
			name:    "domain importing gorm directly",
			imports: map[string][]string{m("claims"): {"fmt", "gorm.io/gorm"}, "gorm.io/gorm": {"fmt"}},
			want:    []string{"package " + m("claims") + " imports gorm.io/gorm:"},
		},
		{
			name: "domain reaching gorm through another domain package",
			imports: map[string][]string{
				m("claims"): {m("outage")}, m("outage"): {"gorm.io/gorm"}, "gorm.io/gorm": nil,
			},
			want: []string{
				"package " + m("claims") + " imports gorm.io/gorm (via " + m("outage") + ")",
				"package " + m("outage") + " imports gorm.io/gorm:",
			},
		},
		{
			name:    "domain importing store",
			imports: map[string][]string{m("claims"): {m("store")}, m("store"): nil},
			want:    []string{"package " + m("claims") + " imports " + m("store") + ":"},
		},
		{
			name:    "domain importing handlers-only third party",
			imports: map[string][]string{m("claims"): {"github.com/prometheus/client_golang/prometheus"}},
			want:    []string{"imports github.com/prometheus/client_golang/prometheus: domain"},
		},
		{
			name:    "domain importing web (only i18n may)",
			imports: map[string][]string{m("claims"): {m("web")}, m("i18n"): {m("web"), "golang.org/x/text/language"}, m("web"): {"embed"}},
			want:    []string{"package " + m("claims") + " imports " + m("web") + ":"},
		},
		{
			name:    "models importing a third-party package",
			imports: map[string][]string{m("models"): {"time", "github.com/google/uuid"}},
			want:    []string{"package " + m("models") + " imports github.com/google/uuid: stdlib only"},
		},
		{
			name:    "config importing another module package",
			imports: map[string][]string{m("config"): {m("apperr")}, m("apperr"): {"errors"}},
			want:    []string{"package " + m("config") + " imports " + m("apperr") + ": stdlib only"},
		},
		{
			name: "handlers reaching store through a domain package",
			imports: map[string][]string{
				m("handlers"): {m("claims")}, m("claims"): {m("store")}, m("store"): nil,
			},
			want: []string{
				"package " + m("claims") + " imports " + m("store") + ":",
				"package " + m("handlers") + " imports " + m("store") + " (via " + m("claims") + ")",
			},
		},
		{
			name:    "handlers importing an unlisted third party",
			imports: map[string][]string{m("handlers"): {"github.com/gin-gonic/gin", "github.com/labstack/echo/v4"}},
			want:    []string{"package " + m("handlers") + " imports github.com/labstack/echo/v4:"},
		},
		{
			name:    "jobs importing gorm directly",
			imports: map[string][]string{m("jobs"): {m("store"), "gorm.io/gorm", "github.com/riverqueue/river"}, m("store"): {"gorm.io/gorm"}},
			want:    []string{"package " + m("jobs") + " imports gorm.io/gorm: jobs may import"},
		},
		{
			name:    "jobs importing handlers",
			imports: map[string][]string{m("jobs"): {m("handlers")}, m("handlers"): nil},
			want:    []string{"package " + m("jobs") + " imports " + m("handlers") + ":"},
		},
		{
			name:    "store importing River",
			imports: map[string][]string{m("store"): {"gorm.io/gorm", "github.com/riverqueue/river"}},
			want:    []string{"package " + m("store") + " imports github.com/riverqueue/river:"},
		},
		{
			name: "handlers reaching jobs through a domain package",
			imports: map[string][]string{
				m("handlers"): {m("claims")}, m("claims"): {m("jobs")}, m("jobs"): nil,
			},
			want: []string{
				"package " + m("claims") + " imports " + m("jobs") + ":",
				"package " + m("handlers") + " imports " + m("jobs") + " (via " + m("claims") + ")",
			},
		},
		{
			name:    "store importing gin",
			imports: map[string][]string{m("store"): {"gorm.io/gorm", "github.com/gin-gonic/gin"}},
			want:    []string{"package " + m("store") + " imports github.com/gin-gonic/gin:"},
		},
		{
			name: "allowed: the real shape",
			imports: map[string][]string{
				m("cmd/bosang"):   {m("handlers"), m("store"), "gorm.io/gorm", "github.com/gin-gonic/gin"},
				m("handlers"):     {m("auth"), m("i18n"), m("web"), m("models"), "github.com/gin-gonic/gin", "github.com/prometheus/client_golang/prometheus", "github.com/google/uuid"},
				m("auth"):         {m("models"), m("apperr"), "github.com/golang-jwt/jwt/v5", "golang.org/x/crypto/argon2"},
				m("i18n"):         {m("web"), "github.com/nicksnyder/go-i18n/v2/i18n", "golang.org/x/text/language"},
				m("records"):      {"github.com/xuri/excelize/v2", "golang.org/x/text/encoding/korean"},
				m("store"):        {m("auth"), m("migrations"), "gorm.io/gorm", "github.com/pressly/goose/v3"},
				m("store/dbtest"): {m("store"), "testing"},
				m("jobs"):         {m("store"), m("notify"), m("models"), "github.com/riverqueue/river", "github.com/prometheus/client_golang/prometheus"},
				m("notify"):       {m("models")},
				m("models"):       {"time"},
				m("web"):          {"embed"},
				// Third-party dependencies of allowed imports are not checked
				// against the direct-import lists.
				"github.com/xuri/excelize/v2": {"github.com/richardlehane/mscfb"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkLayering(importGraph{imports: tt.imports, std: syntheticStd(tt.imports)})
			if len(got) != len(tt.want) {
				t.Fatalf("got %d violations %q, want %d matching %q", len(got), got, len(tt.want), tt.want)
			}
			for i := range got {
				if !strings.Contains(got[i], tt.want[i]) {
					t.Errorf("violation %d: got %q, want it to contain %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// syntheticStd treats every path whose first element has no dot as standard
// library, which is how the Go command tells them apart.
func syntheticStd(imports map[string][]string) map[string]bool {
	std := map[string]bool{}
	for p, imps := range imports {
		for _, q := range append([]string{p}, imps...) {
			if first, _, _ := strings.Cut(q, "/"); !strings.Contains(first, ".") {
				std[q] = true
			}
		}
	}
	return std
}

// checkLayering returns one line per violation of the import table, sorted,
// in the form "package X imports Y: rule".
func checkLayering(g importGraph) []string {
	var out []string
	for _, p := range sortedKeys(g.imports) {
		rel, ok := relPath(p)
		if !ok {
			continue
		}
		seen := map[string]bool{}
		report := func(target, via, rule string) {
			if seen[target] {
				return
			}
			seen[target] = true
			if via != "" {
				target += " (via " + via + ")"
			}
			out = append(out, fmt.Sprintf("package %s imports %s: %s", p, target, rule))
		}
		for _, imp := range g.imports[p] {
			if rule := directRule(rel, imp, g.std[imp]); rule != "" {
				report(imp, "", rule)
			}
		}
		for _, never := range transitiveNever(rel) {
			if target, via := reach(g, p, never); target != "" {
				report(target, via, "must not depend on "+never+", even indirectly")
			}
		}
	}
	return out
}

// directRule returns the rule that package rel (relative to the module)
// breaks by importing imp directly, or "" if the import is allowed.
func directRule(rel, imp string, std bool) string {
	if std {
		return ""
	}
	impRel, own := relPath(imp)
	switch {
	case under(rel, "cmd"):
		return ""
	case matchesAny(rel, stdlibOnly):
		return "stdlib only (models, web, migrations, apperr, config)"
	case under(rel, "store"):
		return "" // limited by storeNever only
	case under(rel, "jobs"):
		if own && !under(impRel, "handlers") && !under(impRel, "cmd") {
			return ""
		}
		if !own && matchesAny(imp, jobsThirdParty) {
			return ""
		}
		return "jobs may import the domain, models, store and, from outside, only " + strings.Join(jobsThirdParty, ", ")
	case under(rel, "handlers"):
		if own && !under(impRel, "store") && !under(impRel, "cmd") {
			return ""
		}
		if !own && matchesAny(imp, handlersThirdParty) {
			return ""
		}
		return "handlers may import the domain, models, web and, from outside, only " + strings.Join(handlersThirdParty, ", ")
	}
	// Domain.
	allow := append(slices.Clone(domainThirdParty), domainAllow[firstElem(rel)]...)
	if matchesAny(imp, allow) {
		return ""
	}
	if own && !matchesAny(impRel, notDomain) {
		return ""
	}
	if own && (impRel == "models" || impRel == "apperr") {
		return ""
	}
	return fmt.Sprintf("domain package %s may import stdlib, models, apperr, other domain packages and %s", rel, strings.Join(allow, ", "))
}

// transitiveNever lists the prefixes package rel may not reach at all.
func transitiveNever(rel string) []string {
	switch {
	case under(rel, "cmd"):
		return nil
	case under(rel, "store"):
		return storeNever
	case under(rel, "jobs"):
		return jobsNever
	case under(rel, "handlers"):
		return handlersNever
	case matchesAny(rel, stdlibOnly):
		return nil // already confined to the standard library
	}
	return domainNever
}

// reach finds, breadth first, a package under prefix that from depends on,
// and the packages in between ("" when from imports it directly).
func reach(g importGraph, from, prefix string) (target, via string) {
	parent := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, q := range g.imports[p] {
			if _, ok := parent[q]; ok || g.std[q] {
				continue
			}
			parent[q] = p
			if under(q, prefix) {
				var chain []string
				for c := p; c != from; c = parent[c] {
					chain = append([]string{c}, chain...)
				}
				return q, strings.Join(chain, " -> ")
			}
			queue = append(queue, q)
		}
	}
	return "", ""
}

// listGraph runs `go list -deps` over the module and returns its import graph
// without test files, plus any errors go list reported for the module's own
// packages (a package that cannot be listed cannot be checked).
func listGraph(t *testing.T) (importGraph, []string) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "go", "list", "-e", "-deps", "-json=ImportPath,Standard,Imports,Error,DepsErrors", modulePath+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	type listErr struct{ Err string }
	g := importGraph{imports: map[string][]string{}, std: map[string]bool{}}
	var errs []string
	dec := json.NewDecoder(bytes.NewReader(raw))
	for {
		var p struct {
			ImportPath string
			Standard   bool
			Imports    []string
			Error      *listErr
			DepsErrors []*listErr
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		g.imports[p.ImportPath] = p.Imports
		g.std[p.ImportPath] = p.Standard
		if _, own := relPath(p.ImportPath); own {
			if p.Error != nil {
				errs = append(errs, p.ImportPath+": "+p.Error.Err)
			}
			for _, e := range p.DepsErrors {
				errs = append(errs, p.ImportPath+" (dependency): "+e.Err)
			}
		}
	}
	return g, errs
}

// relPath returns p relative to the module, and whether p is in the module.
func relPath(p string) (string, bool) {
	rel, ok := strings.CutPrefix(p, modulePath+"/")
	return rel, ok
}

// under reports whether path is prefix or below it.
func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

func matchesAny(path string, prefixes []string) bool {
	return slices.ContainsFunc(prefixes, func(pre string) bool { return under(path, pre) })
}

func firstElem(rel string) string {
	first, _, _ := strings.Cut(rel, "/")
	return first
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
