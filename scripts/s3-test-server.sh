#!/usr/bin/env bash
# s3-test-server.sh starts a throwaway S3 server (versitygw over a temp
# directory, on a free loopback port, with keys generated for this run),
# exports BOSANG_TEST_S3_ENDPOINT, BOSANG_TEST_S3_ACCESS_KEY and
# BOSANG_TEST_S3_SECRET_KEY, runs the command given, then stops the server
# and removes its directory. Without a command it prints the exports and
# serves until interrupted, for a developer's other terminal.
#
#   scripts/s3-test-server.sh make test
#   scripts/s3-test-server.sh go test ./blob/
#
# versitygw is built once (~4 min) with the go command into a cache that
# later runs on the same machine reuse:
# ${XDG_CACHE_HOME:-$HOME/.cache}/bosang/versitygw-v1.8.0/versitygw
# (BOSANG_VERSITYGW overrides the binary).
set -euo pipefail

VERSITYGW_VERSION=v1.8.0
cache="${XDG_CACHE_HOME:-$HOME/.cache}/bosang/versitygw-$VERSITYGW_VERSION"
bin="${BOSANG_VERSITYGW:-$cache/versitygw}"

if [[ ! -x "$bin" ]]; then
	echo "s3-test-server: building versitygw $VERSITYGW_VERSION into $cache (once per machine, a few minutes)" >&2
	mkdir -p "$cache"
	gobin="$(mktemp -d "$cache/build.XXXXXX")"
	GOBIN="$gobin" GOFLAGS=-mod=mod go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
	# Renamed into place only when complete, so an interrupted build is
	# never mistaken for a binary.
	mv "$gobin/versitygw" "$bin"
	rmdir "$gobin"
fi

dir="$(mktemp -d)"
pid=""
stop() {
	if [[ -n "$pid" ]]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT TERM

key() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
access="$(key 10)"
secret="$(key 20)"
mkdir "$dir/data"

# answers: something on the port replies to an HTTP request (versitygw
# with 403 to an unsigned one). Bash's /dev/tcp, so no HTTP client is needed.
answers() {
	(
		exec 3<>"/dev/tcp/127.0.0.1/$1"
		printf 'GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
		IFS= read -r -t 2 line <&3
		[[ $line == HTTP/* ]]
	) 2>/dev/null
}

port=""
for attempt in 1 2 3 4 5; do
	candidate=$((20000 + RANDOM % 40000))
	if answers "$candidate"; then
		continue # taken
	fi
	ROOT_ACCESS_KEY_ID="$access" ROOT_SECRET_ACCESS_KEY="$secret" \
		"$bin" --port "127.0.0.1:$candidate" posix "$dir/data" >"$dir/versitygw.log" 2>&1 &
	pid=$!
	# It answers in well under a second; 30 s holds on a busy machine.
	for _ in $(seq 1 300); do
		if answers "$candidate"; then
			port="$candidate"
			break
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	if [[ -n "$port" ]]; then
		break
	fi
	echo "s3-test-server: versitygw did not answer on port $candidate (attempt $attempt):" >&2
	cat "$dir/versitygw.log" >&2
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	pid=""
done
if [[ -z "$port" ]]; then
	echo "s3-test-server: could not start versitygw" >&2
	exit 1
fi

export BOSANG_TEST_S3_ENDPOINT="127.0.0.1:$port"
export BOSANG_TEST_S3_ACCESS_KEY="$access"
export BOSANG_TEST_S3_SECRET_KEY="$secret"
echo "s3-test-server: versitygw $VERSITYGW_VERSION answers at $BOSANG_TEST_S3_ENDPOINT" >&2

if [[ $# -eq 0 ]]; then
	cat <<EOF
export BOSANG_TEST_S3_ENDPOINT=$BOSANG_TEST_S3_ENDPOINT
export BOSANG_TEST_S3_ACCESS_KEY=$BOSANG_TEST_S3_ACCESS_KEY
export BOSANG_TEST_S3_SECRET_KEY=$BOSANG_TEST_S3_SECRET_KEY
EOF
	echo "s3-test-server: serving until interrupted (Ctrl-C)" >&2
	wait "$pid"
	exit
fi

status=0
"$@" || status=$?
exit "$status"
