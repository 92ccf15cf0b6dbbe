#!/usr/bin/env bash
# Runs the mysqlgw Python client tests: generates the stubs, then runs the
# unittest suite with Debian's Python and prints "N passed, M failed" last.
# Exits non-zero on any failure.
#
# Usage: clients/python/run_tests.sh [-v] [TEST_MODULE_GLOB...]
#
# Environment:
#   PYTHON                the interpreter (default /usr/bin/python3, which has
#                         Debian's python3-grpcio and python3-protobuf)
#   MYSQLGW_BINARY        the gateway binary for the live tests (see
#                         tests/test_live.py for how it is found otherwise)
#   MYSQLGW_TEST_DSN      use this server instead of a sandbox MariaDB
#   MYSQLGW_PYTHON_LIVE=0 skip the live tests
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
PYTHON="${PYTHON:-/usr/bin/python3}"

if ! "$PYTHON" -c 'import grpc, google.protobuf' 2>/dev/null; then
  echo "run_tests.sh: $PYTHON cannot import grpc and google.protobuf (run scripts/setup)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
if ! "$HERE/generate.sh"; then
  echo "run_tests.sh: generating the stubs failed" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

cd "$HERE"
# Bytecode caches stay out of the source tree.
export PYTHONDONTWRITEBYTECODE=1
export PYTHONUNBUFFERED=1
exec "$PYTHON" tests/runner.py "$@"
