#!/usr/bin/env bash
# Tests of the gateway's MySQL-protocol listener with Node's mysql2 driver:
# installs the locked dependencies (npm ci) when node_modules is missing or
# older than package-lock.json, starts one sandbox MariaDB for all test files
# (stopped on exit, also on failure), runs test/*.test.js with node's runner
# and prints "N passed, M failed" last. Exits non-zero on any failure.
#
# Environment:
#   MYSQLGW_BINARY    the gateway binary (default <repo>/bazel-bin/server/gateway/mysqlgw)
#   MYSQLGW_TEST_DSN  use this server instead of a sandbox MariaDB
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$HERE/../../.." && pwd -P)"
cd "$HERE"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "run_tests.sh: node and npm are required" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/mysqlgw-listener-node.XXXXXX")"
SANDBOX=""
stop_sandbox() {
  if [[ -n "$SANDBOX" ]]; then
    "$ROOT/scripts/mysql-sandbox" stop --dir "$SANDBOX" >/dev/null 2>&1 ||
      echo "run_tests.sh: could not stop the sandbox in $SANDBOX" >&2
    SANDBOX=""
  fi
}
cleanup() {
  stop_sandbox
  rm -rf -- "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -z "${MYSQLGW_TEST_DSN:-}" ]]; then
  SANDBOX="$WORK/sandbox"
  # --watch-pid: the sandbox also goes if this script is killed outright.
  MYSQLGW_TEST_DSN="$("$ROOT/scripts/mysql-sandbox" start --dir "$SANDBOX" --no-state --watch-pid $$)"
  export MYSQLGW_TEST_DSN
fi

# The spec reporter for people, TAP in a file for the counts.
rc=0
node --test --test-timeout=180000 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$WORK/results.tap" \
  test/*.test.js || rc=$?
# Before the summary, so that it stays the last line.
stop_sandbox

count() { sed -n "s/^# $1 \([0-9][0-9]*\)\$/\1/p" "$WORK/results.tap" | tail -n 1; }
passed="$(count pass)"
failed="$(count fail)"
cancelled="$(count cancelled)"
todo="$(count todo)"
passed="${passed:-0}"
failed=$((${failed:-0} + ${cancelled:-0}))
if ((rc != 0 && failed == 0)); then failed=1; fi
if ((${todo:-0} > 0)); then
  echo "${todo} todo (known listener bugs, see the todo tests above)"
fi
echo "$passed passed, $failed failed"
((rc == 0 && failed == 0))
