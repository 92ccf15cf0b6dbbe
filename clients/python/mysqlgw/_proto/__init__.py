"""Generated protobuf and gRPC modules of the mysqlgw API.

The *_pb2.py and *_pb2_grpc.py files here are written by
clients/python/generate.sh and are not committed; see that script for how
protoc's absolute imports are made package-relative.
"""

try:
    from . import gateway_pb2, gateway_pb2_grpc, value_pb2  # noqa: F401
except ImportError as e:  # pragma: no cover - depends on the checkout state
    if getattr(e, "name", None) and not e.name.startswith(__name__):
        raise  # grpc or protobuf itself is missing
    raise ImportError(
        "mysqlgw's generated stubs are missing: run clients/python/generate.sh "
        "(needs protoc and grpc_python_plugin)"
    ) from e

__all__ = ["gateway_pb2", "gateway_pb2_grpc", "value_pb2"]
