"""Result objects: column metadata, statement outcomes, buffered results
and row streams."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, List, Optional, Tuple

import grpc

from . import errors
from ._proto import gateway_pb2, value_pb2
from .values import row_from_proto

__all__ = ["Column", "Outcome", "ResultSet", "Result", "RowStream", "SKIPPED"]


@dataclass(frozen=True)
class Column:
    """A result column (mysqlgw.v1.Column). ``type`` is the MySQL type code
    (mysqlgw.v1.ColumnType, e.g. 8 for LONGLONG); ``type_name`` is readable
    ("BIGINT UNSIGNED", "DECIMAL(10,2)")."""

    name: str
    type_name: str
    type: int
    nullable: bool
    unsigned: bool
    binary: bool
    org_name: str = ""
    table: str = ""
    org_table: str = ""
    schema: str = ""
    collation_id: int = 0
    length: int = 0
    decimals: int = 0
    flags: int = 0

    @classmethod
    def from_proto(cls, c: value_pb2.Column) -> "Column":
        return cls(name=c.name, type_name=c.type_name, type=c.type, nullable=c.nullable,
                   unsigned=c.unsigned, binary=c.binary, org_name=c.org_name,
                   table=c.table, org_table=c.org_table, schema=c.schema,
                   collation_id=c.collation_id, length=c.length, decimals=c.decimals,
                   flags=c.flags)


@dataclass(frozen=True)
class Outcome:
    """What a statement did (MySQL's OK packet)."""

    affected_rows: int = 0
    last_insert_id: int = 0
    warnings: int = 0
    info: str = ""
    server_status: int = 0  # SERVER_STATUS_* flags

    @classmethod
    def from_proto(cls, o: gateway_pb2.StatementOutcome) -> "Outcome":
        return cls(affected_rows=o.affected_rows, last_insert_id=o.last_insert_id,
                   warnings=o.warnings, info=o.info, server_status=o.server_status)


class _Skipped:
    """An ExecuteBatch item not run because an earlier one failed."""

    _instance = None

    def __new__(cls) -> "_Skipped":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "mysqlgw.SKIPPED"

    def __reduce__(self) -> str:
        return "SKIPPED"


SKIPPED = _Skipped()


@dataclass
class ResultSet:
    """One result set: its columns and rows (tuples of Python values), and
    the outcome of the statement that produced it. A statement without rows
    has no columns and no rows."""

    columns: List[Column]
    rows: List[Tuple[Any, ...]]
    outcome: Outcome = field(default_factory=Outcome)

    @property
    def column_names(self) -> List[str]:
        return [c.name for c in self.columns]

    def dicts(self) -> List[dict]:
        """The rows as dicts keyed by column name (a later duplicate name
        wins)."""
        names = self.column_names
        return [dict(zip(names, row)) for row in self.rows]

    @classmethod
    def from_proto(cls, r: gateway_pb2.ResultSet) -> "ResultSet":
        return cls(columns=[Column.from_proto(c) for c in r.columns],
                   rows=[row_from_proto(row) for row in r.rows],
                   outcome=Outcome.from_proto(r.outcome))


class Result(list):
    """Every result set of a Query call, in order (a list of ResultSet).

    ``rows``, ``columns``, ``column_names`` and ``outcome`` are those of the
    first result set, the usual case of one statement; ``scalar()`` is the
    first column of its first row.
    """

    def _first(self) -> ResultSet:
        if not self:
            raise errors.InterfaceError("the query returned no result set")
        return self[0]

    @property
    def rows(self) -> List[Tuple[Any, ...]]:
        return self._first().rows

    @property
    def columns(self) -> List[Column]:
        return self._first().columns

    @property
    def column_names(self) -> List[str]:
        return self._first().column_names

    @property
    def outcome(self) -> Outcome:
        return self._first().outcome

    def dicts(self) -> List[dict]:
        return self._first().dicts()

    def scalar(self) -> Any:
        """The first value of the first row, or None when there is no row."""
        rows = self.rows
        return rows[0][0] if rows and rows[0] else None

    def __repr__(self) -> str:
        return f"Result({list.__repr__(self)})"


class RowStream:
    """The rows of a StreamQuery call, read lazily: one chunk of rows (about
    the gateway's stream_chunk_bytes) is held at a time, whatever the size
    of the result.

    Iterating yields row tuples of every result set in turn. While
    iterating, ``columns`` / ``column_names`` describe the current result set
    and ``result_index`` is its index; after the last row, ``outcomes`` holds
    each result set's Outcome and ``row_counts`` its row count. Leaving the
    iteration early and calling ``close()`` (or using the stream as a
    context manager) cancels the call, which kills the statement on the
    server.
    """

    def __init__(self, call: Any, on_done: Optional[Callable[[], None]] = None) -> None:
        self._call = call
        self._responses = iter(call)
        self._rows: List[value_pb2.Row] = []
        self._pos = 0
        self._done = False
        self._on_done = on_done
        self.columns: Optional[List[Column]] = None
        self.result_index: int = -1
        self.outcomes: List[Outcome] = []
        self.row_counts: List[int] = []

    @property
    def column_names(self) -> Optional[List[str]]:
        self._ensure_header()
        return None if self.columns is None else [c.name for c in self.columns]

    @property
    def done(self) -> bool:
        return self._done

    def _ensure_header(self) -> None:
        # Reads ahead to the first header so that `columns` is known before
        # the first row is taken.
        while self.columns is None and not self._done and self._pos >= len(self._rows):
            if not self._next_chunk():
                break

    def _finish(self) -> None:
        if not self._done:
            self._done = True
            self._rows = []
            if self._on_done is not None:
                self._on_done()

    def _next_chunk(self) -> bool:
        """Reads one response message; False at the end of the stream."""
        try:
            msg = next(self._responses)
        except StopIteration:
            self._finish()
            return False
        except grpc.RpcError as e:
            self._finish()
            raise errors.error_from_rpc(e) from e
        kind = msg.WhichOneof("chunk")
        if kind == "rows":
            self._rows = msg.rows.rows
            self._pos = 0
        elif kind == "header":
            self.result_index = msg.header.result_index
            self.columns = [Column.from_proto(c) for c in msg.header.columns]
            self._rows, self._pos = [], 0
        elif kind == "footer":
            self.outcomes.append(Outcome.from_proto(msg.footer.outcome))
            self.row_counts.append(msg.footer.row_count)
        return True

    def __iter__(self) -> "RowStream":
        return self

    def __next__(self) -> Tuple[Any, ...]:
        while self._pos >= len(self._rows):
            if self._done or not self._next_chunk():
                raise StopIteration
        row = self._rows[self._pos]
        self._pos += 1
        return row_from_proto(row)

    def close(self) -> None:
        """Cancels the call if it is still running (idempotent)."""
        if not self._done:
            self._call.cancel()
            self._finish()

    cancel = close

    def __enter__(self) -> "RowStream":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass
