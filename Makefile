# Bosang's everyday commands. `make test` runs every test, including the
# browser tests, on PostgreSQL and SQLite; `make lint` is what CI checks.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

GO ?= go
# The approved toolchain: go1.26.8's standard library has advisories fixed in
# go1.27.3, go.mod's toolchain. The go command fetches it through the
# module proxy; a machine's own Go ignores go.mod's version without this.
export GOTOOLCHAIN := go1.27.3
# A test binary's deadline: the handlers package takes about 8 minutes on
# a quiet 2-core machine and twice that with another `make test` beside it.
GOTESTFLAGS ?= -count=1 -timeout 40m

# The tests read this variable themselves (store/dbtest); exporting it keeps
# the reachability check below and the tests looking at the same server.
BOSANG_TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
export BOSANG_TEST_POSTGRES_URL

VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: test e2e lint build vendor run check-postgres bench fuzz-short

## test: every test (unit, both database dialects, browser, S3) with a fresh
## cache. Without BOSANG_TEST_S3_ENDPOINT it starts a throwaway S3 server for
## the run (scripts/s3-test-server.sh; the first run builds versitygw).
test: check-postgres
	@if [[ -n "$${BOSANG_TEST_S3_ENDPOINT:-}" ]]; then \
		echo "$(GO) test $(GOTESTFLAGS) ./...  (S3 at $$BOSANG_TEST_S3_ENDPOINT)"; \
		$(GO) test $(GOTESTFLAGS) ./...; \
	else \
		bash scripts/s3-test-server.sh $(GO) test $(GOTESTFLAGS) ./...; \
	fi

# The fuzz targets of the parsers of untrusted input: records (CSV and XLSX,
# sales, trips and affected-account files),
# the JSON binder, claim and outage bodies through their validation, and
# the If-Match parser. `go test -fuzz` runs one target at a time.
FUZZTIME ?= 5s
# New coverage is minimised before it joins the corpus; uncapped, that
# takes most of a 5 s run on the XLSX target (2 ms an input).
FUZZMINIMIZE ?= 50x
FUZZ_TARGETS := \
	./records:FuzzParseSales \
	./records:FuzzParseTrips \
	./records:FuzzParseXLSX \
	./records:FuzzReadAccounts \
	./handlers/request:FuzzDecodeJSON \
	./handlers/request:FuzzParseIfMatch \
	./claims:FuzzClaimBody \
	./outage:FuzzOutageBody

## fuzz-short: each fuzz target for FUZZTIME (5 s), as CI runs them; fails
## if a Fuzz function in the tree is missing from FUZZ_TARGETS. A failure
## leaves its input under the package's testdata/fuzz/ to commit as a test.
fuzz-short:
	@for name in $$(grep -rhoP '^func \KFuzz\w+' --include='*_test.go' .); do \
		if [[ " $(FUZZ_TARGETS) " != *":$$name "* ]]; then \
			echo "fuzz target $$name is not in FUZZ_TARGETS"; exit 1; \
		fi; \
	done
	@for t in $(FUZZ_TARGETS); do \
		echo "== $${t##*:} ($${t%%:*}) for $(FUZZTIME)"; \
		$(GO) test -run='^$$' -fuzz="^$${t##*:}\$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=$(FUZZMINIMIZE) "$${t%%:*}"; \
	done

## e2e: only the browser tests (TestBrowser*), against Debian's Chromium.
e2e: check-postgres
	$(GO) test $(GOTESTFLAGS) -run '^TestBrowser' ./...

# The linters' pinned versions. The Go ones build through the module
# proxy into the build cache (the first run takes minutes, later ones
# seconds); Redocly CLI comes from the npm registry into npm's cache.
STATICCHECK_VERSION := v0.8.2
DEADCODE_VERSION := v0.52.0
REDOCLY_VERSION := 2.77.0

## lint: gofmt must report nothing; go vet, staticcheck and deadcode
## (scripts/deadcode.sh: no function that no program reaches) must pass,
## and Redocly CLI must find nothing in handlers/openapi.json
## (handlers/redocly.yaml).
lint:
	@unformatted="$$(gofmt -l .)"; \
	if [[ -n "$$unformatted" ]]; then \
		echo "gofmt -l reports unformatted files:"; echo "$$unformatted"; exit 1; \
	fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...
	DEADCODE_VERSION=$(DEADCODE_VERSION) bash scripts/deadcode.sh
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
		npx --yes @redocly/cli@$(REDOCLY_VERSION) lint --config handlers/redocly.yaml handlers/openapi.json

