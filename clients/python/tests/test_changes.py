"""Unit tests of change data capture: event conversion from hand-built
mysqlgw.v1 binlog messages, and Client.changes() request building, laziness,
cancellation and errors against an in-process fake ChangeStream service."""

import concurrent.futures
import datetime
import decimal
import threading
import unittest

import grpc

import mysqlgw
from mysqlgw._proto import binlog_pb2, binlog_pb2_grpc, value_pb2
from mysqlgw.changes import ChangeStream
from mysqlgw.values import to_value

D = decimal.Decimal
UTC = datetime.timezone.utc


def column(name, type_name="INT"):
    return value_pb2.Column(name=name, type_name=type_name)


def image(values, absent=()):
    img = binlog_pb2.RowImage(absent=list(absent))
    for v in values:
        to_value(v, img.values.add())
    return img


def schema_event(ref=7, schema="shop", table="orders", names=("id", "price", "at", "blob"),
                 pk=(0,)):
    return binlog_pb2.ChangeEvent(table_schema=binlog_pb2.TableSchema(
        table_ref=ref, schema=schema, table=table, columns=[column(n) for n in names],
        primary_key=list(pk)))


def begin_event(gtid="0-1-5", seconds=1700000000, nanos=250000000):
    e = binlog_pb2.ChangeEvent()
    e.begin.gtid = gtid
    e.begin.timestamp.seconds = seconds
    e.begin.timestamp.nanos = nanos
    return e


def commit_event(token, gtid="0-1-5", file="mysql-bin.000001", pos=1234):
    e = binlog_pb2.ChangeEvent()
    e.commit.gtid = gtid
    e.commit.timestamp.seconds = 1700000000
    e.commit.resume_token = token
    e.commit.position.file = file
    e.commit.position.position = pos
    return e


def row_event(ref, kind, before=None, after=None):
    r = binlog_pb2.RowChange(table_ref=ref, kind=kind)
    if before is not None:
        r.before.CopyFrom(before)
    if after is not None:
        r.after.CopyFrom(after)
    return binlog_pb2.ChangeEvent(row=r)


class FakeCall:
    """A response iterator with cancel(), standing in for a gRPC call."""

    def __init__(self, responses):
        self._it = iter(responses)
        self.read = 0
        self.cancelled = False

    def __iter__(self):
        return self

    def __next__(self):
        msg = next(self._it)
        self.read += 1
        return msg

    def cancel(self):
        self.cancelled = True


def response(*events):
    return binlog_pb2.StreamBinlogResponse(events=list(events))


