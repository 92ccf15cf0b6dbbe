#!/usr/bin/python3
"""Runs the real gateway on each overlay's configuration, offline.

  check_gateway.py --binary MYSQLGW --src ROOT --rules RULES.yaml \\
      NAME=CONFIG.yaml[,BROKEN.yaml] ...

Everything runs inside a private network namespace (unshare --net) that has
only a loopback interface: the configurations name cluster hosts, and the
gateway's pools and health checks try to reach them at start-up; there they
fail at once, locally. The gateway binds the addresses its configuration
names, as in a Pod. For each configuration:
  - the gateway starts with it (BuildConfig, the interception policy, the
    listeners) and /healthz, /readyz and grpc.health.v1 answer SERVING;
  - the configuration file is replaced the way the kubelet updates a
    ConfigMap volume (a new directory, then the ..data symlink swapped) and
    the interception policy is reloaded (mysqlgw_policy_generation 2);
  - BROKEN (the same file with an invalid rule) is rejected: the policy stays
    and mysqlgw_policy_reloads_total{result="error"} counts it;
  - SIGTERM, sent to the gateway running as PID 1 of its own PID namespace
    as in a container, drains for the configured shutdown_grace_period and
    exits 0.
Also: every mysqlgw_* metric the alert rules use is registered in server/.

Prints one line per check; exits 1 on any failure.
"""

import argparse
import fcntl
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

NETNS_MARK = "MYSQLGW_DEPLOY_IN_NETNS"
FAILURES = []


def report(name, check, ok, detail=""):
    status = "ok" if ok else "FAILED"
    print(f"deploy: {name}: {check}: {status}{(' (' + detail + ')') if detail else ''}",
          flush=True)
    if not ok:
        FAILURES.append(f"{name}: {check}")
    return ok


def loopback_up():
    # SIOCGIFFLAGS / SIOCSIFFLAGS: a new network namespace's lo starts down,
    # and iproute2 may not be installed.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        req = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(s, 0x8913, req))[1]
        fcntl.ioctl(s, 0x8914, struct.pack("16sH14x", b"lo", flags | 0x1))


