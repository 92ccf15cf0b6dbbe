"""mysqlgw: a Python client for the mysqlgw gRPC gateway (SQL over gRPC).

    import mysqlgw
    with mysqlgw.Client("127.0.0.1:50051", token="...") as db:
        rows = db.query("SELECT id, name FROM users WHERE id = ?", [42]).rows

See clients/python/README.md, mysqlgw.values for how values convert and
mysqlgw.errors for the exceptions.
"""

from .changes import (
    Begin,
    ChangeEvent,
    ChangeStream,
    Commit,
    Ddl,
    Heartbeat,
    Position,
    RowChange,
    SnapshotProgress,
    StreamStatus,
    TableSchema,
)
from .client import BatchItem, Client, Transaction
from .errors import (
    DatabaseError,
    DataError,
    Error,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotAuthorizedError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
    Warning,
)
from .results import SKIPPED, Column, Outcome, Result, ResultSet, RowStream
from .values import ZERO_DATE, ZERO_DATETIME, InvalidDate, InvalidDateTime, Json

__version__ = "0.1.0"

__all__ = [
    "Client",
    "Transaction",
    "BatchItem",
    "Result",
    "ResultSet",
    "RowStream",
    "Column",
    "Outcome",
    "SKIPPED",
    "ChangeStream",
    "ChangeEvent",
    "Begin",
    "RowChange",
    "Ddl",
    "Commit",
    "Heartbeat",
    "SnapshotProgress",
    "StreamStatus",
    "Position",
    "TableSchema",
    "Json",
    "InvalidDate",
    "InvalidDateTime",
    "ZERO_DATE",
    "ZERO_DATETIME",
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
]