class ConversionTest(unittest.TestCase):
    def test_transaction(self):
        dt = datetime.datetime(2024, 5, 6, 7, 8, 9, 123456)
        call = FakeCall([
            response(schema_event(), begin_event()),
            response(
                row_event(7, binlog_pb2.CHANGE_KIND_INSERT,
                          after=image([1, D("12.50"), dt, b"\x00\xff"])),
                row_event(7, binlog_pb2.CHANGE_KIND_UPDATE,
                          before=image([1, D("12.50"), dt, b"\x00\xff"]),
                          after=image([1, D("13.00"), None, b""])),
                row_event(7, binlog_pb2.CHANGE_KIND_DELETE,
                          before=image([1, None, None, None], absent=[1, 2, 3])),
                commit_event("tok-1")),
        ])
        stream = ChangeStream(call)
        self.assertIsNone(stream.last_resume_token)
        events = list(stream)
        self.assertEqual(len(events), 5)
        b, ins, upd, dele, c = events
        self.assertEqual(b, mysqlgw.Begin(
            "0-1-5", datetime.datetime(2023, 11, 14, 22, 13, 20, 250000, tzinfo=UTC)))
        self.assertEqual(ins, mysqlgw.RowChange(
            "shop", "orders", "insert", None,
            {"id": 1, "price": D("12.50"), "at": dt, "blob": b"\x00\xff"}, ("id",)))
        self.assertEqual(str(ins.after["price"]), "12.50")
        self.assertIs(type(ins.after["blob"]), bytes)
        self.assertEqual(ins.key, (1,))
        self.assertEqual(upd.kind, "update")
        self.assertEqual(upd.before["price"], D("12.50"))
        self.assertEqual(upd.after, {"id": 1, "price": D("13.00"), "at": None, "blob": b""})
        # Absent columns are left out, not None.
        self.assertEqual(dele, mysqlgw.RowChange("shop", "orders", "delete", {"id": 1}, None,
                                                 ("id",)))
        self.assertEqual(dele.key, (1,))
        self.assertEqual(c.resume_token, "tok-1")
        self.assertEqual(c.gtid, "0-1-5")
        self.assertEqual(c.position, mysqlgw.Position("mysql-bin.000001", 1234))
        self.assertEqual(c.position, ("mysql-bin.000001", 1234))
        self.assertEqual(c.timestamp, datetime.datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC))
        self.assertEqual(stream.last_resume_token, "tok-1")
        self.assertEqual(stream.tables[7].column_names, ("id", "price", "at", "blob"))
        self.assertTrue(stream.done)

    def test_lazy(self):
        call = FakeCall([response(begin_event()), response(commit_event("a")),
                         response(begin_event()), response(commit_event("b"))])
        stream = ChangeStream(call)
        self.assertEqual(call.read, 0)
        self.assertIsInstance(next(stream), mysqlgw.Begin)
        self.assertEqual(call.read, 1)
        self.assertEqual(next(stream).resume_token, "a")
        self.assertEqual((call.read, stream.last_resume_token), (2, "a"))
        with stream:
            pass
        self.assertTrue(call.cancelled)

    def test_schema_change_and_pk(self):
        call = FakeCall([response(
            schema_event(ref=1, schema="s", table="t", names=("a", "b"), pk=(1, 0)),
            row_event(1, binlog_pb2.CHANGE_KIND_INSERT, after=image(["x", 2])),
            schema_event(ref=1, schema="s", table="t", names=("a", "b", "c"), pk=(0,)),
            row_event(1, binlog_pb2.CHANGE_KIND_INSERT, after=image(["y", 3, "z"])),
        )])
        first, second = list(ChangeStream(call))
        self.assertEqual((first.primary_key, first.key, first.after),
                         (("b", "a"), (2, "x"), {"a": "x", "b": 2}))
        self.assertEqual((second.primary_key, second.after), (("a",), {"a": "y", "b": 3, "c": "z"}))

    def test_ddl_and_heartbeat(self):
        hb = binlog_pb2.ChangeEvent()
        hb.heartbeat.position.file = "mysql-bin.000002"
        hb.heartbeat.position.position = 4
        hb.heartbeat.lag.seconds = 2
        hb.heartbeat.lag.nanos = 500000000
        ddl = binlog_pb2.ChangeEvent(ddl=binlog_pb2.DdlEvent(schema="s", statement="CREATE TABLE x (i INT)"))
        events = list(ChangeStream(FakeCall([response(ddl, hb)])))
        self.assertEqual(events[0], mysqlgw.Ddl("s", "CREATE TABLE x (i INT)"))
        self.assertEqual(events[1], mysqlgw.Heartbeat(mysqlgw.Position("mysql-bin.000002", 4)))
        self.assertEqual(events[1].lag, datetime.timedelta(seconds=2.5))
        # Unset timestamp and position.
        e = binlog_pb2.ChangeEvent()
        e.begin.gtid = ""
        e2 = binlog_pb2.ChangeEvent()
        e2.commit.resume_token = "t"
        b, c = list(ChangeStream(FakeCall([response(e, e2)])))
        self.assertEqual((b.gtid, b.timestamp), ("", None))
        self.assertEqual((c.position, c.timestamp), (None, None))

    def test_row_before_schema(self):
        stream = ChangeStream(FakeCall([response(
            row_event(9, binlog_pb2.CHANGE_KIND_INSERT, after=image([1])))]))
        with self.assertRaises(mysqlgw.InterfaceError):
            next(stream)

    def test_value_count_mismatch(self):
        stream = ChangeStream(FakeCall([response(
            schema_event(ref=1, names=("a", "b")),
            row_event(1, binlog_pb2.CHANGE_KIND_INSERT, after=image([1])))]))
        with self.assertRaises(mysqlgw.InterfaceError):
            next(stream)


