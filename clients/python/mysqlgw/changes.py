"""Change data capture: the events of a StreamBinlog call (service
mysqlgw.v1.ChangeStream, see proto/mysqlgw/v1/binlog.proto) as Python
objects.

``Client.changes()`` returns a ``ChangeStream``, an iterator that yields, in
commit order, for every committed transaction::

    Begin, RowChange / Ddl ..., Commit

and a ``Heartbeat`` after a quiet period. A snapshot start
(``Client.changes(snapshot=[...])``) first yields the tables' current rows
as RowChange objects of kind "snapshot", framed by SnapshotProgress events.
Row values are converted as query results are (see mysqlgw.values) and keyed
by column name, using the table schemas the stream announces before a
table's first row change.

Store the resume token of the last Commit (or of a SnapshotProgress that
carries one) together with the effects up to it;
``Client.changes(resume_token=...)`` then resumes right after it, so every
transaction is seen exactly once across failures. ``ChangeStream.
last_resume_token`` keeps that token for you.

When the gateway loses its connection to the database it reconnects by
itself and resumes where the stream stood; it reports that with StreamStatus
events (state "reconnecting", then "resumed"), which reach ``on_status`` and
are yielded only with ``status_events=True``, so loops written before them
see nothing new.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, NamedTuple, Optional, Tuple, Union

import grpc

from . import errors
from ._proto import binlog_pb2
from .results import Column
from .values import from_value

__all__ = [
    "Position",
    "TableSchema",
    "Begin",
    "RowChange",
    "Ddl",
    "Commit",
    "Heartbeat",
    "SnapshotProgress",
    "StreamStatus",
    "ChangeEvent",
    "ChangeStream",
    "KIND_NAMES",
]


class Position(NamedTuple):
    """A binlog position: (file, position)."""

    file: str
    position: int

    @classmethod
    def from_proto(cls, p: binlog_pb2.BinlogPosition) -> "Position":
        return cls(p.file, p.position)


# ChangeKind number -> the name RowChange.kind carries.
KIND_NAMES = {
    binlog_pb2.CHANGE_KIND_INSERT: "insert",
    binlog_pb2.CHANGE_KIND_UPDATE: "update",
    binlog_pb2.CHANGE_KIND_DELETE: "delete",
    binlog_pb2.CHANGE_KIND_SNAPSHOT: "snapshot",
}

# SnapshotProgress.Phase number -> SnapshotProgress.phase.
PHASE_NAMES = {
    binlog_pb2.SnapshotProgress.PHASE_STARTED: "started",
    binlog_pb2.SnapshotProgress.PHASE_TABLE_STARTED: "table_started",
    binlog_pb2.SnapshotProgress.PHASE_CHUNK: "chunk",
    binlog_pb2.SnapshotProgress.PHASE_TABLE_DONE: "table_done",
    binlog_pb2.SnapshotProgress.PHASE_DONE: "done",
}

# StreamStatus.State number -> StreamStatus.state.
STATE_NAMES = {
    binlog_pb2.StreamStatus.STATE_RECONNECTING: "reconnecting",
    binlog_pb2.StreamStatus.STATE_RESUMED: "resumed",
}


def _timestamp(msg: Any, name: str = "timestamp") -> Optional[datetime.datetime]:
    """An aware UTC datetime, or None when the field is unset."""
    if not msg.HasField(name):
        return None
    ts = getattr(msg, name)
    return (datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
            + datetime.timedelta(seconds=ts.seconds, microseconds=ts.nanos // 1000))


def _position(msg: Any, name: str = "position") -> Optional[Position]:
    return Position.from_proto(getattr(msg, name)) if msg.HasField(name) else None


@dataclass(frozen=True)
class TableSchema:
    """A table as the binlog describes it (mysqlgw.v1.TableSchema)."""

    table_ref: int
    schema: str
    table: str
    columns: Tuple[Column, ...]
    primary_key: Tuple[str, ...]  # column names

    @property
    def column_names(self) -> Tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @classmethod
    def from_proto(cls, t: binlog_pb2.TableSchema) -> "TableSchema":
        columns = tuple(Column.from_proto(c) for c in t.columns)
        pk = []
        for i in t.primary_key:
            if i >= len(columns):
                raise errors.InterfaceError(
                    f"the gateway sent table {t.schema}.{t.table} with primary key column "
                    f"{i} of {len(columns)}")
            pk.append(columns[i].name)
        return cls(table_ref=t.table_ref, schema=t.schema, table=t.table, columns=columns,
                   primary_key=tuple(pk))

    def image(self, image: binlog_pb2.RowImage) -> Dict[str, Any]:
        """A row image as {column name: Python value}; columns the server did
        not log (minimal row images) are left out."""
        names = self.column_names
        if len(image.values) != len(names):
            raise errors.InterfaceError(
                f"the gateway sent a row of {self.schema}.{self.table} with "
                f"{len(image.values)} values for {len(names)} columns")
        absent = set(image.absent)
        return {name: from_value(v) for i, (name, v) in enumerate(zip(names, image.values))
                if i not in absent}


@dataclass(frozen=True)
class Begin:
    """The start of a transaction. ``gtid`` may be empty; ``timestamp`` is an
    aware UTC datetime (None when the server sent none)."""

    gtid: str
    timestamp: Optional[datetime.datetime]


@dataclass(frozen=True)
class RowChange:
    """One changed row. ``kind`` is "insert", "update", "delete", or
    "snapshot" for a row copied by a snapshot start (its values in
    ``after``); ``before`` (updates, deletes) and ``after`` (inserts,
    updates, snapshot rows) map column names to Python values, without the
    columns the server did not log;
    ``before`` is None for inserts and, with ``omit_before_images``, for
    updates (deletes always keep their before-image).
    ``primary_key`` names the table's primary key columns."""

    schema: str
    table: str
    kind: str
    before: Optional[Dict[str, Any]]
    after: Optional[Dict[str, Any]]
    primary_key: Tuple[str, ...]

    @property
    def key(self) -> Tuple[Any, ...]:
        """The primary key values (of ``after``, else ``before``; None for a
        column not in the image)."""
        image = self.after if self.after is not None else (self.before or {})
        return tuple(image.get(c) for c in self.primary_key)


