#!/usr/bin/python3
"""Checks deploy/grafana/mysqlgw-dashboard.json and the alert rules against
the metrics a running gateway really exports.

  check_dashboard.py --binary MYSQLGW [--src ROOT]

1. The dashboard is well-formed: unique panel ids, every panel on the
   ${datasource} variable with at least one query, inside the 24-column grid.
2. Every PromQL expression (panel queries and template variables, Grafana's
   $variables replaced) parses: they are run through `promtool check rules`
   as recording rules.
3. The gateway starts on loopback only (a primary and a replica on a closed
   port, one interception rule: so that the per-backend, health and rule
   families have samples) and its /metrics is scraped. Every metric the
   dashboard or the alert rules (deploy/k8s/base/prometheusrule.yaml) name
   must be in that scrape. The only exceptions are families that have
   samples only with live data (LIVE_ONLY below); those must still be
   registered in server/. A renamed or removed metric fails here.
4. The alert rules pass `promtool check rules` (also when kubectl is
   missing and deploy/check.sh cannot render the overlays).

Prints one "deploy: ..." line per check; exits 1 if any failed.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAILURES = []

# Families with no sample until live data exists, with why.
LIVE_ONLY = {
    "mysqlgw_backend_replication_lag_seconds": "sampled only while a replica's lag is known",
}

# PromQL words that are not metric names.
PROMQL_WORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or",
    "unless", "offset", "inf", "nan", "atan2",
}

GATEWAY_CONFIG = """\
listen: {address: "127.0.0.1:0"}
io_threads: 1
backends:
  - name: primary
    dsn: "mysql://check@127.0.0.1:1/db"
  - name: replica
    role: BACKEND_ROLE_REPLICA
    dsn: "mysql://check@127.0.0.1:1/db"
interception:
  rules:
    - name: dashboard-check
      match: {statement_kinds: [ddl]}
      action: {verdict: deny}
