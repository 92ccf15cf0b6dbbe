"""The mysqlgw gRPC client: SQL over the gateway's Gateway service."""

from __future__ import annotations

import datetime
from typing import Any, Callable, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import grpc
from google.protobuf import duration_pb2

from . import errors
from ._proto import binlog_pb2, binlog_pb2_grpc, gateway_pb2, gateway_pb2_grpc
from .changes import ChangeStream, StreamStatus
from .results import SKIPPED, Outcome, Result, ResultSet, RowStream
from .values import params_to_proto

__all__ = ["Client", "Transaction", "BatchItem"]

Params = Union[None, Sequence[Any], Mapping[str, Any]]
Seconds = Union[None, float, int, datetime.timedelta]
# One ExecuteBatch item: an Outcome, the item's error (not raised), or SKIPPED.
BatchItem = Union[Outcome, errors.Error, type(SKIPPED)]

_DEFAULT_CHANNEL_OPTIONS = (
    # gRPC Python refuses messages above 4 MiB by default; a buffered Query
    # result may be up to the gateway's max_bytes (64 MiB by default).
    ("grpc.max_receive_message_length", -1),
    ("grpc.max_send_message_length", -1),
)


def _seconds(value: Seconds) -> Optional[float]:
    if value is None:
        return None
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    return float(value)


def _duration(value: Seconds) -> Optional[duration_pb2.Duration]:
    seconds = _seconds(value)
    if seconds is None:
        return None
    if seconds < 0:
        raise errors.ProgrammingError(f"a timeout cannot be negative ({seconds} s)")
    d = duration_pb2.Duration()
    d.seconds = int(seconds)
    d.nanos = int(round((seconds - int(seconds)) * 1e9))
    if d.nanos >= 1_000_000_000:
        d.seconds += 1
        d.nanos -= 1_000_000_000
    return d