def progress_event(phase, schema="shop", table="orders", rows=0, token="", restarted=False,
                   file="mysql-bin.000001", pos=0):
    e = binlog_pb2.ChangeEvent()
    p = e.snapshot
    p.phase = phase
    p.schema, p.table, p.rows = schema, table, rows
    p.resume_token, p.restarted = token, restarted
    if file:
        p.position.file, p.position.position = file, pos
    p.gtid_state = "0-1-9"
    return e


def status_event(state, message="", attempt=0, pos=100):
    e = binlog_pb2.ChangeEvent()
    e.status.state = state
    e.status.message = message
    e.status.attempt = attempt
    e.status.position.file = "mysql-bin.000001"
    e.status.position.position = pos
    return e


SP = binlog_pb2.SnapshotProgress
SS = binlog_pb2.StreamStatus


class SnapshotAndStatusTest(unittest.TestCase):
    def snapshot_call(self):
        return FakeCall([
            response(progress_event(SP.PHASE_STARTED, schema="", table="", pos=400),
                     schema_event(ref=1, names=("id", "v")),
                     progress_event(SP.PHASE_TABLE_STARTED)),
            response(row_event(1, binlog_pb2.CHANGE_KIND_SNAPSHOT, after=image([1, "a"])),
                     row_event(1, binlog_pb2.CHANGE_KIND_SNAPSHOT, after=image([2, "b"])),
                     progress_event(SP.PHASE_CHUNK, rows=2, token="chunk-2"),
                     row_event(1, binlog_pb2.CHANGE_KIND_SNAPSHOT, after=image([3, "c"])),
                     progress_event(SP.PHASE_TABLE_DONE, rows=3, token="table-done")),
            response(progress_event(SP.PHASE_DONE, schema="", table="", token="done", pos=400),
                     begin_event(),
                     row_event(1, binlog_pb2.CHANGE_KIND_INSERT, after=image([4, "d"])),
                     commit_event("commit-1")),
        ])

    def test_snapshot_rows_and_progress(self):
        stream = ChangeStream(self.snapshot_call())
        events = []
        tokens = []
        for e in stream:
            events.append(e)
            tokens.append(stream.last_resume_token)
        self.assertEqual([type(e).__name__ for e in events],
                         ["SnapshotProgress", "SnapshotProgress", "RowChange", "RowChange",
                          "SnapshotProgress", "RowChange", "SnapshotProgress",
                          "SnapshotProgress", "Begin", "RowChange", "Commit"])
        started, table_started, r1, r2, chunk, r3, table_done, done, _, ins, _ = events
        self.assertEqual(started, mysqlgw.SnapshotProgress(
            "started", "", "", 0, mysqlgw.Position("mysql-bin.000001", 400), "0-1-9", "", False))
        self.assertEqual((table_started.phase, table_started.schema, table_started.table),
                         ("table_started", "shop", "orders"))
        self.assertEqual(r1, mysqlgw.RowChange("shop", "orders", "snapshot", None,
                                               {"id": 1, "v": "a"}, ("id",)))
        self.assertEqual([r.key for r in (r1, r2, r3)], [(1,), (2,), (3,)])
        self.assertEqual((chunk.phase, chunk.rows, chunk.resume_token), ("chunk", 2, "chunk-2"))
        self.assertEqual((table_done.phase, table_done.rows), ("table_done", 3))
        self.assertEqual(done.phase, "done")
        self.assertEqual(ins.kind, "insert")
        # The stored token follows progress tokens like commit tokens.
        self.assertEqual(tokens, [None, None, None, None, "chunk-2", "chunk-2", "table-done",
                                  "done", "done", "done", "commit-1"])

    def test_chunk_without_token_keeps_the_previous_one(self):
        stream = ChangeStream(FakeCall([response(
            progress_event(SP.PHASE_TABLE_DONE, token="t1"),
            progress_event(SP.PHASE_TABLE_STARTED, table="nokey", restarted=True),
            progress_event(SP.PHASE_CHUNK, table="nokey", token=""))]))
        events = list(stream)
        self.assertTrue(events[1].restarted)
        self.assertEqual(events[2].resume_token, "")
        self.assertEqual(stream.last_resume_token, "t1")

    def status_call(self):
        return FakeCall([response(
            begin_event(),
            status_event(SS.STATE_RECONNECTING, "connection reset", 1),
            status_event(SS.STATE_RECONNECTING, "connection refused", 2),
            status_event(SS.STATE_RESUMED, pos=120),
            commit_event("c"))])

    def test_status_not_yielded_by_default(self):
        seen = []
        stream = ChangeStream(self.status_call(), on_status=seen.append)
        self.assertEqual([type(e).__name__ for e in stream], ["Begin", "Commit"])
        self.assertEqual([(s.state, s.message, s.attempt) for s in seen],
                         [("reconnecting", "connection reset", 1),
                          ("reconnecting", "connection refused", 2), ("resumed", "", 0)])
        self.assertEqual(seen[2].position, mysqlgw.Position("mysql-bin.000001", 120))
        self.assertEqual(stream.status, seen[2])
        self.assertEqual(stream.last_resume_token, "c")

    def test_status_yielded_on_request(self):
        events = list(ChangeStream(self.status_call(), status_events=True))
        self.assertEqual([type(e).__name__ for e in events],
                         ["Begin", "StreamStatus", "StreamStatus", "StreamStatus", "Commit"])
        self.assertEqual(events[1], mysqlgw.StreamStatus(
            "reconnecting", "connection reset", 1, mysqlgw.Position("mysql-bin.000001", 100)))

    def test_unknown_phase_and_state_are_skipped(self):
        events = list(ChangeStream(FakeCall([response(
            progress_event(99), status_event(99), commit_event("x"))]), status_events=True))
        self.assertEqual([type(e).__name__ for e in events], ["Commit"])


