"""Exceptions raised by the mysqlgw client.

The classes follow PEP 249 (DB-API 2.0) so that a DB-API module can raise
them unchanged::

    Error                       any failure (always caught by `except Error`)
    +-- InterfaceError          a client-side problem (closed client, bad reply)
    +-- DatabaseError           the gateway or the database refused the call
        +-- DataError           a value the column cannot take
        +-- OperationalError    transient / environmental: retry may succeed
        +-- IntegrityError      a constraint: duplicate key, foreign key, NOT NULL
        +-- InternalError       a gateway bug (INTERNAL, DATA_LOSS)
        +-- ProgrammingError    bad SQL, unknown table/column/transaction, bad
        |                       parameters
        +-- NotSupportedError   UNIMPLEMENTED, "not supported" errnos
        +-- NotAuthorizedError  UNAUTHENTICATED, PERMISSION_DENIED

Every error carries:
  code         the grpc.StatusCode of the failed call (None for an error
               raised before any call, and for a failed ExecuteBatch item)
  mysql_errno  the MySQL errno when the database produced the error, else None
  sqlstate     its SQLSTATE ("23000"), else None
  message      the database's message when there is one, else the gateway's
  status_message  the gRPC status message (the gateway's wording)

The class is chosen from the errno first, where the errno is more precise
than the status code, then from the status code:

  errno 1062, 1586, 1022, 1169, 1048, 1451, 1452, 1216,
        1217, 1557, 1761, 1762, 1859, 3819, 4025           IntegrityError
  errno 1264, 1265, 1292, 1365, 1366, 1367, 1406, 1441,
        1690, 1263, 1171                                   DataError
  errno 1235, 1295                                          NotSupportedError
  errno 1050 (table exists), 1007 (database exists)         ProgrammingError
  ALREADY_EXISTS                                            IntegrityError
  INVALID_ARGUMENT, NOT_FOUND                               ProgrammingError
  OUT_OF_RANGE                                              DataError
  FAILED_PRECONDITION (read-only server, ...)               OperationalError
  UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED,
  RESOURCE_EXHAUSTED, CANCELLED                             OperationalError
  UNAUTHENTICATED, PERMISSION_DENIED                        NotAuthorizedError
  INTERNAL, DATA_LOSS                                       InternalError
  UNIMPLEMENTED                                             NotSupportedError
  UNKNOWN and batch items: by errno class, else             DatabaseError
"""

from __future__ import annotations

from typing import Iterator, Optional, Tuple

import grpc

from ._proto import gateway_pb2

__all__ = [
    "Error",
    "Warning",
    "InterfaceError",
    "DatabaseError",
    "DataError",
    "OperationalError",
    "IntegrityError",
    "InternalError",
    "ProgrammingError",
    "NotSupportedError",
    "NotAuthorizedError",
    "MYSQL_ERROR_TYPE_URL",
    "error_from_rpc",
    "error_for",
    "parse_status_details",
]

MYSQL_ERROR_TYPE_URL = "type.googleapis.com/mysqlgw.v1.MySqlError"
_DETAILS_KEY = "grpc-status-details-bin"


class Warning(Exception):  # noqa: A001 - the PEP 249 name
    """PEP 249's Warning (not raised by this client; statement warnings are
    counted in Outcome.warnings)."""


class Error(Exception):
    """Base class of every mysqlgw client error."""

    def __init__(self, message: str, *, code: Optional[grpc.StatusCode] = None,
                 mysql_errno: Optional[int] = None, sqlstate: Optional[str] = None,
                 status_message: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.mysql_errno = mysql_errno
        self.sqlstate = sqlstate
        self.status_message = message if status_message is None else status_message

    def __str__(self) -> str:
        parts = []
        if self.code is not None:
            parts.append(self.code.name)
        if self.mysql_errno is not None:
            parts.append(f"({self.mysql_errno}/{self.sqlstate or '-----'})")
        prefix = " ".join(parts)
        return f"{prefix}: {self.message}" if prefix else self.message

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.message!r}, code={self.code}, "
                f"mysql_errno={self.mysql_errno}, sqlstate={self.sqlstate!r})")


class InterfaceError(Error):
    pass


class DatabaseError(Error):
    pass


class DataError(DatabaseError):
    pass


class OperationalError(DatabaseError):
    pass


class IntegrityError(DatabaseError):
    pass


class InternalError(DatabaseError):
    pass


class ProgrammingError(DatabaseError):
    pass


class NotSupportedError(DatabaseError):
    pass


class NotAuthorizedError(DatabaseError):
    pass


# ---------------------------------------------------------------------------
# Choosing the class.

_INTEGRITY_ERRNOS = frozenset({
    1062, 1586, 1022, 1169,  # duplicate key
    1048,  # column cannot be null
    1451, 1452, 1216, 1217, 1557, 1761, 1762,  # foreign keys
    1859,  # duplicate unknown entry
    3819, 4025,  # CHECK constraint (MySQL, MariaDB)
})
_DATA_ERRNOS = frozenset({
    1263, 1264, 1265, 1171, 1292, 1365, 1366, 1367, 1406, 1441, 1690,
})
_NOT_SUPPORTED_ERRNOS = frozenset({1235, 1295})
_PROGRAMMING_ERRNOS = frozenset({
    1007, 1050,  # database / table exists: a DDL mistake, not a constraint
    1049, 1054, 1064, 1060, 1061, 1091, 1110, 1136, 1146, 1149, 1305,
})
_OPERATIONAL_ERRNOS = frozenset({
    1040, 1053, 1205, 1213, 1290, 1927, 1969, 2006, 2013, 3024,
})
_NOT_AUTHORIZED_ERRNOS = frozenset({1044, 1045, 1142, 1143, 1227, 1370})

