#!/usr/bin/env bash
# Lays out the GOPATH tree the Go client builds in, with no network access,
# from Debian's packages (see README.md):
#
#   clients/go/.gopath/src/mysqlgw/v1/       stubs generated here by protoc with
#                                           protoc-gen-go and protoc-gen-go-grpc
#                                           (not committed; rerun after a .proto
#                                           change)
#   clients/go/.gopath/src/mysqlgw/client -> clients/go/client (the package)
#
# Then build with GO111MODULE=off GOPATH=clients/go/.gopath:/usr/share/gocode
# (printed by `generate.sh --env`). Needs golang-go, protobuf-compiler,
# protoc-gen-go, protoc-gen-go-grpc, golang-google-grpc-dev,
# golang-google-protobuf-dev and golang-github-golang-protobuf-1-5-dev.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$HERE/../.." && pwd -P)"
GOPATH_DIR="$HERE/.gopath"
SYSTEM_GOCODE="${SYSTEM_GOCODE:-/usr/share/gocode}"

if [[ "${1:-}" == "--env" ]]; then
  echo "export GO111MODULE=off GOPROXY=off GOFLAGS= GOPATH=$GOPATH_DIR:$SYSTEM_GOCODE"
  exit 0
fi

for tool in protoc protoc-gen-go protoc-gen-go-grpc go; do
  if ! command -v "$tool" >/dev/null; then
    echo "generate.sh: $tool not found (apt-get install golang-go protobuf-compiler protoc-gen-go protoc-gen-go-grpc golang-google-grpc-dev golang-google-protobuf-dev golang-github-golang-protobuf-1-5-dev)" >&2
    exit 1
  fi
done
for dir in google.golang.org/grpc google.golang.org/protobuf github.com/golang/protobuf; do
  if [[ ! -d "$SYSTEM_GOCODE/src/$dir" ]]; then
    echo "generate.sh: $SYSTEM_GOCODE/src/$dir missing (Debian's Go gRPC/protobuf -dev packages)" >&2
    exit 1
  fi
done

STUBS="$GOPATH_DIR/src/mysqlgw/v1"
rm -rf "$STUBS"
mkdir -p "$STUBS"
# go_package "mysqlgw/v1;mysqlgwv1" puts the files at <out>/mysqlgw/v1/.
(cd "$ROOT/proto" && protoc -I. -I/usr/include --go_out="$GOPATH_DIR/src" \
  --go-grpc_out="$GOPATH_DIR/src" mysqlgw/v1/value.proto mysqlgw/v1/gateway.proto \
  mysqlgw/v1/binlog.proto)
ln -sfn "$HERE/client" "$GOPATH_DIR/src/mysqlgw/client"
echo "generate.sh: wrote $(cd "$STUBS" && echo *.go) into ${STUBS#$ROOT/}" >&2