"""


def report(check, ok, detail=""):
    print(f"deploy: {check}: {'ok' if ok else 'FAILED'}{(' (' + detail + ')') if detail else ''}",
          flush=True)
    if not ok:
        FAILURES.append(check)
    return ok


def grafana_to_promql(expr):
    """Replaces Grafana's variables by values PromQL accepts."""
    expr = re.sub(r"\$__(rate_)?interval|\$\{__(rate_)?interval\}", "5m", expr)
    expr = re.sub(r"\$\{?__range\}?", "1h", expr)
    return re.sub(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?", ".*", expr)


def metric_names(expr):
    """The metric names a PromQL expression reads."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # Strings.
    text = re.sub(r"\{[^}]*\}", " ", text)  # Label matchers.
    text = re.sub(r"\[[^\]]*\]", " ", text)  # Ranges and subqueries.
    # The label lists of by/without/on/ignoring/group_left/group_right.
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    # Numbers and durations (0.99, 1e3, 5m, 1h30m).
    text = re.sub(r"(?<![A-Za-z0-9_:])\d[0-9A-Za-z.]*", " ", text)
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", text):
        word = match.group(0)
        rest = text[match.end():].lstrip()
        if word.lower() in PROMQL_WORDS or rest.startswith("("):  # A function call.
            continue
        names.add(word)
    return names


def label_values_selector(query):
    """label_values(SELECTOR, label) -> SELECTOR; label_values(label) -> None."""
    match = re.fullmatch(r"\s*label_values\((.*),\s*[A-Za-z_][A-Za-z0-9_]*\s*\)\s*", query)
    if match:
        return match.group(1)
    match = re.fullmatch(r"\s*query_result\((.*)\)\s*", query)
    return match.group(1) if match else None


def dashboard_queries(path):
    """Checks the dashboard's shape; returns [(where, PromQL)]."""
    try:
        dash = json.load(open(path, encoding="utf-8"))
    except (OSError, ValueError) as e:
        report("dashboard: valid JSON", False, str(e))
        return []
    problems = []
    for key in ("title", "uid", "panels", "templating", "schemaVersion"):
        if key not in dash:
            problems.append(f"no {key}")
    variables = {v.get("name"): v for v in dash.get("templating", {}).get("list", [])}
    if variables.get("datasource", {}).get("type") != "datasource":
        problems.append("no datasource variable")
    queries = []
    ids = set()
    cells = {}
    for panel in dash.get("panels", []):
        pid, title = panel.get("id"), panel.get("title", "?")
        if pid in ids:
            problems.append(f"panel id {pid} repeated")
        ids.add(pid)
        grid = panel.get("gridPos", {})
        if not all(k in grid for k in ("x", "y", "w", "h")) or grid["x"] + grid["w"] > 24:
            problems.append(f"panel '{title}': bad gridPos {grid}")
        else:
            for cx in range(grid["x"], grid["x"] + grid["w"]):
                for cy in range(grid["y"], grid["y"] + grid["h"]):
                    if (cx, cy) in cells:
                        problems.append(f"panel '{title}' overlaps '{cells[(cx, cy)]}'")
                        break
                    cells[(cx, cy)] = title
                else:
                    continue
                break
        if panel.get("type") == "row":
            continue
        if panel.get("datasource", {}).get("uid") != "${datasource}":
            problems.append(f"panel '{title}': not on the ${{datasource}} variable")
        targets = panel.get("targets", [])
        if not targets:
            problems.append(f"panel '{title}': no query")
        for t in targets:
            expr = t.get("expr", "")
            if not expr.strip():
                problems.append(f"panel '{title}' {t.get('refId')}: empty expr")
            else:
                queries.append((f"panel '{title}' {t.get('refId')}", expr))
    for name, v in variables.items():
        if v.get("type") != "query":
            continue
        query = v.get("query")
        query = query.get("query", "") if isinstance(query, dict) else (query or "")
        selector = label_values_selector(query)
        if selector is None:
            problems.append(f"variable {name}: unsupported query '{query}'")
        else:
            queries.append((f"variable {name}", selector))
    report("dashboard: shape", not problems,
           "; ".join(problems) if problems else
           f"{len(ids)} panels, {len(queries)} queries, variables {', '.join(variables)}")
    return queries


def rule_expressions(path):
    """The alert rules of a PrometheusRule manifest: [(alert, expr)], and the
    spec as a plain Prometheus rules file (for promtool)."""
    text = open(path, encoding="utf-8").read()
    match = re.search(r"^spec:\n(.*)", text, re.S | re.M)
    if match is None:
        return [], ""
    spec = "\n".join(line[2:] if line.startswith("  ") else line
                     for line in match.group(1).splitlines()) + "\n"
    exprs = []
    lines = spec.splitlines()
    alert = "?"
    for i, line in enumerate(lines):
        m = re.match(r"\s*- (?:alert|record): (\S+)", line)
        if m:
            alert = m.group(1)
        m = re.match(r"(\s*)expr: ?(.*)$", line)
        if not m:
            continue
        value = m.group(2).strip()
        if value in ("|", "|-", ">", ">-"):
            indent = len(m.group(1))
            body = []
            for nxt in lines[i + 1:]:
                if nxt.strip() and len(nxt) - len(nxt.lstrip()) <= indent:
                    break
                body.append(nxt.strip())
            value = " ".join(body)
        exprs.append((alert, value.strip("'\"")))
    return exprs, spec


def promtool_parses(promtool, label, exprs, work):
    rules = ["groups:", "  - name: parse-check", "    rules:"]
    for i, (_, expr) in enumerate(exprs):
        rules.append(f"      - record: check:expr_{i}")
        rules.append("        expr: " + json.dumps(grafana_to_promql(expr)))
    path = os.path.join(work, f"{label}.rules.yaml")
    open(path, "w", encoding="utf-8").write("\n".join(rules) + "\n")
    out = subprocess.run([promtool, "check", "rules", path], capture_output=True, text=True)
    return report(f"{label}: every expression parses (promtool check rules)", out.returncode == 0,
                  f"{len(exprs)} expressions" if out.returncode == 0 else
                  " ".join((out.stdout + out.stderr).split())[:800])


def http_get(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, ""
    except OSError:
        return None, ""


def scrape_gateway(binary, work):
    """Starts the gateway, returns the metric names of its /metrics (with a
    histogram's _bucket, _sum and _count), or None."""
    config = os.path.join(work, "gateway.yaml")
    port_file = os.path.join(work, "admin.port")
    open(config, "w", encoding="utf-8").write(GATEWAY_CONFIG)
    log_path = os.path.join(work, "gateway.log")
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen([binary, f"--config={config}", "--allow_anonymous",
                                 "--admin_address=127.0.0.1:0", f"--admin_port_file={port_file}"],
                                stdout=log, stderr=subprocess.STDOUT)
    try:
        text = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None:
            if os.path.exists(port_file):
                try:
                    port = int(open(port_file, encoding="utf-8").read().strip() or 0)
                except ValueError:
                    port = 0
                if port:
                    status, body = http_get(port, "/metrics")
                    # The health checker's first round fills mysqlgw_backend_up.
                    if status == 200 and "mysqlgw_backend_up{" in body:
                        text = body
                        break
            time.sleep(0.2)
        if text is None:
            log = open(log_path, encoding="utf-8", errors="replace").read()
            report("gateway /metrics scraped", False, " ".join(log.split())[-600:])
            return None
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    names = set()
    for name, kind in re.findall(r"^# TYPE (\S+) (\S+)$", text, re.M):
        names.add(name)
        if kind == "histogram":
            names.update({name + "_bucket", name + "_sum", name + "_count"})
        if kind == "summary":
            names.update({name + "_sum", name + "_count"})
    report("gateway /metrics scraped", True, f"{len(names)} names")
    return names


def registered_in_source(src):
    names = set()
    for dirpath, _, files in os.walk(os.path.join(src, "server")):
        for f in files:
            if f.endswith(".cc") and not f.endswith("_test.cc"):
                text = open(os.path.join(dirpath, f), encoding="utf-8", errors="replace").read()
                names.update(re.findall(r'"((?:mysqlgw|process)_[a-z0-9_]+)"', text))
    return names


def check_names(label, queries, exported, registered):
    used = {}
    for where, expr in queries:
        for name in metric_names(grafana_to_promql(expr)):
            used.setdefault(name, where)
    # `up` is Prometheus' own, not the gateway's.
    used.pop("up", None)
    missing = []
    live_only = []
    for name, where in sorted(used.items()):
        if name in exported:
            continue
        if name in LIVE_ONLY and name in registered:
            live_only.append(name)
            continue
        missing.append(f"{name} ({where})")
    detail = (f"not exported: {', '.join(missing)}" if missing else
              f"{len(used)} metrics, all in the scrape" +
              (f" except {', '.join(live_only)} (registered; samples only with live data)"
               if live_only else ""))
    report(f"{label}: every metric is one the gateway exports", not missing, detail)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True, help="the built mysqlgw")
    parser.add_argument("--src", default=ROOT, help="the repository root")
    parser.add_argument("--dashboard", default=None)
    parser.add_argument("--rules", default=None, help="a PrometheusRule manifest")
    args = parser.parse_args()
    dashboard = args.dashboard or os.path.join(args.src, "deploy", "grafana",
                                               "mysqlgw-dashboard.json")
    rules_path = args.rules or os.path.join(args.src, "deploy", "k8s", "base",
                                            "prometheusrule.yaml")
    promtool = shutil.which("promtool")
    if promtool is None:
        report("promtool is installed", False, "scripts/setup installs prometheus")
        return 1

    work = tempfile.mkdtemp(prefix="mysqlgw-dashboard.")
    try:
        queries = dashboard_queries(dashboard)
        if queries:
            promtool_parses(promtool, "dashboard", queries, work)
        alerts, spec = rule_expressions(rules_path)
        report("alert rules: found", bool(alerts), f"{len(alerts)} in {os.path.relpath(rules_path, args.src)}")
        if spec:
            path = os.path.join(work, "alerts.yaml")
            open(path, "w", encoding="utf-8").write(spec)
            out = subprocess.run([promtool, "check", "rules", path], capture_output=True,
                                 text=True)
            found = re.search(r"\d+ rules found", out.stdout)
            report("alert rules: promtool check rules", out.returncode == 0,
                   found.group(0) if out.returncode == 0 and found else
                   " ".join((out.stdout + out.stderr).split())[:800])
        exported = scrape_gateway(args.binary, work)
        if exported is not None:
            registered = registered_in_source(args.src)
            check_names("dashboard", queries, exported, registered)
            check_names("alert rules", alerts, exported, registered)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