_BY_CODE = {
    grpc.StatusCode.ALREADY_EXISTS: IntegrityError,
    grpc.StatusCode.INVALID_ARGUMENT: ProgrammingError,
    grpc.StatusCode.NOT_FOUND: ProgrammingError,
    grpc.StatusCode.OUT_OF_RANGE: DataError,
    grpc.StatusCode.FAILED_PRECONDITION: OperationalError,
    grpc.StatusCode.UNAVAILABLE: OperationalError,
    grpc.StatusCode.DEADLINE_EXCEEDED: OperationalError,
    grpc.StatusCode.ABORTED: OperationalError,
    grpc.StatusCode.RESOURCE_EXHAUSTED: OperationalError,
    grpc.StatusCode.CANCELLED: OperationalError,
    grpc.StatusCode.UNAUTHENTICATED: NotAuthorizedError,
    grpc.StatusCode.PERMISSION_DENIED: NotAuthorizedError,
    grpc.StatusCode.INTERNAL: InternalError,
    grpc.StatusCode.DATA_LOSS: InternalError,
    grpc.StatusCode.UNIMPLEMENTED: NotSupportedError,
}


def error_class(code: Optional[grpc.StatusCode], mysql_errno: Optional[int]) -> type:
    """The exception class for a status code and errno (table above)."""
    if mysql_errno is not None:
        if mysql_errno in _INTEGRITY_ERRNOS:
            return IntegrityError
        if mysql_errno in _DATA_ERRNOS:
            return DataError
        if mysql_errno in _NOT_SUPPORTED_ERRNOS:
            return NotSupportedError
        if mysql_errno in (1007, 1050):
            return ProgrammingError
    cls = _BY_CODE.get(code) if code is not None else None
    if cls is not None:
        return cls
    if mysql_errno is not None:
        if mysql_errno in _PROGRAMMING_ERRNOS:
            return ProgrammingError
        if mysql_errno in _OPERATIONAL_ERRNOS:
            return OperationalError
        if mysql_errno in _NOT_AUTHORIZED_ERRNOS:
            return NotAuthorizedError
    return DatabaseError


def error_for(code: Optional[grpc.StatusCode], status_message: str,
              mysql_error: Optional[gateway_pb2.MySqlError] = None) -> Error:
    """Builds the exception for a status code, its message and, when the
    database produced the error, its MySqlError."""
    if mysql_error is not None:
        errno = mysql_error.code
        return error_class(code, errno)(
            mysql_error.message or status_message, code=code, mysql_errno=errno,
            sqlstate=mysql_error.sql_state or None, status_message=status_message)
    return error_class(code, None)(status_message, code=code)


# ---------------------------------------------------------------------------
# google.rpc.Status in the grpc-status-details-bin trailer.
#
# Decoded by hand rather than with generated google/rpc/status_pb2: that
# module would register "google/rpc/status.proto" in protobuf's default
# descriptor pool and collide with googleapis-common-protos' copy.


def _varint(buf: bytes, pos: int) -> Tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise ValueError("truncated or overlong varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def _fields(buf: bytes) -> Iterator[Tuple[int, int, object]]:
    """(field number, wire type, value) for each field of a message."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            value, pos = _varint(buf, pos)
        elif wire_type == 1:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wire_type == 2:
            size, pos = _varint(buf, pos)
            value, pos = buf[pos:pos + size], pos + size
        elif wire_type == 5:
            value, pos = buf[pos:pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported wire type {wire_type}")
        if pos > len(buf):
            raise ValueError("truncated field")
        yield number, wire_type, value


def parse_status_details(
        data: bytes) -> Tuple[Optional[int], str, Optional[gateway_pb2.MySqlError]]:
    """Decodes a serialized google.rpc.Status: (code, message, the first
    MySqlError among its details or None). Raises ValueError if malformed."""
    code: Optional[int] = None
    message = ""
    mysql_error = None
    for number, wire_type, value in _fields(bytes(data)):
        if number == 1 and wire_type == 0:
            code = value - (1 << 64) if value >= (1 << 63) else value
        elif number == 2 and wire_type == 2:
            message = bytes(value).decode("utf-8", "replace")
        elif number == 3 and wire_type == 2 and mysql_error is None:
            type_url, payload = "", b""
            for n, wt, v in _fields(value):
                if n == 1 and wt == 2:
                    type_url = bytes(v).decode("utf-8", "replace")
                elif n == 2 and wt == 2:
                    payload = bytes(v)
            if type_url == MYSQL_ERROR_TYPE_URL:
                mysql_error = gateway_pb2.MySqlError.FromString(payload)
    return code, message, mysql_error


def error_from_rpc(e: grpc.RpcError) -> Error:
    """Converts a failed call's grpc.RpcError to the matching Error, with
    the MySqlError of its status details when there is one. The original is
    kept as __cause__ when raised with `raise ... from e`."""
    code = e.code() if hasattr(e, "code") else grpc.StatusCode.UNKNOWN
    status_message = (e.details() if hasattr(e, "details") else None) or str(e)
    mysql_error = None
    trailers = e.trailing_metadata() if hasattr(e, "trailing_metadata") else None
    for key, value in trailers or ():
        if key == _DETAILS_KEY:
            try:
                _, _, mysql_error = parse_status_details(value)
            except Exception:  # malformed details: keep the status itself
                mysql_error = None
            break
    return error_for(code, status_message, mysql_error)
