"""PEP 249 Cursor: statements through StreamQuery, batches through
ExecuteBatch."""

from __future__ import annotations

from typing import Any, Iterable, List, Optional, Sequence, Tuple

from .. import errors
from .._proto import gateway_pb2
from ..client import Client, Params
from ..results import Column, Outcome
from .stream import ResultReader
from .types import TypeCode

__all__ = ["Cursor"]

Description = Tuple[str, TypeCode, Optional[int], Optional[int], Optional[int],
                    Optional[int], bool]

_DECIMAL_TYPES = (0, 246)  # COLUMN_TYPE_DECIMAL, COLUMN_TYPE_NEWDECIMAL


def _describe(c: Column) -> Description:
    """PEP 249's 7-tuple: (name, type_code, display_size, internal_size,
    precision, scale, null_ok). internal_size is MySQL's column length in
    bytes; precision and scale are set for DECIMAL (digits, fraction
    digits); display_size is not known."""
    precision = scale = None
    if c.type in _DECIMAL_TYPES:
        # The length counts the sign and the point.
        precision = max(0, c.length - (1 if c.decimals else 0) - (0 if c.unsigned else 1))
        scale = c.decimals
    return (c.name, TypeCode(c.type, c.binary), None, c.length, precision, scale, c.nullable)


