"""mysqlgw.dbapi: a PEP 249 (DB-API 2.0) interface to the mysqlgw gateway.

    from mysqlgw import dbapi
    with dbapi.connect("127.0.0.1:50051", token="...") as conn:
        cur = conn.cursor()
        cur.execute("SELECT id, name FROM users WHERE id = ?", [42])
        print(cur.fetchall())

paramstyle is ``qmark``: ``?`` placeholders with a sequence of parameters.
A mapping with ``:name`` placeholders (the ``named`` style) works too; both
go to the gateway unchanged (it prepares the statement, or interpolates
with ``parameter_mode="interpolated"``). ``%s`` / ``%(name)s`` are not
supported. Values convert as in mysqlgw.values.

Transactions: with autocommit off (the default) the first statement after
connect/commit/rollback begins a gateway transaction; see Connection.
Results are streamed (StreamQuery): see Cursor.

Exceptions are those of mysqlgw.errors (PEP 249's hierarchy, plus
NotAuthorizedError, a DatabaseError), chosen from the MySQL errno and the
gRPC status; a closed connection or cursor raises InterfaceError.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional, Tuple, Union

import grpc

from ..client import Client, Seconds
from ..errors import (
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
from .connection import Connection
from .cursor import Cursor
from .types import (
    BINARY,
    DATETIME,
    NUMBER,
    ROWID,
    STRING,
    Binary,
    Date,
    DateFromTicks,
    DBAPITypeObject,
    Time,
    TimeFromTicks,
    Timestamp,
    TimestampFromTicks,
    TypeCode,
)

apilevel = "2.0"
# Threads may share the module, not connections: a connection's transaction
# and its cursors' streams are not locked.
threadsafety = 1
paramstyle = "qmark"

__all__ = [
    "connect", "Connection", "Cursor", "apilevel", "threadsafety", "paramstyle",
    "Warning", "Error", "InterfaceError", "DatabaseError", "DataError", "OperationalError",
    "IntegrityError", "InternalError", "ProgrammingError", "NotSupportedError",
    "NotAuthorizedError", "STRING", "BINARY", "NUMBER", "DATETIME", "ROWID", "Date", "Time",
    "Timestamp", "DateFromTicks", "TimeFromTicks", "TimestampFromTicks", "Binary",
    "DBAPITypeObject", "TypeCode",
]


def connect(target: str = "127.0.0.1:50051", token: Optional[str] = None,
            database: Optional[str] = None, *, autocommit: bool = False,
            timeout: Seconds = None, statement_timeout: Seconds = None,
            isolation: Union[None, str, int] = None, read_only: bool = False,
            transaction_idle_timeout: Seconds = None,
            parameter_mode: Union[None, str, int] = None,
            credentials: Optional[grpc.ChannelCredentials] = None,
            options: Iterable[Tuple[str, Any]] = (),
            client: Optional[Client] = None) -> Connection:
    """Opens a connection to the gateway at ``target`` (host:port).

    ``token``: the bearer token. ``database``: the default database of every
    statement (and of the transactions). ``autocommit``: see Connection.
    ``timeout``: the gRPC deadline of each call in seconds, for a streamed
    SELECT the whole time until its last row is read. ``statement_timeout``:
    the gateway kills a statement running longer. ``isolation``
    ("read committed", ...), ``read_only`` and ``transaction_idle_timeout``
    apply to the transactions the connection begins. ``parameter_mode``:
    "prepared" or "interpolated". ``credentials``: grpc channel credentials
    for TLS. ``client``: an existing mysqlgw.Client to use (it is not closed
    with the connection); target, token, timeout, credentials and options
    are then ignored.

    No call is made here: an unreachable gateway or a bad token shows at the
    first statement.
    """
    owns = client is None
    if client is None:
        client = Client(target, token, credentials=credentials, timeout=timeout,
                        options=options)
    return Connection(client, owns_client=owns, database=database, autocommit=autocommit,
                      isolation=isolation, read_only=read_only,
                      statement_timeout=statement_timeout, parameter_mode=parameter_mode,
                      transaction_idle_timeout=transaction_idle_timeout)
