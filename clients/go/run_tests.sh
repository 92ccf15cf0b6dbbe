#!/usr/bin/env bash
# Runs the mysqlgw Go client tests offline (GOPATH mode on Debian's Go
# packages, GOPROXY=off): generates the stubs, vets, then `go test -v` of the
# package, unit tests and live tests against the real gateway binary and a
# sandbox MariaDB. Prints "N passed, M failed" last (top-level tests);
# exits non-zero on any failure.
#
# Usage: clients/go/run_tests.sh [-run REGEXP]
#
# Environment:
#   MYSQLGW_BINARY     the gateway binary; default ROOT/bazel-bin/server/gateway/
#                      mysqlgw, else `bazel build` (with BAZEL and
#                      BAZEL_STARTUP_OPTIONS, as scripts/test uses them)
#   MYSQLGW_GO_LIVE=0  skip the live tests
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$HERE/../.." && pwd -P)"

fail() {
  echo "run_tests.sh: $*" >&2
  echo "0 passed, 1 failed"
  exit 1
}

"$HERE/generate.sh" || fail "generating the stubs failed"
eval "$("$HERE/generate.sh" --env)"
export GOCACHE="${GOCACHE:-$HERE/.gopath/cache}"
export MYSQLGW_ROOT="$ROOT"

if [[ "${MYSQLGW_GO_LIVE:-1}" != 0 && -z "${MYSQLGW_BINARY:-}" ]]; then
  MYSQLGW_BINARY="$ROOT/bazel-bin/server/gateway/mysqlgw"
  if [[ ! -x "$MYSQLGW_BINARY" ]]; then
    read -r -a bazel <<<"${BAZEL:-bazel} ${BAZEL_STARTUP_OPTIONS:-}"
    echo "run_tests.sh: building //server/gateway:mysqlgw" >&2
    (cd "$ROOT" && "${bazel[@]}" build --color=no --curses=no //server/gateway:mysqlgw >&2) ||
      fail "bazel build //server/gateway:mysqlgw failed"
    MYSQLGW_BINARY="$(cd "$ROOT" && "${bazel[@]}" info bazel-bin 2>/dev/null)/server/gateway/mysqlgw"
  fi
  [[ -x "$MYSQLGW_BINARY" ]] || fail "no gateway binary at $MYSQLGW_BINARY"
fi
export MYSQLGW_BINARY="${MYSQLGW_BINARY:-}"

go vet mysqlgw/client || fail "go vet failed"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
go test -count=1 -v "$@" mysqlgw/client 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
passed=$(grep -c '^--- PASS' "$log")
failed=$(grep -c '^--- FAIL' "$log")
skipped=$(grep -c '^--- SKIP' "$log")
# A failure outside any test (TestMain, a build error, a panic) still counts.
if [[ $status -ne 0 && $failed -eq 0 ]]; then failed=1; fi
if [[ $((passed + failed)) -eq 0 ]]; then failed=1; echo "run_tests.sh: no tests ran" >&2; fi
echo "$passed passed, $failed failed$([[ $skipped -gt 0 ]] && echo ", $skipped skipped")"
[[ $failed -eq 0 ]]