class Cursor:
    """A DB-API cursor (from Connection.cursor()).

    execute() runs the statement with StreamQuery and reads only up to the
    first result set's header (so errors such as bad SQL are raised by
    execute()); fetchone/fetchmany/fetchall then read the rows chunk by
    chunk, holding one chunk (about the gateway's stream_chunk_bytes) at a
    time whatever the result's size. A statement without rows is read to its
    end at once: rowcount and lastrowid are then set.

    rowcount: affected rows of a statement without rows (the sum over the
    items for executemany); for a result set, -1 until every row has been
    fetched, then the number of rows. lastrowid: the statement's
    LAST_INSERT_ID() when it generated one, else None.

    Closing the cursor, or executing again, stops an unread result: outside
    a transaction the call is cancelled (the gateway kills the statement);
    inside one the rest is read and dropped, because a killed statement
    makes the gateway discard the transaction's connection.
    """

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.arraysize = 1
        self.description: Optional[List[Description]] = None
        self.rowcount = -1
        self.lastrowid: Optional[int] = None
        self.rownumber: Optional[int] = None
        self._reader: Optional[ResultReader] = None
        self._reader_in_tx = False
        self._closed = False

    # -- state ---------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._closed

    def _client(self) -> Client:
        if self._closed:
            raise errors.InterfaceError("the cursor is closed")
        return self.connection._check_open()

    def _stop_reader(self) -> None:
        reader, self._reader = self._reader, None
        if reader is None or reader.ended:
            return
        if self._reader_in_tx and not self.connection.closed:
            try:
                reader.drain()
            except errors.Error:
                pass  # the statement's own failure; the next call reports any other
        else:
            reader.cancel()

    def _reset(self) -> None:
        self._stop_reader()
        self.description = None
        self.rowcount = -1
        self.lastrowid = None
        self.rownumber = None

    def _load_result(self) -> None:
        """Takes the reader's current result set (just after its header)."""
        reader = self._reader
        assert reader is not None
        reader.finish_if_no_columns()
        if reader.columns:
            self.description = [_describe(c) for c in reader.columns]
            self.rowcount = -1
            self.lastrowid = None
            self.rownumber = 0
        else:
            self.description = None
            self.rownumber = None
            self._take_outcome(reader.outcome or Outcome())

    def _take_outcome(self, outcome: Outcome) -> None:
        self.rowcount = outcome.affected_rows
        self.lastrowid = outcome.last_insert_id or None

    # -- PEP 249 -------------------------------------------------------------

    def execute(self, operation: str, parameters: Params = None) -> "Cursor":
        """Runs one statement (or a CALL / multi-statement text: see
        nextset()). ``parameters`` is a sequence for ``?`` placeholders
        (paramstyle qmark) or a mapping for ``:name`` placeholders. Returns
        the cursor, so ``cursor.execute(...).fetchall()`` works."""
        client = self._client()
        self._reset()
        tx = self.connection._statement_transaction()
        request = gateway_pb2.QueryRequest(transaction_id=tx.id if tx is not None else "")
        conn = self.connection
        client._fill(request, operation, parameters, client._options(
            database=conn.database if tx is None else None,
            statement_timeout=conn.statement_timeout, parameter_mode=conn.parameter_mode))
        try:
            call = client._stub.StreamQuery(request, timeout=client._deadline(None),
                                            metadata=client._metadata)
        except ValueError as e:  # the channel was closed
            raise errors.InterfaceError(str(e)) from e
        reader = ResultReader(call)
        self._reader, self._reader_in_tx = reader, tx is not None
        if tx is not None:
            conn._track(reader)
        try:
            if reader.next_result():
                self._load_result()
        except BaseException:
            self._reader = None
            reader.cancel()
            raise
        return self

    def executemany(self, operation: str, seq_of_parameters: Iterable[Params]) -> "Cursor":
        """Runs the statement once per parameter set in one ExecuteBatch
        call. The first failing set raises its error (with ``batch_index``
        and ``batch_results``); later sets are not run. Outside a
        transaction (autocommit) the sets before a failure stay applied."""
        client = self._client()
        self._reset()
        param_sets = list(seq_of_parameters)
        if not param_sets:
            self.rowcount = 0
            return self
        tx = self.connection._statement_transaction()
        conn = self.connection
        items = client.execute_batch(
            operation, param_sets, stop_on_error=True, raise_on_error=True,
            database=conn.database if tx is None else None, transaction=tx,
            statement_timeout=conn.statement_timeout, parameter_mode=conn.parameter_mode)
        outcomes = [i for i in items if isinstance(i, Outcome)]
        self.rowcount = sum(o.affected_rows for o in outcomes)
        ids = [o.last_insert_id for o in outcomes if o.last_insert_id]
        self.lastrowid = ids[-1] if ids else None
        return self

    def callproc(self, procname: str, parameters: Sequence[Any] = ()) -> Sequence[Any]:
        """CALL procname(?, ...). Returns the parameters unchanged (OUT and
        INOUT values need session variables: CALL p(@out), then SELECT
        @out). The procedure's result sets are read with fetch*() and
        nextset()."""
        params = list(parameters)
        self.execute(f"CALL {procname}({', '.join('?' * len(params))})", params)
        return parameters

    def _result_reader(self) -> ResultReader:
        self._client()
        if self._reader is None or self.description is None:
            raise errors.ProgrammingError("no result set: the last statement returned no rows")
        return self._reader

    def _next_row(self) -> Optional[Tuple[Any, ...]]:
        reader = self._result_reader()
        row = reader.next_row()
        if row is None:
            if reader.row_count is not None:
                self.rowcount = reader.row_count
        else:
            self.rownumber = (self.rownumber or 0) + 1
        return row

    def fetchone(self) -> Optional[Tuple[Any, ...]]:
        return self._next_row()

    def fetchmany(self, size: Optional[int] = None) -> List[Tuple[Any, ...]]:
        n = self.arraysize if size is None else size
        rows = []
        while len(rows) < n:
            row = self._next_row()
            if row is None:
                break
            rows.append(row)
        return rows

    def fetchall(self) -> List[Tuple[Any, ...]]:
        rows = []
        while True:
            row = self._next_row()
            if row is None:
                return rows
            rows.append(row)

    def nextset(self) -> Optional[bool]:
        """Moves to the next result set of a CALL or multi-statement text,
        skipping what is left of this one: True, or None when there is no
        further set."""
        self._client()
        reader = self._reader
        if reader is None:
            raise errors.ProgrammingError("no statement has been executed")
        if not reader.next_result():
            self.description = None
            self.rownumber = None
            return None
        self._load_result()
        return True

    def setinputsizes(self, sizes: Any) -> None:
        """Does nothing (allowed by PEP 249)."""

    def setoutputsize(self, size: Any, column: Optional[int] = None) -> None:
        """Does nothing (allowed by PEP 249)."""

    def close(self) -> None:
        """Stops any unread result (see the class doc). Closing again does
        nothing; other use of a closed cursor raises InterfaceError."""
        if not self._closed:
            self._stop_reader()
            self._closed = True

    def __iter__(self) -> "Cursor":
        return self

    def __next__(self) -> Tuple[Any, ...]:
        row = self._next_row()
        if row is None:
            raise StopIteration
        return row

    def __enter__(self) -> "Cursor":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            reader = self._reader
            if reader is not None and not self._reader_in_tx:
                reader.cancel()
        except Exception:
            pass
