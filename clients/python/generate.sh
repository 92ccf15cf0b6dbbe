#!/usr/bin/env bash
# Generates the Python protobuf and gRPC stubs of the mysqlgw API into
# clients/python/mysqlgw/_proto/ (not committed; rerun after a .proto change).
#
# protoc lays the modules out by proto path (mysqlgw/v1/value_pb2.py) and has
# them import each other absolutely (`from mysqlgw.v1 import value_pb2`).
# That name would resolve inside this package, which is also called
# `mysqlgw`, so the modules are flattened into _proto/ and those imports are
# rewritten to relative ones (`from . import value_pb2`). Nothing is added
# to sys.path, and the module names the messages report are the real ones
# (mysqlgw._proto.value_pb2).
#
# google/rpc/status.proto is deliberately not generated: registering
# "google/rpc/status.proto" in protobuf's default descriptor pool would
# collide with googleapis-common-protos (which grpcio-status installs) as soon
# as both were imported. mysqlgw/errors.py decodes that three-field message
# itself.
#
# Needs protoc and grpc_python_plugin (Debian: protobuf-compiler,
# protobuf-compiler-grpc; see scripts/setup).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$HERE/../.." && pwd -P)"
OUT="$HERE/mysqlgw/_proto"
PROTOC="${PROTOC:-protoc}"
PLUGIN="${GRPC_PYTHON_PLUGIN:-/usr/bin/grpc_python_plugin}"
# Where google/protobuf/*.proto live (well-known types).
PROTO_INCLUDE="${PROTO_INCLUDE:-/usr/include}"

command -v "$PROTOC" >/dev/null 2>&1 || { echo "generate.sh: $PROTOC not found (run scripts/setup)" >&2; exit 1; }
[[ -x "$PLUGIN" ]] || { echo "generate.sh: $PLUGIN not found (run scripts/setup)" >&2; exit 1; }

PROTOS=(mysqlgw/v1/value.proto mysqlgw/v1/gateway.proto mysqlgw/v1/binlog.proto)

tmp="$(mktemp -d "${TMPDIR:-/tmp}/mysqlgw-pygen.XXXXXX")"
trap 'rm -rf -- "$tmp"' EXIT

"$PROTOC" --python_out="$tmp" --grpc_python_out="$tmp" \
  --plugin=protoc-gen-grpc_python="$PLUGIN" \
  -I"$ROOT/proto" -I"$PROTO_INCLUDE" "${PROTOS[@]}"

mkdir -p "$OUT"
# Only the modules generated here are replaced; __init__.py is hand-written.
rm -f -- "$OUT"/*_pb2.py "$OUT"/*_pb2_grpc.py
for f in "$tmp"/mysqlgw/v1/*.py; do
  name="$(basename "$f")"
  # value_pb2_grpc.py is empty (value.proto has no service).
  if [[ "$name" == *_pb2_grpc.py ]] && ! grep -q '^class ' "$f"; then continue; fi
  sed -E \
    -e 's/^from mysqlgw\.v1 import /from . import /' \
    -e "s/'mysqlgw\.v1\.([a-z_0-9]+_pb2)'/__name__/" \
    "$f" >"$OUT/$name.tmp"
  if grep -nE '^(from|import) mysqlgw' "$OUT/$name.tmp" >&2; then
    echo "generate.sh: $name still imports mysqlgw absolutely" >&2
    exit 1
  fi
  mv -f "$OUT/$name.tmp" "$OUT/$name"
done
echo "generate.sh: wrote $(cd "$OUT" && ls -- *_pb2*.py | tr '\n' ' ')into ${OUT#"$ROOT"/}" >&2
