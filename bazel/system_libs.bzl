"""Declares Debian's -dev packages as cc_library targets in @system.

Each target's link flags come from pkg-config at fetch time, so the whole
dependency closure (gRPC needs every absl library it was built with) is taken
as Debian ships it.
"""

_PKG_LIBS = {
    "absl": [
        "absl_status",
        "absl_statusor",
        "absl_strings",
        "absl_str_format",
        "absl_synchronization",
        "absl_time",
        "absl_flat_hash_map",
        "absl_hash",
        "absl_cleanup",
        "absl_flags",
        "absl_flags_parse",
        "absl_random_random",
    ],
    "grpc": ["grpc++", "protobuf"],
    "protobuf": ["protobuf"],
    "ssl": ["openssl"],
    "zstd": ["libzstd"],
    "sodium": ["libsodium"],
    "zlib": ["zlib"],
    "mariadb_client": ["libmariadb"],
    "yaml": ["yaml-0.1"],
    "re2": ["re2"],
    "lua": ["lua5.4"],
}

def _pkg_config(ctx, args):
    res = ctx.execute(["pkg-config"] + args)
    if res.return_code != 0:
        fail("pkg-config %s failed: %s" % (" ".join(args), res.stderr))
    return res.stdout.strip().split(" ") if res.stdout.strip() else []

def _dedup(flags):
    # Keep the last occurrence so static link order stays valid.
    seen = {}
    out = []
    for f in reversed(flags):
        if f and f not in seen:
            seen[f] = True
            out.append(f)
    return list(reversed(out))

def _system_libs_impl(ctx):
    lines = ['package(default_visibility = ["//visibility:public"])', ""]
    for name, pkgs in _PKG_LIBS.items():
        libs = _dedup(_pkg_config(ctx, ["--libs"] + pkgs))
        cflags = [f for f in _pkg_config(ctx, ["--cflags"] + pkgs) if f.startswith("-D")]
        lines.append("cc_library(")
        lines.append('    name = "%s",' % name)
        lines.append("    linkopts = %s," % repr(libs))
        lines.append("    defines = %s," % repr([f[2:] for f in cflags]))
        lines.append(")")
        lines.append("")

    # Header-only or static-archive packages that have no pkg-config file.
    lines.append('cc_library(name = "grpc_reflection", linkopts = ["-Wl,--no-as-needed", "-lgrpc++_reflection", "-Wl,--as-needed"], deps = [":grpc"])')
    # The allocator: linked whether or not anything names it (it replaces
    # malloc), so outside --as-needed.
    lines.append('cc_library(name = "tcmalloc", linkopts = ["-Wl,--no-as-needed", "-ltcmalloc_minimal", "-Wl,--as-needed"])')
    lines.append('cc_library(name = "boost", defines = ["BOOST_ASIO_NO_DEPRECATED"])')
    lines.append('cc_library(name = "gtest", linkopts = ["-lgmock", "-lgtest", "-pthread"])')
    lines.append('cc_library(name = "gtest_main", linkopts = ["-lgmock", "-lgtest_main", "-lgtest", "-pthread"])')
    lines.append('cc_library(name = "benchmark", linkopts = ["-lbenchmark", "-pthread"])')
    ctx.file("BUILD", "\n".join(lines) + "\n")
    ctx.file("WORKSPACE", 'workspace(name = "%s")\n' % ctx.name)

system_libs = repository_rule(
    implementation = _system_libs_impl,
    local = True,
)
