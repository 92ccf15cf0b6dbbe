"""PEP 249 Connection over a mysqlgw.Client."""

from __future__ import annotations

import weakref
from typing import Any, Optional, Union

from .. import errors
from ..client import Client, Seconds, Transaction
from .stream import ResultReader

__all__ = ["Connection"]


class Connection:
    """A DB-API connection to a mysqlgw gateway (from mysqlgw.dbapi.connect).

    With ``autocommit`` False (PEP 249's default) the first statement after
    connect(), commit() or rollback() begins a gateway transaction
    (BeginTransaction, pinned to one backend connection) and every later
    statement runs in it until commit() or rollback(). With ``autocommit``
    True each statement runs on its own on any pooled connection and
    commit()/rollback() do nothing. Turning autocommit on commits an open
    transaction, as MySQL's ``SET autocommit = 1`` does.

    close() rolls back an uncommitted transaction. As a context manager the
    connection commits when the block ends normally, rolls back when it
    raises, and is closed either way.
    """

    # PEP 249 optional extension: the exceptions as connection attributes.
    Warning = errors.Warning
    Error = errors.Error
    InterfaceError = errors.InterfaceError
    DatabaseError = errors.DatabaseError
    DataError = errors.DataError
    OperationalError = errors.OperationalError
    IntegrityError = errors.IntegrityError
    InternalError = errors.InternalError
    ProgrammingError = errors.ProgrammingError
    NotSupportedError = errors.NotSupportedError

    def __init__(self, client: Client, *, owns_client: bool = True,
                 database: Optional[str] = None, autocommit: bool = False,
                 isolation: Union[None, str, int] = None, read_only: bool = False,
                 statement_timeout: Seconds = None,
                 parameter_mode: Union[None, str, int] = None,
                 transaction_idle_timeout: Seconds = None) -> None:
        self._client: Optional[Client] = client
        self._owns_client = owns_client
        self.database = database
        self.isolation = isolation
        self.read_only = read_only
        self.statement_timeout = statement_timeout
        self.parameter_mode = parameter_mode
        self.transaction_idle_timeout = transaction_idle_timeout
        self._autocommit = bool(autocommit)
        self._tx: Optional[Transaction] = None
        # Streams still open inside the current transaction: another
        # statement on the same pinned connection first reads them to the end.
        self._tx_readers: "weakref.WeakSet[ResultReader]" = weakref.WeakSet()
        self._cursors: "weakref.WeakSet[Any]" = weakref.WeakSet()

    # -- state ---------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._client is None

    @property
    def client(self) -> Client:
        """The underlying mysqlgw.Client (for calls DB-API lacks)."""
        return self._check_open()

    @property
    def in_transaction(self) -> bool:
        """Whether a gateway transaction is open (begun and not yet ended)."""
        return self._tx is not None

    @property
    def transaction_id(self) -> Optional[str]:
        return None if self._tx is None else self._tx.id

    @property
    def autocommit(self) -> bool:
        return self._autocommit

    @autocommit.setter
    def autocommit(self, value: bool) -> None:
        self._check_open()
        value = bool(value)
        if value and self._tx is not None:
            self.commit()
        self._autocommit = value

    def _check_open(self) -> Client:
        if self._client is None:
            raise errors.InterfaceError("the connection is closed")
        return self._client

    # -- PEP 249 -------------------------------------------------------------

    def cursor(self) -> "Cursor":
        from .cursor import Cursor

        self._check_open()
        cursor = Cursor(self)
        self._cursors.add(cursor)
        return cursor

    def commit(self) -> None:
        """Commits the open transaction, if any. If the commit fails the
        transaction is rolled back and the error raised; either way the next
        statement begins a new one."""
        self._check_open()
        tx, self._tx = self._tx, None
        if tx is not None:
            self._settle_readers()
            tx.commit()

    def rollback(self) -> None:
        self._check_open()
        tx, self._tx = self._tx, None
        if tx is not None:
            self._settle_readers()
            tx.rollback()

    def close(self) -> None:
        """Closes the cursors, rolls back an uncommitted transaction and
        closes the channel. Closing again does nothing; any other use of a
        closed connection raises InterfaceError."""
        client = self._client
        if client is None:
            return
        for cursor in list(self._cursors):
            cursor.close()
        tx, self._tx = self._tx, None
        if tx is not None:
            tx._quiet_rollback()
        self._client = None
        if self._owns_client:
            client.close()

    def __enter__(self) -> "Connection":
        self._check_open()
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if self._client is not None:
                if exc_type is None:
                    self.commit()
                else:
                    self.rollback()
        finally:
            self.close()

    def __repr__(self) -> str:
        if self._client is None:
            return "<mysqlgw.dbapi.Connection closed>"
        return f"<mysqlgw.dbapi.Connection {self._client.target!r}>"

    # -- for the cursor ------------------------------------------------------

    def _settle_readers(self) -> None:
        """Reads the open streams of the transaction into memory so that its
        connection is free (their cursors still fetch the rows)."""
        for reader in list(self._tx_readers):
            reader.buffer_rest()
        self._tx_readers = weakref.WeakSet()

    def _statement_transaction(self) -> Optional[Transaction]:
        """The transaction a statement runs in (begun now if autocommit is
        off and none is open), after freeing its connection."""
        client = self._check_open()
        if self._autocommit:
            return None
        if self._tx is None:
            self._tx = client.transaction(
                self.isolation, self.read_only, database=self.database,
                idle_timeout=self.transaction_idle_timeout)
        else:
            self._settle_readers()
        return self._tx

    def _track(self, reader: ResultReader) -> None:
        self._tx_readers.add(reader)