## build: a static binary at bin/bosang stamped with the git version.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/bosang ./cmd/bosang

## vendor: refresh web/static/vendor/ from web/package.json (needs npm).
vendor:
	bash web/vendor.sh

## run: serve on :8080 from SQLite under ./data unless BOSANG_DATABASE_URL says otherwise.
run:
	$(GO) run ./cmd/bosang

# check-postgres warns loudly when the test PostgreSQL is unreachable (the
# tests then skip their PostgreSQL half) and fails outright when CI=true.
check-postgres:
	@url="$$BOSANG_TEST_POSTGRES_URL"; \
	if ! command -v pg_isready >/dev/null; then \
		echo "note: pg_isready not found; cannot pre-check PostgreSQL (the tests will report it)"; \
		exit 0; \
	fi; \
	if pg_isready -q -t 5 -d "$$url"; then exit 0; fi; \
	redacted="$$(sed -E 's#(://[^:/@]+):[^@]*@#\1:xxxxx@#' <<<"$$url")"; \
	echo ""; \
	echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	echo "!!!  PostgreSQL is NOT reachable at BOSANG_TEST_POSTGRES_URL"; \
	echo "!!!    $$redacted"; \
	echo "!!!  Database tests will run on SQLite ONLY and SKIP PostgreSQL."; \
	echo "!!!  Start PostgreSQL or set BOSANG_TEST_POSTGRES_URL to test both."; \
	echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	echo ""; \
	if [[ "$${CI:-}" == "true" ]]; then \
		echo "CI=true: refusing to run without PostgreSQL."; \
		exit 1; \
	fi

# Evidence in S3 (issue 13): scripts/s3-test-server.sh starts versitygw on
# a loopback port with keys made for the run (built once into the user's
# cache), exports BOSANG_TEST_S3_*, runs a command and stops the server.
.PHONY: s3-server

## s3-server: a throwaway S3 server until Ctrl-C; prints the exports for
## running tests in another terminal.
s3-server:
	bash scripts/s3-test-server.sh

## bench: the standard load set (submit, public, status, mix, overload) against
## a raw gin+pgx baseline in the same run; writes bench/results.md. PostgreSQL only.
bench:
	bash scripts/bench.sh

## bench-import: the affected-account import of issue 14 (IMPORT_BENCH_ROWS,
## 1,000,000 by default; IMPORT_BENCH_DIALECT=sqlite for SQLite): wall time,
## progress and peak RSS of the importing process. PostgreSQL by default.
.PHONY: bench-import
bench-import:
	$(GO) test -tags importbench -run TestImportBench -v -count=1 -timeout 40m ./cmd/bosang

# Crash safety (issue 6). Both build into a temp dir and talk only to
# loopback and BOSANG_TEST_POSTGRES_URL; CHAOSFLAGS adds flags (e.g. -keep).
.PHONY: chaos chaos-short
CHAOSFLAGS ?=

## chaos: 20 SIGKILLs of one instance, 20 of one of two instances, then
## PostgreSQL stopped 10 s (pg_ctlcluster; stops it for everyone on this
## machine); reconciles every acknowledged claim after each phase (~6 min).
## The two instances of phase 2 share a throwaway S3 server for evidence.
chaos: check-postgres
	@dir="$$(mktemp -d)"; trap 'rm -rf "$$dir"' EXIT; \
	$(GO) build -o "$$dir/bosang" ./cmd/bosang; \
	$(GO) build -o "$$dir/bosang-chaos" ./cmd/bosang-chaos; \
	run=("$$dir/bosang-chaos" -bosang "$$dir/bosang" -kills 20 -phases 1,2,3 -pg-stop=true $(CHAOSFLAGS)); \
	if [[ -n "$${BOSANG_TEST_S3_ENDPOINT:-}" ]]; then "$${run[@]}"; else bash scripts/s3-test-server.sh "$${run[@]}"; fi

## chaos-short: the CI size: 3 kills in phases 1 and 2, PostgreSQL left
## running (other test packages share it). `go test` runs it as TestChaosShort.
chaos-short: check-postgres
	@dir="$$(mktemp -d)"; trap 'rm -rf "$$dir"' EXIT; \
	$(GO) build -o "$$dir/bosang" ./cmd/bosang; \
	$(GO) build -o "$$dir/bosang-chaos" ./cmd/bosang-chaos; \
	"$$dir/bosang-chaos" -bosang "$$dir/bosang" -kills 3 -phases 1,2 -pg-stop=false $(CHAOSFLAGS)
