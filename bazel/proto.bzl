"""C++ code generation for .proto files with Debian's protoc and gRPC plugin.

Bazel 4.2.3's native proto rules would fetch protobuf's sources; this runs
the installed `protoc` instead and wraps the output in a cc_library.
"""

load("@rules_cc//cc:defs.bzl", "cc_library")

def cc_proto_codegen(name, srcs, grpc = False, deps = []):
    """Generates <name> (cc_library) from srcs (paths relative to proto/)."""
    outs = []
    for src in srcs:
        base = src[:-len(".proto")]
        outs += [base + ".pb.h", base + ".pb.cc"]
        if grpc:
            outs += [base + ".grpc.pb.h", base + ".grpc.pb.cc"]
    plugin = ""
    if grpc:
        plugin = "--grpc_out=$(GENDIR)/proto --plugin=protoc-gen-grpc=/usr/bin/grpc_cpp_plugin "
    native.genrule(
        name = name + "_gen",
        srcs = srcs,
        outs = outs,
        cmd = ("protoc -Iproto -I/usr/include --cpp_out=$(GENDIR)/proto " + plugin +
               " ".join(["$(location %s)" % s for s in srcs])),
    )
    cc_library(
        name = name,
        srcs = [o for o in outs if o.endswith(".cc")],
        hdrs = [o for o in outs if o.endswith(".h")],
        includes = ["."],
        deps = deps + ["@system//:grpc"],
        copts = ["-Wno-unused-parameter"],
    )
