#!/usr/bin/env python3
"""Fails when deploy/docker/Dockerfile's package lists drift.

Build stage: its apt-get install list must equal scripts/setup's PACKAGES
minus TEST_ONLY below (each with the reason it is not needed to build the
gateway). Runtime stage (with --binary): its list must equal the Debian
packages that hold the libraries the binary needs (readelf -d NEEDED, found
with ldd, owned per dpkg -S), plus RUNTIME_EXTRAS.

Prints one line per problem and exits 1 if there is any.
"""

import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# In scripts/setup but not needed to build //server/gateway:mysqlgw.
TEST_ONLY = {
    "libgtest-dev": "C++ unit tests",
    "libgmock-dev": "C++ unit tests",
    "libbenchmark-dev": "benchmarks (bench/)",
    "mariadb-server": "sandbox servers for tests and scripts/run",
    "mariadb-client": "tests and scripts/run's smoke check",
    "openssl": "test certificates",
    "python3": "Python client tests",
    "python3-grpcio": "Python client tests",
    "python3-protobuf": "Python client tests",
    "sysbench": "listener tests and benchmarks",
    "haproxy": "the reference proxy of bench/listener_bench",
    "valgrind": "scripts/memcheck",
    "python3-pymysql": "listener tests",
    "python3-cryptography": "listener tests",
    "prometheus": "metrics tests, promtool",
    "golang-go": "Go client tests (clients/go)",
    "golang-google-grpc-dev": "Go client tests (clients/go)",
    "golang-google-protobuf-dev": "Go client tests (clients/go)",
    "protoc-gen-go": "Go client tests (clients/go)",
    "protoc-gen-go-grpc": "Go client tests (clients/go)",
    "golang-github-golang-protobuf-1-5-dev": "Go client tests (clients/go)",
    "clang": "fuzzing (scripts/fuzz)",
    "libclang-rt-14-dev": "fuzzing (scripts/fuzz)",
    "chromium": "the /statusz browser test (tests/statusz)",
    "chromium-driver": "the /statusz browser test (tests/statusz)",
}

# In the runtime stage without being a library of the binary.
RUNTIME_EXTRAS = {
    "ca-certificates": "backend TLS verified against the system's CAs",
}


def strip_comment(line):
    return line.split("#", 1)[0]


def setup_packages(path):
    """The words of the PACKAGES=( ... ) array in scripts/setup."""
    text = open(path, encoding="utf-8").read()
    match = re.search(r"^PACKAGES=\((.*?)^\)", text, re.S | re.M)
    if match is None:
        raise ValueError(f"{path}: no PACKAGES=( ... ) array")
    words = []
    for line in match.group(1).splitlines():
        words.extend(strip_comment(line).split())
    return words


def dockerfile_stages(path):
    """Stage name -> the packages of its `apt-get install` commands."""
    stages = {}
    current = None
    # Join continuation lines first, dropping comment lines inside them.
    logical, pending = [], ""
    for raw in open(path, encoding="utf-8").read().splitlines():
        # Docker skips comment lines, and empty lines inside a continuation.
        if raw.lstrip().startswith("#") or (pending and not raw.strip()):
            continue
        if raw.rstrip().endswith("\\"):
            pending += raw.rstrip()[:-1] + " "
            continue
        logical.append(pending + raw)
        pending = ""
    for line in logical:
        words = line.split()
        if not words:
            continue
        if words[0].upper() == "FROM":
            current = words[3] if len(words) >= 4 and words[2].upper() == "AS" else words[1]
            stages[current] = []
            continue
        if words[0].upper() != "RUN" or current is None:
            continue
        for command in re.split(r"&&|;", line):
            parts = command.split()
            if "apt-get" in parts and "install" in parts:
                after = parts[parts.index("install") + 1:]
                stages[current].extend(w for w in after if not w.startswith("-"))
    return stages


def needed_libraries(binary):
    out = subprocess.run(["readelf", "-d", binary], check=True, capture_output=True,
                         text=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def resolved_paths(binary):
    out = subprocess.run(["ldd", binary], check=True, capture_output=True, text=True).stdout
    paths = {}
    for line in out.splitlines():
        match = re.match(r"\s*(\S+) => (/\S+)", line)
        if match:
            paths[match.group(1)] = match.group(2)
            continue
        # The dynamic loader is listed by path alone.
        match = re.match(r"\s*(/\S+) \(0x", line)
        if match:
            paths[os.path.basename(match.group(1))] = match.group(1)
    return paths


def owning_package(path):
    # With merged /usr, dpkg knows a library under one of its two names.
    candidates = [os.path.realpath(path), path]
    if path.startswith("/lib"):
        candidates.append("/usr" + path)
    for candidate in candidates:
        result = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if result.returncode == 0:
            return result.stdout.split(":", 1)[0].split(",")[0].strip()
    return None


def compare(label, have, want, problems):
    for name in sorted(set(have) - set(want)):
        problems.append(f"{label}: {name} is in the Dockerfile but should not be")
    for name in sorted(set(want) - set(have)):
        problems.append(f"{label}: {name} is missing from the Dockerfile")
    for name in sorted({n for n in have if have.count(n) > 1}):
        problems.append(f"{label}: {name} is listed twice")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--setup", default=os.path.join(ROOT, "scripts", "setup"))
    parser.add_argument("--dockerfile", default=os.path.join(ROOT, "deploy", "docker", "Dockerfile"))
    parser.add_argument("--binary", help="the built mysqlgw, to check the runtime stage")
    args = parser.parse_args()

    problems = []
    setup = setup_packages(args.setup)
    stages = dockerfile_stages(args.dockerfile)
    for stage in ("build", "runtime"):
        if stage not in stages:
            problems.append(f"{args.dockerfile}: no stage named '{stage}'")
    for name in sorted(set(TEST_ONLY) - set(setup)):
        problems.append(f"test-only list: {name} is no longer in scripts/setup (remove it here)")

    build = stages.get("build", [])
    compare("build stage", build, [p for p in setup if p not in TEST_ONLY], problems)
    print(f"deploy: Dockerfile build stage: {len(build)} packages, scripts/setup: {len(setup)} "
          f"({len(TEST_ONLY)} test-only)")

    if args.binary:
        paths = resolved_paths(args.binary)
        want = set(RUNTIME_EXTRAS)
        for lib in needed_libraries(args.binary):
            if lib not in paths:
                problems.append(f"runtime: ldd does not resolve {lib}")
                continue
            package = owning_package(paths[lib])
            if package is None:
                problems.append(f"runtime: no Debian package owns {paths[lib]} ({lib})")
            else:
                want.add(package)
        runtime = stages.get("runtime", [])
        compare("runtime stage", runtime, sorted(want), problems)
        print(f"deploy: Dockerfile runtime stage: {len(runtime)} packages, the binary needs "
              f"{len(want) - len(RUNTIME_EXTRAS)} (+{len(RUNTIME_EXTRAS)} extra)")

    for problem in problems:
        print(f"deploy: Dockerfile: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
