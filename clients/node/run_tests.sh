#!/usr/bin/env bash
# Runs the mysqlgw Node client tests with node's built-in runner: installs the
# locked dependencies (npm ci) when node_modules is missing or older than
# package-lock.json, then
# runs test/*.test.js. Exits non-zero on any failure.
#
# Environment:
#   MYSQLGW_BINARY       the gateway binary for the live tests
#   MYSQLGW_TEST_DSN     use this server instead of a sandbox MariaDB
#   MYSQLGW_NODE_LIVE=0  skip the live tests
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
cd "$HERE"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "run_tests.sh: node and npm are required" >&2
  exit 1
fi
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

exec node --test --test-reporter=spec test/*.test.js