def _enum_value(enum: Any, prefix: str, value: Any, what: str) -> int:
    """An enum number from None, a number, or a name such as "read committed",
    "READ_COMMITTED" or "ISOLATION_LEVEL_READ_COMMITTED"."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        name = value.strip().upper().replace("-", "_").replace(" ", "_")
        if not name.startswith(prefix):
            name = prefix + name
        try:
            return enum.Value(name)
        except ValueError:
            pass
    names = [n[len(prefix):].lower().replace("_", " ") for n in enum.keys()
             if not n.endswith("UNSPECIFIED")]
    raise errors.ProgrammingError(f"unknown {what} {value!r} (one of: {', '.join(names)})")


def _transaction_id(transaction: Union[None, str, "Transaction"]) -> str:
    if transaction is None:
        return ""
    if isinstance(transaction, Transaction):
        return transaction._live_id()
    return str(transaction)


class Client:
    """A connection to a mysqlgw gateway.

    ``target`` is the gateway's host:port. ``token`` is the bearer token sent
    as ``authorization: Bearer <token>`` with every call (None: no token,
    for a gateway that allows anonymous calls). ``credentials`` are
    grpc.ChannelCredentials (e.g. grpc.ssl_channel_credentials()) for a TLS
    gateway; without them the channel is plaintext. ``timeout`` is the
    default gRPC deadline of every call in seconds (None: no deadline); when
    it passes, the gateway kills the statement and the call fails with
    OperationalError (DEADLINE_EXCEEDED). ``options`` are extra gRPC channel
    options; ``channel`` uses an existing grpc.Channel instead of opening one
    (target, credentials and options are then ignored and close() leaves
    the channel open).

    Every call method raises a subclass of mysqlgw.Error on failure (see
    mysqlgw.errors). The client is thread-safe; use one per process.
    """

    def __init__(self, target: str = "127.0.0.1:50051", token: Optional[str] = None, *,
                 credentials: Optional[grpc.ChannelCredentials] = None,
                 timeout: Seconds = None,
                 options: Iterable[Tuple[str, Any]] = (),
                 channel: Optional[grpc.Channel] = None) -> None:
        self.target = target
        self.timeout = _seconds(timeout)
        self._owns_channel = channel is None
        if channel is None:
            opts = list(_DEFAULT_CHANNEL_OPTIONS) + list(options)
            if credentials is not None:
                channel = grpc.secure_channel(target, credentials, options=opts)
            else:
                channel = grpc.insecure_channel(target, options=opts)
        self._channel = channel
        self._stub = gateway_pb2_grpc.GatewayStub(channel)
        self._changes_stub = binlog_pb2_grpc.ChangeStreamStub(channel)
        self._metadata: Tuple[Tuple[str, str], ...] = (
            (("authorization", f"Bearer {token}"),) if token else ())

    # -- lifecycle ---------------------------------------------------------

    def close(self) -> None:
        if self._owns_channel:
            self._channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Client({self.target!r})"

    # -- plumbing ----------------------------------------------------------

    def _deadline(self, timeout: Seconds) -> Optional[float]:
        return self.timeout if timeout is None else _seconds(timeout)

    def _unary(self, method: Any, request: Any, timeout: Seconds) -> Any:
        try:
            return method(request, timeout=self._deadline(timeout), metadata=self._metadata)
        except grpc.RpcError as e:
            raise errors.error_from_rpc(e) from e
        except ValueError as e:  # e.g. the channel was closed
            raise errors.InterfaceError(str(e)) from e

    @staticmethod
    def _fill(request: Any, sql: Optional[str], params: Params, options: Any) -> None:
        if sql is not None:
            if not isinstance(sql, str):
                raise errors.ProgrammingError(f"sql must be a str, not {type(sql).__name__}")
            request.sql = sql
        if params is not None:
            try:
                params_to_proto(params, request.params, request.named_params)
            except (TypeError, ValueError) as e:
                raise errors.ProgrammingError(str(e)) from e
        if options is not None:
            request.options.CopyFrom(options)

    @staticmethod
    def _options(database: Optional[str] = None, max_rows: Optional[int] = None,
                 max_bytes: Optional[int] = None, statement_timeout: Seconds = None,
                 idempotent: bool = False,
                 parameter_mode: Union[None, str, int] = None) -> gateway_pb2.CallOptions:
        o = gateway_pb2.CallOptions()
        if database:
            o.database = database
        if max_rows:
            o.max_rows = max_rows
        if max_bytes:
            o.max_bytes = max_bytes
        d = _duration(statement_timeout)
        if d is not None:
            o.timeout.CopyFrom(d)
        o.idempotent = bool(idempotent)
        o.parameter_mode = _enum_value(gateway_pb2.ParameterMode, "PARAMETER_MODE_",
                                       parameter_mode, "parameter mode")
        return o

    # -- calls -------------------------------------------------------------

    def query(self, sql: str, params: Params = None, *, database: Optional[str] = None,
              max_rows: Optional[int] = None, max_bytes: Optional[int] = None,
              timeout: Seconds = None, statement_timeout: Seconds = None,
              transaction: Union[None, str, "Transaction"] = None, idempotent: bool = False,
              parameter_mode: Union[None, str, int] = None) -> Result:
        """Runs a statement (or several, or a CALL) and returns every result
        set, buffered: a Result, the list of ResultSet (``.rows``,
        ``.columns`` and ``.outcome`` are those of the first).

        ``params`` is a list/tuple for ``?`` placeholders or a dict for
        ``:name`` placeholders. ``max_rows`` / ``max_bytes`` bound the result
        (default: the gateway's); beyond them the call fails with
        OperationalError (RESOURCE_EXHAUSTED) rather than truncating: use
        stream() for large results. ``timeout`` is the gRPC deadline in
        seconds (default: the client's); ``statement_timeout`` asks the
        gateway to kill the statement after that long. ``parameter_mode`` is
        "prepared" or "interpolated" (default: the gateway's choice).
        """
        request = gateway_pb2.QueryRequest(transaction_id=_transaction_id(transaction))
        self._fill(request, sql, params, self._options(
            database, max_rows, max_bytes, statement_timeout, idempotent, parameter_mode))
        response = self._unary(self._stub.Query, request, timeout)
        return Result(ResultSet.from_proto(r) for r in response.results)

    def stream(self, sql: str, params: Params = None, *, database: Optional[str] = None,
               timeout: Seconds = None, statement_timeout: Seconds = None,
               transaction: Union[None, str, "Transaction"] = None, idempotent: bool = False,
               parameter_mode: Union[None, str, int] = None) -> RowStream:
        """Runs a query with StreamQuery and returns a RowStream, an iterator
        of row tuples read lazily chunk by chunk, so memory stays bounded for
        a result of any size. The call starts at once; errors (including bad
        SQL) are raised while iterating. Close the stream (or use it as a
        context manager) to stop early: that cancels the call and kills the
        statement. ``timeout`` covers the whole stream."""
        request = gateway_pb2.QueryRequest(transaction_id=_transaction_id(transaction))
        self._fill(request, sql, params, self._options(
            database, None, None, statement_timeout, idempotent, parameter_mode))
        try:
            call = self._stub.StreamQuery(request, timeout=self._deadline(timeout),
                                          metadata=self._metadata)
        except ValueError as e:
            raise errors.InterfaceError(str(e)) from e
        return RowStream(call)

    def execute(self, sql: str, params: Params = None, *, database: Optional[str] = None,
                timeout: Seconds = None, statement_timeout: Seconds = None,
                transaction: Union[None, str, "Transaction"] = None, idempotent: bool = False,
                parameter_mode: Union[None, str, int] = None) -> Outcome:
        """Runs a statement that returns no rows (DML, DDL) and returns its
        Outcome (affected_rows, last_insert_id, warnings, info,
        server_status). Parameters and options as for query()."""
        request = gateway_pb2.ExecuteRequest(transaction_id=_transaction_id(transaction))
        self._fill(request, sql, params, self._options(
            database, None, None, statement_timeout, idempotent, parameter_mode))
        response = self._unary(self._stub.Execute, request, timeout)
        return Outcome.from_proto(response.outcome)

    def execute_batch(self, sql: str, param_sets: Iterable[Params], *,
                      stop_on_error: bool = True, raise_on_error: bool = True,
                      database: Optional[str] = None, timeout: Seconds = None,
                      statement_timeout: Seconds = None,
                      transaction: Union[None, str, "Transaction"] = None,
                      idempotent: bool = False,
                      parameter_mode: Union[None, str, int] = None) -> List[BatchItem]:
        """Runs one statement once per parameter set (each a list/tuple or a
        dict) in a single call, and returns one item per set: its Outcome,
        or, for a set that failed, the Error (not raised), or SKIPPED for a
        set not run after an earlier failure (``stop_on_error``).

        With ``raise_on_error`` (the default), the first failed item's error
        is raised instead of returning, carrying ``batch_index`` (its index)
        and ``batch_results`` (every item). Outside a transaction each item
        commits on its own, so the items before a failure stay applied.
        """
        request = gateway_pb2.ExecuteBatchRequest(
            transaction_id=_transaction_id(transaction), stop_on_error=stop_on_error)
        self._fill(request, sql, None, self._options(
            database, None, None, statement_timeout, idempotent, parameter_mode))
        for i, params in enumerate(param_sets):
            ps = request.parameter_sets.add()
            try:
                params_to_proto(params, ps.params, ps.named_params)
            except (TypeError, ValueError) as e:
                raise errors.ProgrammingError(f"parameter set {i}: {e}") from e
        return self._batch(request, timeout, raise_on_error)

    def execute_statements(self, statements: Iterable[Union[str, Tuple[str, Params]]], *,
                           stop_on_error: bool = True, raise_on_error: bool = True,
                           database: Optional[str] = None, timeout: Seconds = None,
                           statement_timeout: Seconds = None,
                           transaction: Union[None, str, "Transaction"] = None,
                           idempotent: bool = False,
                           parameter_mode: Union[None, str, int] = None) -> List[BatchItem]:
        """Runs several statements (each an SQL string or an (sql, params)
        pair) in one ExecuteBatch call; results as for execute_batch()."""
        request = gateway_pb2.ExecuteBatchRequest(
            transaction_id=_transaction_id(transaction), stop_on_error=stop_on_error)
        request.options.CopyFrom(self._options(
            database, None, None, statement_timeout, idempotent, parameter_mode))
        for i, item in enumerate(statements):
            sql, params = (item, None) if isinstance(item, str) else item
            st = request.statements.add()
            try:
                self._fill(st, sql, params, None)
            except errors.ProgrammingError as e:
                raise errors.ProgrammingError(f"statement {i}: {e}") from e
        return self._batch(request, timeout, raise_on_error)

    def _batch(self, request: gateway_pb2.ExecuteBatchRequest, timeout: Seconds,
               raise_on_error: bool) -> List[BatchItem]:
        response = self._unary(self._stub.ExecuteBatch, request, timeout)
        items: List[BatchItem] = []
        for r in response.results:
            kind = r.WhichOneof("result")
            if kind == "outcome":
                items.append(Outcome.from_proto(r.outcome))
            elif kind == "error":
                items.append(errors.error_for(None, r.error.message, r.error))
            elif kind == "skipped":
                items.append(SKIPPED)
            else:
                raise errors.InterfaceError("the gateway sent a batch item with no result")
        if raise_on_error:
            for i, item in enumerate(items):
                if isinstance(item, errors.Error):
                    item.batch_index = i
                    item.batch_results = items
                    raise item
        return items

    def transaction(self, isolation: Union[None, str, int] = None, read_only: bool = False,
                    *, database: Optional[str] = None, idle_timeout: Seconds = None,
                    timeout: Seconds = None) -> "Transaction":
        """Begins a transaction pinned to one backend connection and returns
        it. ``isolation`` is None (the server's default), "read uncommitted",
        "read committed", "repeatable read" or "serializable" (or a
        mysqlgw.v1.IsolationLevel number). ``idle_timeout``: the gateway rolls
        the transaction back after this long without a call (default: its
        configured one).

        As a context manager it commits when the block ends normally and
        rolls back when it raises::

            with client.transaction() as tx:
                tx.execute("UPDATE t SET n = n + 1 WHERE id = ?", [1])
        """
        request = gateway_pb2.BeginTransactionRequest(
            isolation=_enum_value(gateway_pb2.IsolationLevel, "ISOLATION_LEVEL_", isolation,
                                  "isolation level"),
            read_only=read_only, database=database or "")
        d = _duration(idle_timeout)
        if d is not None:
            request.idle_timeout.CopyFrom(d)
        response = self._unary(self._stub.BeginTransaction, request, timeout)
        return Transaction(self, response.transaction_id)

    # -- change data capture -------------------------------------------------

    def changes(self, *, start: Optional[str] = None, resume_token: Optional[str] = None,
                gtid_set: Optional[str] = None,
                position: Optional[Tuple[str, int]] = None,
                until_now: bool = False,
                include_tables: Union[None, str, Iterable[str]] = None,
                exclude_tables: Union[None, str, Iterable[str]] = None,
                kinds: Union[None, str, Iterable[Union[str, int]]] = None,
                include_ddl: bool = False, omit_before_images: bool = False,
                heartbeat_interval: Seconds = None,
                timeout: Seconds = None,
                snapshot: Union[None, bool, str, Iterable[str]] = None,
                progress_rows: Optional[int] = None,
                on_status: Optional[Callable[[StreamStatus], Any]] = None,
                status_events: bool = False) -> ChangeStream:
        """Streams the binlog's committed changes (StreamBinlog) and returns a
        ChangeStream, an iterator of Begin, RowChange, Ddl, Commit and
        Heartbeat objects (mysqlgw.changes), read lazily.

        Where to start, at most one of: ``start="now"`` (the default: only
        changes committed from now on) or ``start="earliest"`` (the oldest
        binlog the server has); ``resume_token`` (a Commit.resume_token: right
        after that transaction); ``gtid_set`` (MariaDB "0-1-42,...": after
        these; MySQL "uuid:1-5,...": everything not in the set);
        ``position=(file, pos)``; ``snapshot`` (copy the current rows of
        tables first, then stream the changes made after that copy: a list
        of "schema.table" glob patterns, or True for every table the filter
        selects; ``progress_rows`` rows between "chunk" SnapshotProgress
        events, default 10,000). Snapshot rows are RowChange objects of kind
        "snapshot"; SnapshotProgress "chunk", "table_done" and "done" events
        carry resume tokens that resume the copy where it stood.

        ``until_now`` ends the stream at the end of the log as it was when it
        began; otherwise it follows new changes until closed. Filters:
        ``include_tables`` / ``exclude_tables`` are "schema.table" glob
        patterns (exclude wins), ``kinds`` a subset of "insert", "update",
        "delete", ``include_ddl`` delivers DDL as Ddl events;
        ``omit_before_images`` drops the before-images of updates (deletes
        keep theirs). ``timeout`` is a deadline for the whole
        stream; unlike the other calls the client's default timeout does not
        apply (None: no deadline). Needs the principal's ``binlog``
        operation. Errors are raised while iterating.

        When the gateway loses the database connection it reconnects by
        itself; the StreamStatus events it sends ("reconnecting",
        "resumed") go to ``on_status(status)`` and are yielded only with
        ``status_events=True``.
        """
        request = binlog_pb2.StreamBinlogRequest()
        if snapshot is False:
            snapshot = None
        chosen = [name for name, value in (("start", start), ("resume_token", resume_token),
                                           ("gtid_set", gtid_set), ("position", position),
                                           ("snapshot", snapshot))
                  if value is not None]
        if len(chosen) > 1:
            raise errors.ProgrammingError(
                f"give at most one starting point, not {' and '.join(chosen)}")
        if progress_rows is not None and snapshot is None:
            raise errors.ProgrammingError("progress_rows applies only to a snapshot start")
        if resume_token is not None:
            request.resume_token = str(resume_token)
        elif snapshot is not None:
            tables = [] if snapshot is True else _strings(snapshot)
            request.snapshot.tables.extend(tables)
            # Setting a field of the oneof member selects it even when empty.
            request.snapshot.SetInParent()
            if progress_rows is not None:
                if int(progress_rows) < 1:
                    raise errors.ProgrammingError(
                        f"progress_rows must be positive, not {progress_rows!r}")
                request.snapshot.progress_rows = int(progress_rows)
        elif gtid_set is not None:
            request.gtid_set = str(gtid_set)
        elif position is not None:
            try:
                file, pos = position
            except (TypeError, ValueError):
                raise errors.ProgrammingError(
                    f"position must be a (file, position) pair, not {position!r}") from None
            request.position.file = str(file)
            request.position.position = int(pos)
        elif start is None or start == "now":
            request.now = True
        elif start == "earliest":
            request.earliest = True
        else:
            raise errors.ProgrammingError(
                f"start must be \"now\" or \"earliest\", not {start!r} (use resume_token=, "
                "gtid_set= or position= for the others)")
        if until_now:
            request.mode = binlog_pb2.StreamBinlogRequest.MODE_UNTIL_NOW
        f = request.filter
        f.include_tables.extend(_strings(include_tables))
        f.exclude_tables.extend(_strings(exclude_tables))
        if kinds is not None:
            if isinstance(kinds, (str, int)):
                kinds = [kinds]
            f.kinds.extend(_enum_value(binlog_pb2.ChangeKind, "CHANGE_KIND_", k, "change kind")
                           for k in kinds)
        f.include_ddl = bool(include_ddl)
        request.omit_before_images = bool(omit_before_images)
        d = _duration(heartbeat_interval)
        if d is not None:
            request.heartbeat_interval.CopyFrom(d)
        try:
            call = self._changes_stub.StreamBinlog(request, timeout=_seconds(timeout),
                                                   metadata=self._metadata)
        except ValueError as e:
            raise errors.InterfaceError(str(e)) from e
        return ChangeStream(call, on_status=on_status, status_events=status_events)


def _strings(value: Union[None, str, Iterable[str]]) -> List[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


class Transaction:
    """A gateway transaction (from Client.transaction()). Its calls take the
    same arguments as the Client's, without ``transaction``. It ends with
    commit() or rollback(); as a context manager, with commit on normal exit
    and rollback on an exception (the exception then propagates)."""

    def __init__(self, client: Client, transaction_id: str) -> None:
        self.client = client
        self.id = transaction_id
        self.active = True

    def _live_id(self) -> str:
        if not self.active:
            raise errors.ProgrammingError("the transaction has already ended")
        return self.id

    def query(self, sql: str, params: Params = None, **kwargs: Any) -> Result:
        return self.client.query(sql, params, transaction=self, **kwargs)

    def stream(self, sql: str, params: Params = None, **kwargs: Any) -> RowStream:
        return self.client.stream(sql, params, transaction=self, **kwargs)

    def execute(self, sql: str, params: Params = None, **kwargs: Any) -> Outcome:
        return self.client.execute(sql, params, transaction=self, **kwargs)

    def execute_batch(self, sql: str, param_sets: Iterable[Params],
                      **kwargs: Any) -> List[BatchItem]:
        return self.client.execute_batch(sql, param_sets, transaction=self, **kwargs)

    def execute_statements(self, statements: Iterable[Union[str, Tuple[str, Params]]],
                           **kwargs: Any) -> List[BatchItem]:
        return self.client.execute_statements(statements, transaction=self, **kwargs)

    def commit(self, *, timeout: Seconds = None) -> None:
        """Commits. If the commit fails, a rollback is attempted (its own
        failure ignored) and the commit's error is raised; either way the
        transaction has ended."""
        request = gateway_pb2.CommitRequest(transaction_id=self._live_id())
        try:
            self.client._unary(self.client._stub.Commit, request, timeout)
        except errors.Error:
            self._quiet_rollback()
            raise
        finally:
            self.active = False

    def rollback(self, *, timeout: Seconds = None) -> None:
        request = gateway_pb2.RollbackRequest(transaction_id=self._live_id())
        try:
            self.client._unary(self.client._stub.Rollback, request, timeout)
        finally:
            self.active = False

    def _quiet_rollback(self) -> None:
        try:
            self.client._unary(self.client._stub.Rollback,
                               gateway_pb2.RollbackRequest(transaction_id=self.id), None)
        except errors.Error:
            pass
        self.active = False

    def __enter__(self) -> "Transaction":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        if not self.active:
            return False
        if exc_type is None:
            self.commit()
        else:
            # The block's exception matters more than a failed rollback
            # (e.g. the gateway already rolled the transaction back).
            self._quiet_rollback()
        return False

    def __repr__(self) -> str:
        state = "active" if self.active else "ended"
        return f"Transaction({self.id!r}, {state})"
