"""Reading a StreamQuery call one result set at a time, for the cursor.

Unlike mysqlgw.RowStream, which runs every result set together, this
reader stops at each result set's footer so that fetch*() end there and
nextset() moves on. Only the current chunk of rows is held unless
``buffer_rest()`` is asked to keep everything (see Connection).
"""

from __future__ import annotations

from typing import Any, List, Optional, Tuple

import grpc

from .. import errors
from ..results import Column, Outcome
from ..values import row_from_proto


class ResultReader:
    def __init__(self, call: Any) -> None:
        self._call = call
        self._responses = iter(call)
        self._rows: List[Any] = []  # value_pb2.Row of the current chunk
        self._pos = 0
        self._buffered_rows = 0  # rows held by buffer_rest()
        self.ended_call = False  # the call itself is over (read to its end)
        self.ended = False  # the call has finished (or was cancelled)
        self.in_result = False  # between a header and its footer
        self.columns: List[Column] = []
        self.outcome: Optional[Outcome] = None  # the current result's footer
        self.row_count: Optional[int] = None

    def _read(self) -> Optional[Any]:
        if self.ended:
            return None
        try:
            return next(self._responses)
        except StopIteration:
            self.ended = True
            return None
        except grpc.RpcError as e:
            self.ended = True
            raise errors.error_from_rpc(e) from e

    def _take(self, msg: Any) -> str:
        kind = msg.WhichOneof("chunk")
        if kind == "header":
            self.columns = [Column.from_proto(c) for c in msg.header.columns]
            self.outcome = None
            self.row_count = None
            self.in_result = True
            self._rows, self._pos = [], 0
        elif kind == "rows":
            self._rows, self._pos = msg.rows.rows, 0
        elif kind == "footer":
            self.outcome = Outcome.from_proto(msg.footer.outcome)
            self.row_count = msg.footer.row_count
            self.in_result = False
        return kind or ""

    def next_result(self) -> bool:
        """Skips what is left of the current result set and reads up to the
        next header. False when there is no further result set."""
        while self.next_row() is not None:
            pass
        while True:
            msg = self._read()
            if msg is None:
                return False
            if self._take(msg) == "header":
                return True

    def finish_if_no_columns(self) -> None:
        """A statement without rows: reads on to its footer (its outcome)."""
        if self.in_result and not self.columns:
            while self.in_result:
                msg = self._read()
                if msg is None:
                    raise errors.InterfaceError("the result stream ended before its footer")
                self._take(msg)

    def next_row(self) -> Optional[Tuple[Any, ...]]:
        """The next row of the current result set, or None at its end."""
        while self._pos >= len(self._rows):
            if not self.in_result:
                return None
            msg = self._read()
            if msg is None:
                self.in_result = False
                raise errors.InterfaceError("the result stream ended before its footer")
            self._take(msg)
        self._pos += 1
        return row_from_proto(self._rows[self._pos - 1])

    def buffer_rest(self) -> None:
        """Reads the rest of the call (every remaining result set) into
        memory, so that the call ends and frees the connection it runs on.
        Used when another statement must run on the same transaction
        connection while this one is unread. Reading to the end rather than
        cancelling matters there: a cancelled call kills the statement, and
        the kill must not hit the transaction's next statement."""
        if self.ended:
            return
        try:
            rest = list(self._responses)
        except grpc.RpcError as e:
            self.ended = True
            raise errors.error_from_rpc(e) from e
        self._buffered_rows = sum(len(m.rows.rows) for m in rest if m.HasField("rows"))
        self._responses = iter(rest)
        self.ended_call = True

    def drain(self) -> None:
        """Reads the call to its end, dropping everything (stops the
        statement without cancelling it; see buffer_rest)."""
        try:
            while self._read() is not None:
                pass
        finally:
            self._rows, self._pos, self.in_result = [], 0, False

    @property
    def held_rows(self) -> int:
        """Rows held in memory (for tests of laziness)."""
        return len(self._rows) + self._buffered_rows

    def cancel(self) -> None:
        """Stops reading; cancels the call (killing the statement) unless
        it is already over."""
        if not self.ended:
            self.ended = True
            if not self.ended_call:
                self._call.cancel()