@dataclass(frozen=True)
class Ddl:
    """A DDL statement (delivered with ``include_ddl=True``)."""

    schema: str
    statement: str


@dataclass(frozen=True)
class Commit:
    """The end of a transaction. Pass ``resume_token`` to
    ``Client.changes(resume_token=...)`` to resume right after it;
    ``position`` is the end of the transaction in the binlog."""

    gtid: str
    timestamp: Optional[datetime.datetime]
    resume_token: str
    position: Optional[Position]


@dataclass(frozen=True)
class Heartbeat:
    """Sent after a while without events. ``lag`` is how far behind the
    server's clock the stream is (None when not sent)."""

    position: Optional[Position]
    lag: Optional[datetime.timedelta] = field(default=None, compare=False)


@dataclass(frozen=True)
class SnapshotProgress:
    """Where a snapshot start stands. ``phase`` is "started" (with the binlog
    ``position`` the copy corresponds to), "table_started", "chunk" (every
    ``progress_rows`` rows of a table), "table_done" or "done" (the binlog's
    changes follow). ``rows`` counts the table's rows sent so far in this
    stream. "chunk", "table_done" and "done" carry a ``resume_token`` (empty
    for a chunk of a table without a primary key): resuming from it goes on
    with the copy after that point. ``restarted`` (on "table_started" of a
    resumed snapshot) means the table's copy starts over: drop the rows of
    that table received before, they come again."""

    phase: str
    schema: str
    table: str
    rows: int
    position: Optional[Position]
    gtid_state: str
    resume_token: str
    restarted: bool


@dataclass(frozen=True)
class StreamStatus:
    """The gateway's connection to the database: ``state`` "reconnecting"
    (it broke: ``message`` says why, ``attempt`` counts the attempts of this
    outage) or "resumed" (reading again from where the stream stood, so no
    change is lost or repeated). ``position`` is the end of the last event
    delivered."""

    state: str
    message: str
    attempt: int
    position: Optional[Position]


ChangeEvent = Union[Begin, RowChange, Ddl, Commit, Heartbeat, SnapshotProgress, StreamStatus]