def http_get(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")
    except OSError as e:
        return None, str(e)


def metric_value(text, name, labels=""):
    pattern = re.escape(name) + (re.escape("{" + labels + "}") if labels else "") + r" (\S+)$"
    match = re.search("^" + pattern, text, re.M)
    return float(match.group(1)) if match else None


def grpc_health(port):
    import grpc  # python3-grpcio (scripts/setup)
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        check = channel.unary_unary("/grpc.health.v1.Health/Check")
        # HealthCheckRequest{} is empty; HealthCheckResponse{status: SERVING}
        # is field 1 = 1.
        return check(b"", timeout=5) == b"\x08\x01"


def wait_for(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return predicate()


def password_envs(config_text):
    return set(re.findall(r"^\s*-?\s*password_?[eE]nv:\s*\"?([A-Za-z_][A-Za-z0-9_]*)", config_text,
                          re.M))


def grace_ms(config_text):
    match = re.search(r"^shutdown_grace_period:\s*\"?(\d+(?:\.\d+)?)(ms|s|m|h)\"?", config_text,
                      re.M)
    if match is None:
        return 10000
    scale = {"ms": 1, "s": 1000, "m": 60000, "h": 3600000}[match.group(2)]
    return int(float(match.group(1)) * scale)


def child_pid(pid):
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            children = open(f"/proc/{pid}/task/{task}/children").read().split()
        except OSError:
            continue
        if children:
            return int(children[0])
    return None


class KubeletDir:
    """A directory laid out like a ConfigMap volume: config.yaml ->
    ..data/config.yaml, ..data -> ..<timestamp>/; updates swap ..data."""

    def __init__(self, root):
        self.root = root
        self.generation = 0

    def publish(self, source):
        self.generation += 1
        version = os.path.join(self.root, f"..2026_01_01_00_00_0{self.generation}.000")
        os.mkdir(version)
        shutil.copyfile(source, os.path.join(version, "config.yaml"))
        tmp = os.path.join(self.root, "..data_tmp")
        os.symlink(os.path.basename(version), tmp)
        os.replace(tmp, os.path.join(self.root, "..data"))
        link = os.path.join(self.root, "config.yaml")
        if not os.path.islink(link):
            os.symlink("..data/config.yaml", link)
        return link


def check_config(binary, name, config, broken):
    text = open(config, encoding="utf-8").read()
    work = tempfile.mkdtemp(prefix=f"mysqlgw-deploy-{name}.")
    proc = None
    try:
        kubelet = KubeletDir(work)
        path = kubelet.publish(config)
        port_file = os.path.join(work, "grpc.port")
        admin_file = os.path.join(work, "admin.port")
        log_path = os.path.join(work, "gateway.log")
        env = dict(os.environ)
        for var in password_envs(text):
            env[var] = "placeholder-password"
        with open(log_path, "wb") as log:
            # As PID 1 of its own PID namespace, like the image's exec-form
            # entrypoint in a container: the kernel drops signals PID 1 has
            # no handler for, so SIGTERM must still reach the gateway.
            proc = subprocess.Popen(
                ["unshare", "--pid", "--fork", "--kill-child", binary, f"--config={path}",
                 f"--port_file={port_file}", f"--admin_port_file={admin_file}",
                 "--config_poll_ms=100"],
                stdout=log, stderr=subprocess.STDOUT, env=env)

        def log_text():
            return open(log_path, encoding="utf-8", errors="replace").read()

        def port_of(f):
            try:
                return int(open(f).read().strip())
            except (OSError, ValueError):
                return None

        started = wait_for(lambda: proc.poll() is not None or
                           (port_of(port_file) and port_of(admin_file)), 20)
        if proc.poll() is not None or not started:
            tail = " | ".join(log_text().strip().splitlines()[-5:])
            report(name, "gateway starts with the configuration", False,
                   f"exit {proc.poll()}: {tail}")
            return
        grpc_port, admin_port = port_of(port_file), port_of(admin_file)
        report(name, "gateway starts with the configuration", True,
               f"gRPC port {grpc_port}, admin port {admin_port}")

        health = http_get(admin_port, "/healthz")
        ready = http_get(admin_port, "/readyz")
        report(name, "GET /healthz and /readyz", health[0] == 200 and ready[0] == 200,
               f"{health[0]}, {ready[0]}")
        try:
            serving = grpc_health(grpc_port)
        except Exception as e:  # noqa: BLE001 - any failure is the answer
            serving, why = False, str(e).splitlines()[0]
        else:
            why = "SERVING" if serving else "not SERVING"
        report(name, "grpc.health.v1 Check", serving, why)

        def metrics():
            return http_get(admin_port, "/metrics")[1]

        kubelet.publish(config)
        reloaded = wait_for(lambda: metric_value(metrics(), "mysqlgw_policy_generation") == 2, 10)
        report(name, "reload after a kubelet-style ConfigMap update", bool(reloaded),
               f"mysqlgw_policy_generation {metric_value(metrics(), 'mysqlgw_policy_generation')}")

        if broken:
            kubelet.publish(broken)
            counted = wait_for(lambda: metric_value(
                metrics(), "mysqlgw_policy_reloads_total", 'result="error"') == 1, 10)
            now = metrics()
            generation = metric_value(now, "mysqlgw_policy_generation")
            errors = metric_value(now, "mysqlgw_policy_reloads_total", 'result="error"')
            ready = http_get(admin_port, "/readyz")[0]
            report(name, "an invalid rule is rejected, the policy stays",
                   bool(counted) and generation == 2 and ready == 200,
                   f"reloads{{result=error}} {errors}, generation {generation}, /readyz {ready}")

        gateway = child_pid(proc.pid)
        if gateway is None:
            report(name, "SIGTERM to PID 1 drains for shutdown_grace_period and exits 0", False,
                   "cannot find the gateway process under unshare")
            return
        os.kill(gateway, signal.SIGTERM)
        want = grace_ms(text)
        try:
            code = proc.wait(timeout=want / 1000 + 15)
        except subprocess.TimeoutExpired:
            code = None
        drained = f"draining for up to {want} ms" in log_text()
        report(name, "SIGTERM to PID 1 drains for shutdown_grace_period and exits 0",
               code == 0 and drained, f"exit {code}, grace {want} ms logged: {drained}")
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        if not FAILURES:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"deploy: {name}: gateway log and files kept in {work}")


def registered_metrics(src):
    names = set()
    for dirpath, _, files in os.walk(os.path.join(src, "server")):
        for f in files:
            if f.endswith(".cc") and not f.endswith("_test.cc"):
                text = open(os.path.join(dirpath, f), encoding="utf-8", errors="replace").read()
                names.update(re.findall(r'"(mysqlgw_[a-z0-9_]+)"', text))
    return names


def check_alert_metrics(src, rules_files):
    registered = registered_metrics(src)
    used = set()
    for path in rules_files:
        used.update(re.findall(r"\b(mysqlgw_[a-z0-9_]+)", open(path, encoding="utf-8").read()))
    missing = []
    for name in sorted(used):
        base = re.sub(r"_(bucket|sum|count)$", "", name)
        if name not in registered and base not in registered:
            missing.append(name)
    report("alerts", "every mysqlgw_* metric they use is registered in server/", not missing,
           f"missing: {', '.join(missing)}" if missing else f"{len(used)} metrics")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--src", required=True, help="the repository root")
    parser.add_argument("--rules", action="append", default=[])
    parser.add_argument("configs", nargs="+", help="NAME=CONFIG.yaml[,BROKEN.yaml]")
    args = parser.parse_args()

    if os.environ.get(NETNS_MARK) != "1":
        env = dict(os.environ, **{NETNS_MARK: "1"})
        try:
            return subprocess.call(["unshare", "--net", sys.executable, os.path.abspath(__file__),
                                    *sys.argv[1:]], env=env)
        except OSError as e:
            print(f"deploy: gateway checks: FAILED (cannot run unshare --net: {e})")
            return 1
    loopback_up()

    check_alert_metrics(args.src, args.rules)
    for spec in args.configs:
        name, _, files = spec.partition("=")
        config, _, broken = files.partition(",")
        check_config(args.binary, name, config, broken)
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
