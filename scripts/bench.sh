#!/usr/bin/env bash
# make bench: the standard load set on this machine. It builds the portal and
# the load tool, prepares a fresh PostgreSQL database with bulk data, starts
# the portal on a loopback port, and drives it and a raw gin+pgx baseline in
# the same run, writing every figure with its ratio to the baseline to
# bench/results.md. Then, unless BENCH_BULK=0, the bulk phase (issue 15):
# a second database with BENCH_BULK_CLAIMS (1,000,000) prepared monetary
# claims, `bosang adjudicate` over all of them (wall time and peak RSS of
# the bosang process) and `bosang audit seal` of the audit entries it wrote
# (wall time), appended to the same file. Loopback only; bounded in time.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ADMIN_URL="${BOSANG_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}"
DURATION="${BENCH_DURATION:-15s}"
CONCURRENCY="${BENCH_CONCURRENCY:-64}"
CLAIMS="${BENCH_CLAIMS:-20000}"
PORT="${BENCH_PORT:-18181}"
BULK="${BENCH_BULK:-1}"
BULK_CLAIMS="${BENCH_BULK_CLAIMS:-1000000}"
DB="bosang_bench_$$"
BULK_DB="bosang_bulk_$$"
WORK="$(mktemp -d)"
OUT="bench/results.md"

cleanup() {
	[[ -n "${PID:-}" ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
	psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
	psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $BULK_DB WITH (FORCE)" >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT

export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"
go build -o "$WORK/bosang" ./cmd/bosang
go build -o "$WORK/bosang-load" ./cmd/bosang-load
psql "$ADMIN_URL" -qc "CREATE DATABASE $DB" >/dev/null
export BOSANG_DATABASE_URL="${ADMIN_URL%/*}/$DB?sslmode=disable"
export BOSANG_DATA_DIR="$WORK/data" BOSANG_ADDR="127.0.0.1:$PORT" BOSANG_BASE_URL="http://127.0.0.1:$PORT"
export BOSANG_RATE_LIMIT=0 # the load comes from one address; the per-client limit would measure itself
"$WORK/bosang" migrate >/dev/null 2>"$WORK/migrate.log"
"$WORK/bosang-load" prepare --claims "$CLAIMS"
"$WORK/bosang" serve 2>"$WORK/server.log" &
PID=$!
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done

{
	echo "# make bench results"
	echo
	echo "$(date -u +%Y-%m-%dT%H:%M:%SZ); $(nproc) cores; $(psql "$ADMIN_URL" -Atc 'SHOW server_version'); Go $(go env GOVERSION);"
	echo "closed loop at $CONCURRENCY connections, $DURATION per side; $CLAIMS prepared claims."
	echo
	"$WORK/bosang-load" run --target "http://127.0.0.1:$PORT" --concurrency "$CONCURRENCY" --duration "$DURATION" --scenarios submit,public,status,mix
	"$WORK/bosang-load" run --target "http://127.0.0.1:$PORT" --concurrency "$CONCURRENCY" --duration 10s --scenarios overload
	echo
	echo "First load of a claimant page (HTML + CSS + JS): bytes transferred (gzip accepted) and uncompressed:"
	"$WORK/bosang-load" pagesize --target "http://127.0.0.1:$PORT"
} | tee "$OUT"

if [[ "$BULK" != 0 ]]; then
	# The portal is stopped and its database dropped first: the bulk phase
	# measures the command line tools alone on the machine's cores.
	kill "$PID" && wait "$PID" 2>/dev/null || true
	PID=
	psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
	psql "$ADMIN_URL" -qc "CREATE DATABASE $BULK_DB" >/dev/null
	export BOSANG_DATABASE_URL="${ADMIN_URL%/*}/$BULK_DB?sslmode=disable" BOSANG_DATA_DIR="$WORK/bulk"
	"$WORK/bosang" migrate >/dev/null 2>>"$WORK/migrate.log" # publishes the default policy, makes the keys
	label="$BULK_CLAIMS"
	((BULK_CLAIMS % 1000000 == 0)) && label="$((BULK_CLAIMS / 1000000))M"
	secs() { date +%s.%N; }
	since() { awk -v a="$1" -v b="$(secs)" 'BEGIN { s = b - a; printf "%dm%04.1fs", int(s / 60), s - 60 * int(s / 60) }'; }
	t=$(secs)
	"$WORK/bosang-load" prepare --claims "$BULK_CLAIMS" --monetary --data-dir "$BOSANG_DATA_DIR" >"$WORK/prepare.log"
	prepared=$(since "$t")
	/usr/bin/time -v "$WORK/bosang" adjudicate >"$WORK/adjudicate.log" 2>"$WORK/adjudicate.time"
	wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' "$WORK/adjudicate.time")
	rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.1f MB", $2 * 1024 / 1e6 }' "$WORK/adjudicate.time")
	t=$(secs)
	"$WORK/bosang" audit seal >"$WORK/seal.log"
	sealwall=$(since "$t")
	sealed=$(awk '/^sealed/ { print $2 }' "$WORK/seal.log")
	{
		echo
		echo "Bulk (issue 15): $BULK_CLAIMS prepared monetary claims in a second database, prepared in $prepared;"
		echo "$(grep '^done in' "$WORK/adjudicate.log")"
		echo
		echo "| bulk step | wall | peak RSS (bosang) | goal |"
		echo "|---|---|---|---|"
		echo "| adjudicate $label claims | $wall | $rss | goal <= 60 s, <= 150 MB |"
		echo "| seal $sealed audit entries | $sealwall | – | goal <= 60 s |"
	} | tee -a "$OUT"
fi
echo "wrote $OUT"
