#!/usr/bin/env bash
# scripts/lighthouse.sh: Lighthouse (mobile) on the home page, the status
# page, the claim form and a claim page of the demo data, with Debian's
# Chromium. It builds the portal, seeds the demo data into a fresh SQLite
# directory, serves it on a loopback port, logs the demo claimant in with
# curl for the two claimant pages, and prints the four category scores of
# each page. Lighthouse runs through npx at a pinned version (cached by npm,
# never vendored or committed); the npm registry must be reachable.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

LIGHTHOUSE="lighthouse@12.8.2"
CHROME_FLAGS="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run"
PORT="${LIGHTHOUSE_PORT:-18282}"
BASE="http://localhost:$PORT"
WORK="$(mktemp -d)"
OUT="${LIGHTHOUSE_OUT:-$WORK/reports}"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"

cleanup() {
	[[ -n "${PID:-}" ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
	[[ "$OUT" == "$WORK"/* ]] && rm -rf "$WORK" || rm -rf "$WORK/data" "$WORK/bosang"
}
trap cleanup EXIT

export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"
go build -o "$WORK/bosang" ./cmd/bosang
export BOSANG_DATA_DIR="$WORK/data" BOSANG_ADDR="127.0.0.1:$PORT" BOSANG_BASE_URL="$BASE"
"$WORK/bosang" seed --demo >/dev/null
"$WORK/bosang" serve 2>"$WORK/server.log" &
PID=$!
for _ in $(seq 1 50); do curl -fs "$BASE/readyz" >/dev/null && break; sleep 0.2; done

# The demo claimant's session, for the claim form and a claim page.
JAR="$WORK/cookies"
token=$(curl -fs -c "$JAR" -b "$JAR" "$BASE/login" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1)
curl -fs -o /dev/null -c "$JAR" -b "$JAR" --data-urlencode "csrf_token=$token" \
	--data-urlencode "email=user@demo.bosang.kr" --data-urlencode "password=bosang-demo-2022" "$BASE/login"
claim=$(curl -fs -b "$JAR" "$BASE/claims" | grep -o 'href="/claims/[0-9a-f-]\{36\}"' | head -1 | cut -d'"' -f2)
cookie=$(awk '!/^#/ && NF >= 7 {printf "%s%s=%s", sep, $6, $7; sep="; "} /^#HttpOnly_/ {printf "%s%s=%s", sep, $6, $7; sep="; "}' "$JAR")

mkdir -p "$OUT"
run() { # name path [cookie]
	local headers=()
	[[ -n "${3:-}" ]] && headers=(--extra-headers "{\"Cookie\": \"$3\"}")
	npx --yes "$LIGHTHOUSE" "$BASE$2" --quiet --chrome-flags="$CHROME_FLAGS" --form-factor=mobile \
		--only-categories=performance,accessibility,best-practices,seo "${headers[@]}" \
		--output=json --output-path="$OUT/$1.json" >/dev/null
	node -e '
		const r = require(process.argv[1]);
		const s = k => Math.round(r.categories[k].score * 100);
		const failed = Object.values(r.audits).filter(a => a.score !== null && a.score < 1 && a.scoreDisplayMode === "binary").map(a => a.id);
		console.log(`| ${process.argv[2]} | ${s("performance")} | ${s("accessibility")} | ${s("best-practices")} | ${s("seo")} | ${failed.join(", ") || "-"} |`);
	' "$OUT/$1.json" "$2"
}
echo "| page | performance | accessibility | best practices | SEO | failed audits |"
echo "|---|---|---|---|---|---|"
run home /
run status /status
run claim-form /claims/new "$cookie"
run claim "$claim" "$cookie"