class FakeChangeStream(binlog_pb2_grpc.ChangeStreamServicer):
    def __init__(self):
        self.requests = []
        self.cancelled = threading.Event()
        self.follow_started = threading.Event()

    def StreamBinlog(self, request, context):
        self.requests.append(request)
        if request.resume_token == "bad":
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "malformed resume token")
        if request.gtid_set == "purged":
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, "the binlog was purged")
        yield response(schema_event(ref=1, names=("id",)), begin_event())
        yield response(row_event(1, binlog_pb2.CHANGE_KIND_INSERT, after=image([42])),
                       commit_event("tok"))
        if request.mode == binlog_pb2.StreamBinlogRequest.MODE_FOLLOW:
            self.follow_started.set()
            context.add_callback(self.cancelled.set)
            while context.is_active():
                self.cancelled.wait(0.05)


class FakeServerTest(unittest.TestCase):
    def setUp(self):
        self.servicer = FakeChangeStream()
        self.server = grpc.server(concurrent.futures.ThreadPoolExecutor(4))
        binlog_pb2_grpc.add_ChangeStreamServicer_to_server(self.servicer, self.server)
        port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()
        self.addCleanup(self.server.stop, None)
        self.db = mysqlgw.Client(f"127.0.0.1:{port}", token="secret")
        self.addCleanup(self.db.close)

    def test_request(self):
        events = list(self.db.changes(
            gtid_set="0-1-10", until_now=True, include_tables="shop.*",
            exclude_tables=["shop.tmp_*"], kinds=["insert", "DELETE"], include_ddl=True,
            omit_before_images=True, heartbeat_interval=0.5))
        self.assertEqual([type(e).__name__ for e in events], ["Begin", "RowChange", "Commit"])
        self.assertEqual(events[1].after, {"id": 42})
        r = self.servicer.requests[-1]
        self.assertEqual(r.WhichOneof("start"), "gtid_set")
        self.assertEqual(r.gtid_set, "0-1-10")
        self.assertEqual(r.mode, binlog_pb2.StreamBinlogRequest.MODE_UNTIL_NOW)
        self.assertEqual(list(r.filter.include_tables), ["shop.*"])
        self.assertEqual(list(r.filter.exclude_tables), ["shop.tmp_*"])
        self.assertEqual(list(r.filter.kinds),
                         [binlog_pb2.CHANGE_KIND_INSERT, binlog_pb2.CHANGE_KIND_DELETE])
        self.assertTrue(r.filter.include_ddl and r.omit_before_images)
        self.assertEqual(r.heartbeat_interval.nanos, 500000000)

    def test_start_points(self):
        cases = [({}, "now"), ({"start": "now"}, "now"), ({"start": "earliest"}, "earliest"),
                 ({"resume_token": "tok"}, "resume_token"),
                 ({"position": ("mysql-bin.000003", 4)}, "position")]
        for kwargs, which in cases:
            with self.subTest(kwargs=kwargs):
                list(self.db.changes(until_now=True, **kwargs))
                self.assertEqual(self.servicer.requests[-1].WhichOneof("start"), which)
        r = self.servicer.requests[-1]
        self.assertEqual((r.position.file, r.position.position), ("mysql-bin.000003", 4))
        for kwargs in ({"start": "later"}, {"start": "now", "gtid_set": "0-1-1"},
                       {"resume_token": "a", "position": ("f", 4)}, {"position": "f"},
                       {"kinds": ["upsert"]}):
            with self.subTest(kwargs=kwargs), self.assertRaises(mysqlgw.ProgrammingError):
                self.db.changes(**kwargs)

    def test_snapshot_request(self):
        list(self.db.changes(snapshot=["shop.*", "crm.users"], progress_rows=500,
                             until_now=True))
        r = self.servicer.requests[-1]
        self.assertEqual(r.WhichOneof("start"), "snapshot")
        self.assertEqual(list(r.snapshot.tables), ["shop.*", "crm.users"])
        self.assertEqual(r.snapshot.progress_rows, 500)
        # Every table: an empty snapshot message, still the chosen start.
        for every in (True, []):
            list(self.db.changes(snapshot=every, until_now=True))
            r = self.servicer.requests[-1]
            self.assertEqual(r.WhichOneof("start"), "snapshot")
            self.assertEqual((list(r.snapshot.tables), r.snapshot.progress_rows), ([], 0))
        list(self.db.changes(snapshot="shop.orders", until_now=True))
        self.assertEqual(list(self.servicer.requests[-1].snapshot.tables), ["shop.orders"])
        # snapshot=False is no snapshot.
        list(self.db.changes(snapshot=False, until_now=True))
        self.assertEqual(self.servicer.requests[-1].WhichOneof("start"), "now")
        for kwargs in ({"snapshot": True, "resume_token": "t"}, {"progress_rows": 10},
                       {"snapshot": True, "progress_rows": 0}):
            with self.subTest(kwargs=kwargs), self.assertRaises(mysqlgw.ProgrammingError):
                self.db.changes(**kwargs)

    def test_errors(self):
        stream = self.db.changes(resume_token="bad")
        with self.assertRaises(mysqlgw.ProgrammingError) as cm:
            next(stream)
        self.assertEqual(cm.exception.code, grpc.StatusCode.INVALID_ARGUMENT)
        with self.assertRaises(mysqlgw.OperationalError) as cm:
            list(self.db.changes(gtid_set="purged"))
        self.assertEqual(cm.exception.code, grpc.StatusCode.FAILED_PRECONDITION)

    def test_follow_close_from_another_thread(self):
        seen = []
        committed = threading.Event()
        finished = threading.Event()
        stream = self.db.changes()

        def consume():
            for e in stream:
                seen.append(e)
                if isinstance(e, mysqlgw.Commit):
                    committed.set()
            finished.set()

        t = threading.Thread(target=consume, daemon=True)
        t.start()
        self.assertTrue(self.servicer.follow_started.wait(5))
        self.assertTrue(committed.wait(5))
        stream.close()
        self.assertTrue(finished.wait(5), "iteration did not end after close()")
        self.assertEqual([type(e).__name__ for e in seen], ["Begin", "RowChange", "Commit"])
        self.assertEqual(stream.last_resume_token, "tok")
        self.assertTrue(self.servicer.cancelled.wait(5))


if __name__ == "__main__":
    unittest.main()
