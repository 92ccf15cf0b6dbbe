#!/usr/bin/env bash
# Offline checks of everything under deploy/, run by scripts/test:
#   1. every overlay under deploy/k8s/overlays renders (kubectl kustomize);
#   2. every rendered object passes its Kubernetes / prometheus-operator JSON
#      schema, has no unknown field, and follows mysqlgw's own rules
#      (deploy/validate, npm packages from the committed lockfile);
#   3. the alert rules pass `promtool check rules` and their unit tests
#      (deploy/validate/alerts_test.yaml);
#   4. the Dockerfile's package lists match scripts/setup and the binary's
#      libraries (deploy/check_packages.py);
#   5. the real gateway runs each overlay's configuration: start, health,
#      hot reload, rejected reload, graceful stop (deploy/check_gateway.py);
#   6. the Grafana dashboard (deploy/grafana) is well-formed, its PromQL
#      parses, and every metric it and the alert rules name is in a running
#      gateway's /metrics; the alert rules pass `promtool check rules` even
#      without kubectl (deploy/check_dashboard.py).
# Prints one line per check and exits 1 if any failed.
#
# Usage: deploy/check.sh [--binary PATH_TO_MYSQLGW]
#   Without --binary (or $MYSQLGW_BINARY) the gateway is built with Bazel.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
readonly ROOT
readonly DEPLOY="$ROOT/deploy"

BINARY="${MYSQLGW_BINARY:-}"
while (($#)); do
  case "$1" in
    --binary) BINARY="${2:?--binary needs a path}"; shift 2 ;;
    --binary=*) BINARY="${1#--binary=}"; shift ;;
    -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "deploy: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/mysqlgw-deploy.XXXXXX")"
trap 'rm -rf -- "$WORK"' EXIT

FAILED=0
PASSED=0
ok() { echo "deploy: $1: ok"; PASSED=$((PASSED + 1)); }
fail() { echo "deploy: $1: FAILED${2:+ ($2)}"; FAILED=$((FAILED + 1)); }
# Runs a checker that prints its own "deploy: ..." lines; counts it once.
run_checker() {
  local label="$1"
  shift
  if "$@"; then PASSED=$((PASSED + 1)); else fail "$label"; fi
}

need() {
  local tool="$1" why="$2"
  if ! command -v "$tool" >/dev/null 2>&1; then
    fail "$tool is installed" "$why"
    return 1
  fi
}

# --- 1. Render -------------------------------------------------------------
OVERLAYS=()
# kubectl is not in Debian 12's archive (its kubernetes-client 1.20 is too
# old for these kustomizations); it comes with this project's machine image.
# Without it the overlays cannot be rendered: say so loudly, check the rest.
if ! command -v kubectl >/dev/null 2>&1; then
  echo "deploy: NOTE: kubectl is not installed: overlays not rendered, schema checks of the manifests not run"
elif true; then
  for dir in "$DEPLOY"/k8s/overlays/*/; do
    name="$(basename "$dir")"
    if timeout 120 kubectl kustomize "$dir" >"$WORK/$name.yaml" 2>"$WORK/$name.err"; then
      ok "$name: kubectl kustomize ($(grep -c '^kind:' "$WORK/$name.yaml") objects)"
      OVERLAYS+=("$name")
    else
      fail "$name: kubectl kustomize" "$(tail -n 3 "$WORK/$name.err" | tr '\n' ' ')"
    fi
  done
fi

# --- 2. Schemas and mysqlgw's rules -----------------------------------------
if ((${#OVERLAYS[@]})) && need node "Node.js runs deploy/validate" && need npm "installs deploy/validate's packages"; then
  if (cd "$DEPLOY/validate" && npm ci --no-audit --no-fund --loglevel=error) >"$WORK/npm.log" 2>&1; then
    args=()
    for name in "${OVERLAYS[@]}"; do args+=("$name=$WORK/$name.yaml"); done
    run_checker "manifest validation" node "$DEPLOY/validate/validate.js" --out "$WORK/out" "${args[@]}"
  else
    fail "npm ci in deploy/validate" "$(tail -n 3 "$WORK/npm.log" | tr '\n' ' ')"
  fi
fi

# --- 3. Alert rules ---------------------------------------------------------
RULES=()
for name in "${OVERLAYS[@]}"; do
  [[ -f "$WORK/out/$name.rules.yaml" ]] && RULES+=("$WORK/out/$name.rules.yaml")
done
if ((${#RULES[@]})) && need promtool "scripts/setup installs prometheus"; then
  for rules in "${RULES[@]}"; do
    name="$(basename "$rules" .rules.yaml)"
    if out="$(promtool check rules "$rules" 2>&1)"; then
      ok "$name: promtool check rules ($(grep -o '[0-9]* rules found' <<<"$out"))"
    else
      fail "$name: promtool check rules" "$(tr '\n' ' ' <<<"$out")"
    fi
    test_dir="$WORK/alerts-$name"
    mkdir -p "$test_dir"
    cp "$rules" "$test_dir/rules.yaml"
    cp "$DEPLOY/validate/alerts_test.yaml" "$test_dir/"
    if out="$(cd "$test_dir" && promtool test rules alerts_test.yaml 2>&1)"; then
      ok "$name: promtool test rules (deploy/validate/alerts_test.yaml)"
    else
      echo "$out" | sed 's/^/deploy:   /'
      fail "$name: promtool test rules"
    fi
  done
fi

# --- 4 and 5 need the gateway binary ------------------------------------------
if [[ -z "$BINARY" ]]; then
  bazel="${BAZEL:-bazel}"
  if "$bazel" build --color=no --curses=no //server/gateway:mysqlgw >"$WORK/build.log" 2>&1; then
    BINARY="$("$bazel" info bazel-bin 2>/dev/null)/server/gateway/mysqlgw"
  else
    fail "bazel build //server/gateway:mysqlgw" "$(tail -n 3 "$WORK/build.log" | tr '\n' ' ')"
  fi
fi
if [[ -n "$BINARY" && ! -x "$BINARY" ]]; then
  fail "gateway binary" "$BINARY is not executable"
  BINARY=""
fi

run_checker "Dockerfile packages" "$DEPLOY/check_packages.py" ${BINARY:+--binary "$BINARY"}

# --- 6. The Grafana dashboard against the gateway's real metrics -------------
if [[ -n "$BINARY" ]]; then
  run_checker "Grafana dashboard" /usr/bin/python3 "$DEPLOY/check_dashboard.py" \
    --binary "$BINARY" --src "$ROOT"
fi

if [[ -n "$BINARY" ]] && ((${#OVERLAYS[@]})); then
  configs=()
  for name in "${OVERLAYS[@]}"; do
    if [[ -f "$WORK/out/$name.config.yaml" ]]; then
      configs+=("$name=$WORK/out/$name.config.yaml,$WORK/out/$name.config-broken.yaml")
    fi
  done
  rule_args=()
  for rules in "${RULES[@]}"; do rule_args+=(--rules "$rules"); done
  if ((${#configs[@]})); then
    # /usr/bin/python3: Debian's, with python3-grpcio for the health check.
    run_checker "gateway runs" /usr/bin/python3 "$DEPLOY/check_gateway.py" \
      --binary "$BINARY" --src "$ROOT" "${rule_args[@]}" "${configs[@]}"
  else
    fail "gateway runs" "no configuration was extracted"
  fi
fi

echo "deploy: summary: $PASSED checks passed, $FAILED failed"
((FAILED == 0))