class ChangeStream:
    """The events of a StreamBinlog call, read lazily: one response message
    (a batch of events) is held at a time.

    Iterating yields Begin, RowChange, Ddl, Commit and Heartbeat objects,
    and SnapshotProgress objects in a snapshot start; a follow-mode stream
    never ends by itself, an ``until_now`` stream ends at the end of the log
    as it was when it began. ``last_resume_token`` is the resume token of
    the last Commit or SnapshotProgress with a token yielded (None before
    the first): what to store with the effects applied so far.
    ``tables`` maps the table_ref of every announced table to its
    TableSchema.

    StreamStatus events (the gateway reconnecting to the database, then resumed)
    are passed to ``on_status`` (called in the iterating thread) and kept in
    ``status``; they are yielded too only with ``status_events=True``.

    ``close()`` (or leaving a ``with`` block) cancels the call;
    it may be called from another thread, and an iteration blocked in that
    thread then ends (StopIteration). Errors are raised while iterating as
    mysqlgw.Error subclasses.
    """

    def __init__(self, call: Any, *, on_status: Optional[Callable[[StreamStatus], Any]] = None,
                 status_events: bool = False) -> None:
        self._call = call
        self._on_status = on_status
        self._status_events = status_events
        self.status: Optional[StreamStatus] = None
        self._responses = iter(call)
        self._events: List[binlog_pb2.ChangeEvent] = []
        self._pos = 0
        self._done = False
        self._closed = False
        self.tables: Dict[int, TableSchema] = {}
        self.last_resume_token: Optional[str] = None

    @property
    def done(self) -> bool:
        return self._done

    def _next_batch(self) -> bool:
        """Reads one response message; False at the end of the stream."""
        try:
            msg = next(self._responses)
        except StopIteration:
            self._done = True
            return False
        except grpc.RpcError as e:
            self._done = True
            if self._closed:
                return False
            raise errors.error_from_rpc(e) from e
        except ValueError as e:  # e.g. the channel was closed
            self._done = True
            if self._closed:
                return False
            raise errors.InterfaceError(str(e)) from e
        self._events = list(msg.events)
        self._pos = 0
        return True

    def convert(self, event: binlog_pb2.ChangeEvent) -> Optional[ChangeEvent]:
        """Converts one mysqlgw.v1.ChangeEvent; a TableSchema announcement
        updates ``tables`` and returns None."""
        kind = event.WhichOneof("event")
        if kind == "table_schema":
            t = TableSchema.from_proto(event.table_schema)
            self.tables[t.table_ref] = t
            return None
        if kind == "row":
            r = event.row
            table = self.tables.get(r.table_ref)
            if table is None:
                raise errors.InterfaceError(
                    f"the gateway sent a row change of table_ref {r.table_ref} before its "
                    "table schema")
            name = KIND_NAMES.get(r.kind)
            if name is None:
                raise errors.InterfaceError(f"the gateway sent a row change of kind {r.kind}")
            return RowChange(
                schema=table.schema, table=table.table, kind=name,
                before=table.image(r.before) if r.HasField("before") else None,
                after=table.image(r.after) if r.HasField("after") else None,
                primary_key=table.primary_key)
        if kind == "begin":
            return Begin(gtid=event.begin.gtid, timestamp=_timestamp(event.begin))
        if kind == "commit":
            c = event.commit
            return Commit(gtid=c.gtid, timestamp=_timestamp(c), resume_token=c.resume_token,
                          position=_position(c))
        if kind == "ddl":
            return Ddl(schema=event.ddl.schema, statement=event.ddl.statement)
        if kind == "heartbeat":
            hb = event.heartbeat
            lag = None
            if hb.HasField("lag"):
                lag = datetime.timedelta(seconds=hb.lag.seconds, microseconds=hb.lag.nanos // 1000)
            return Heartbeat(position=_position(hb), lag=lag)
        if kind == "snapshot":
            p = event.snapshot
            phase = PHASE_NAMES.get(p.phase)
            if phase is None:
                return None  # a phase newer than this client
            return SnapshotProgress(phase=phase, schema=p.schema, table=p.table, rows=p.rows,
                                    position=_position(p), gtid_state=p.gtid_state,
                                    resume_token=p.resume_token, restarted=p.restarted)
        if kind == "status":
            st = event.status
            state = STATE_NAMES.get(st.state)
            if state is None:
                return None
            return StreamStatus(state=state, message=st.message, attempt=st.attempt,
                          position=_position(st))
        # An event kind newer than this client: skip it.
        return None

    def __iter__(self) -> Iterator[ChangeEvent]:
        return self

    def __next__(self) -> ChangeEvent:
        while True:
            while self._pos >= len(self._events):
                if self._done or not self._next_batch():
                    raise StopIteration
            event = self._events[self._pos]
            self._pos += 1
            out = self.convert(event)
            if out is None:
                continue
            if isinstance(out, Commit):
                self.last_resume_token = out.resume_token
            elif isinstance(out, SnapshotProgress):
                # CHUNK / TABLE_DONE / DONE mark a point to resume from, like
                # a commit; a CHUNK of a table without a key has none.
                if out.resume_token:
                    self.last_resume_token = out.resume_token
            elif isinstance(out, StreamStatus):
                self.status = out
                if self._on_status is not None:
                    self._on_status(out)
                if not self._status_events:
                    continue
            return out

    def close(self) -> None:
        """Cancels the call if it is still running (idempotent)."""
        self._closed = True
        if not self._done:
            self._call.cancel()

    cancel = close

    def __enter__(self) -> "ChangeStream":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass
