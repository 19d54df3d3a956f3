#!/usr/bin/env bash
# deadcode.sh runs golang.org/x/tools/cmd/deadcode (make lint) over the
# programs of this module: a function no program (cmd/...) can reach is
# dead, including one only tests call. It fails on any such function except
# those listed below, each with its reason, and those of the test-helper
# packages (a path ending in "test", such as store/dbtest), which exist for
# tests alone.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DEADCODE_VERSION="${DEADCODE_VERSION:?set DEADCODE_VERSION (the golang.org/x/tools version)}"
module="$(go list -m)"

# Kept on purpose: "package-path-in-module function-name  # why".
allowed='
claims Service.OnChange          # test hook: the handler tests adjudicate synchronously; the server uses review jobs
claims Service.SetRepricePage    # test hook: the handler tests re-price in pages of 2 to cross page boundaries
claims Service.ByID              # the handler and store tests read a claim view without a viewer
offers Service.SetImportLimits   # test hook: the handler tests and the import benchmark set the chunk size
statute DefaultSettings          # the default statutory reading; tests of four packages use it, cmd/bosang reads its own from config
config SMS.GoString              # %#v must not print the SMS key and secret; fmt calls it through fmt.GoStringer
'

out="$(go run "golang.org/x/tools/cmd/deadcode@$DEADCODE_VERSION" \
	-f '{{range .Funcs}}{{$.Path}} {{.Name}} {{.Position}}{{"\n"}}{{end}}' ./...)"

status=0
while read -r pkg name pos; do
	[[ -n "$pkg" ]] || continue
	rel="${pkg#"$module"/}"
	[[ "$rel" == *test ]] && continue
	if grep -qE "^$rel +$name( |$)" <<<"$allowed"; then
		continue
	fi
	echo "${pos#"$PWD"/}: unreachable func: $name" >&2
	status=1
done <<<"$out"
if [[ $status -ne 0 ]]; then
	echo "deadcode: remove these functions, move test-only ones into a _test.go file, or list them in scripts/deadcode.sh with the reason" >&2
fi
exit $status
