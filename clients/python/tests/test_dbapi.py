"""mysqlgw.dbapi (PEP 249) against an in-process fake gateway: the calls it
makes (lazy transactions, StreamQuery, ExecuteBatch), streaming and
cancellation, descriptions and type objects, error classes and closed
objects. test_dbapi_live.py runs it against the real gateway."""

import concurrent.futures
import datetime
import decimal
import threading
import time
import unittest

import grpc

import mysqlgw
from mysqlgw import dbapi
from mysqlgw._proto import gateway_pb2, gateway_pb2_grpc, value_pb2
from test_client_fake import details_bytes

SQR = gateway_pb2.StreamQueryResponse
CT = value_pb2.ColumnType


def header(index, *columns):
    return SQR(header=SQR.Header(result_index=index, columns=list(columns)))


def footer(index, row_count=0, **outcome):
    return SQR(footer=SQR.Footer(result_index=index, row_count=row_count,
                                 outcome=gateway_pb2.StatementOutcome(**outcome)))


def rows(*values):
    msg = SQR()
    for v in values:
        msg.rows.rows.add().values.add(int64=v)
    return msg


class FakeGateway(gateway_pb2_grpc.GatewayServicer):
    """Answers StreamQuery by the statement's first word(s):
    "count N" N int rows in chunks of 100; "insert" no rows; "multi" two
    result sets then an outcome; "types" columns of several types; "bad",
    "missing", "dup", "deadlock" fail as MySQL would; anything else one row
    echoing the parameters."""

    def __init__(self):
        self.calls = []  # (method name, request)
        self.transactions = {}
        self.sent = 0
        self.finished = threading.Event()  # a count stream sent its footer
        self.cancelled = threading.Event()
        self.lock = threading.Lock()

    def _record(self, name, request, context):
        with self.lock:
            self.calls.append((name, request))
        if dict(context.invocation_metadata()).get("authorization") != "Bearer secret":
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing or unknown bearer token")
        tid = getattr(request, "transaction_id", "")
        if tid and self.transactions.get(tid) != "open":
            context.abort(grpc.StatusCode.NOT_FOUND, f"unknown transaction {tid}")

    def methods(self):
        return [name for name, _ in self.calls]

    def _fail(self, context, code, errno, sqlstate, message):
        e = gateway_pb2.MySqlError(code=errno, sql_state=sqlstate, message=message)
        context.set_trailing_metadata(
            [("grpc-status-details-bin", details_bytes(code.value[0], message, e))])
        context.abort(code, message)

    def StreamQuery(self, request, context):
        self._record("StreamQuery", request, context)
        words = request.sql.split()
        first = words[0].lower() if words else ""
        failures = {
            "bad": (grpc.StatusCode.INVALID_ARGUMENT, 1064, "42000", "syntax error"),
            "missing": (grpc.StatusCode.NOT_FOUND, 1146, "42S02", "Table 't' doesn't exist"),
            "dup": (grpc.StatusCode.ALREADY_EXISTS, 1062, "23000", "Duplicate entry '1'"),
            "deadlock": (grpc.StatusCode.ABORTED, 1213, "40001", "Deadlock found"),
            "toolong": (grpc.StatusCode.INVALID_ARGUMENT, 1406, "22001", "Data too long"),
        }
        if first in failures:
            self._fail(context, *failures[first])
        if first == "count":
            context.add_callback(lambda: None if self.finished.is_set() else self.cancelled.set())
            total = int(words[1])
            yield header(0, value_pb2.Column(name="n", type=CT.COLUMN_TYPE_LONGLONG))
            n = 0
            while n < total:
                take = min(100, total - n)
                yield rows(*range(n, n + take))
                n += take
                self.sent = n
            self.finished.set()
            yield footer(0, row_count=n)
        elif first == "insert":
            yield header(0)
            yield footer(0, affected_rows=2, last_insert_id=41, info="Records: 2")
        elif first == "update":
            yield header(0)
            yield footer(0, affected_rows=3)
        elif first == "multi" or first == "call":
            yield header(0, value_pb2.Column(name="a", type=CT.COLUMN_TYPE_LONG))
            yield rows(1, 2)
            yield footer(0, row_count=2)
            yield header(1, value_pb2.Column(name="b", type=CT.COLUMN_TYPE_LONG))
            yield rows(3)
            yield footer(1, row_count=1)
            yield header(2)
            yield footer(2, affected_rows=0)
        elif first == "types":
            yield header(0, *[
                value_pb2.Column(name="txt", type=CT.COLUMN_TYPE_BLOB, length=65535,
                                 nullable=True),
                value_pb2.Column(name="blob", type=CT.COLUMN_TYPE_BLOB, binary=True),
                value_pb2.Column(name="vb", type=CT.COLUMN_TYPE_VAR_STRING, binary=True,
                                 length=10),
                value_pb2.Column(name="dec", type=CT.COLUMN_TYPE_NEWDECIMAL, length=12,
                                 decimals=2),
                value_pb2.Column(name="udec", type=CT.COLUMN_TYPE_NEWDECIMAL, length=5,
                                 decimals=0, unsigned=True),
                value_pb2.Column(name="dt", type=CT.COLUMN_TYPE_DATETIME),
                value_pb2.Column(name="ts", type=CT.COLUMN_TYPE_TIMESTAMP),
                value_pb2.Column(name="y", type=CT.COLUMN_TYPE_YEAR),
                value_pb2.Column(name="e", type=CT.COLUMN_TYPE_ENUM),
            ])
            yield footer(0)
        else:
            params = list(request.params) or [request.named_params[k]
                                               for k in sorted(request.named_params)]
            yield header(0, *[value_pb2.Column(name=f"p{i}") for i in range(len(params))])
            msg = SQR()
            msg.rows.rows.add().values.extend(params)
            yield msg
            yield footer(0, row_count=1)

    def ExecuteBatch(self, request, context):
        self._record("ExecuteBatch", request, context)
        r = gateway_pb2.ExecuteBatchResponse()
        failed = False
        for i, ps in enumerate(request.parameter_sets):
            if failed and request.stop_on_error:
                r.results.add().skipped = True
            elif ps.params and ps.params[0].WhichOneof("kind") == "null":
                failed = True
                r.results.add().error.CopyFrom(gateway_pb2.MySqlError(
                    code=1062, sql_state="23000", message="Duplicate entry"))
            else:
                r.results.add().outcome.CopyFrom(gateway_pb2.StatementOutcome(
                    affected_rows=1, last_insert_id=100 + i))
        return r

    def BeginTransaction(self, request, context):
        self._record("BeginTransaction", request, context)
        tid = f"tx{len(self.transactions) + 1}"
        self.transactions[tid] = "open"
        return gateway_pb2.BeginTransactionResponse(transaction_id=tid)

    def Commit(self, request, context):
        self._record("Commit", request, context)
        self.transactions[request.transaction_id] = "committed"
        return gateway_pb2.CommitResponse()

    def Rollback(self, request, context):
        self._record("Rollback", request, context)
        self.transactions[request.transaction_id] = "rolled back"
        return gateway_pb2.RollbackResponse()


class DbapiFakeTest(unittest.TestCase):
    def setUp(self):
        self.fake = FakeGateway()
        self.server = grpc.server(concurrent.futures.ThreadPoolExecutor(max_workers=8))
        gateway_pb2_grpc.add_GatewayServicer_to_server(self.fake, self.server)
        port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()
        self.addCleanup(self.server.stop, None)
        self.target = f"127.0.0.1:{port}"
        self.conn = dbapi.connect(self.target, token="secret", timeout=10)
        self.addCleanup(self.conn.close)

    def streams(self):
        return [r for name, r in self.fake.calls if name == "StreamQuery"]

    # -- module --------------------------------------------------------------

    def test_module_globals_and_exceptions(self):
        self.assertEqual((dbapi.apilevel, dbapi.threadsafety, dbapi.paramstyle),
                         ("2.0", 1, "qmark"))
        self.assertTrue(issubclass(dbapi.Warning, Exception))
        self.assertTrue(issubclass(dbapi.Error, Exception))
        self.assertFalse(issubclass(dbapi.Warning, dbapi.Error))
        self.assertTrue(issubclass(dbapi.InterfaceError, dbapi.Error))
        self.assertFalse(issubclass(dbapi.InterfaceError, dbapi.DatabaseError))
        for name in ("DataError", "OperationalError", "IntegrityError", "InternalError",
                     "ProgrammingError", "NotSupportedError", "NotAuthorizedError"):
            self.assertTrue(issubclass(getattr(dbapi, name), dbapi.DatabaseError), name)
        self.assertIs(dbapi.IntegrityError, mysqlgw.IntegrityError)
        self.assertIs(self.conn.ProgrammingError, dbapi.ProgrammingError)
        self.assertEqual(self.fake.calls, [])  # connect() makes no call

    def test_type_objects(self):
        TC = dbapi.TypeCode
        text, blob = TC(CT.COLUMN_TYPE_BLOB), TC(CT.COLUMN_TYPE_BLOB, binary=True)
        self.assertEqual(text, 252)
        self.assertEqual(repr(blob), "TypeCode(BLOB, binary)")
        self.assertTrue(text == dbapi.STRING and dbapi.STRING == text)
        self.assertTrue(blob == dbapi.BINARY and blob != dbapi.STRING)
        self.assertTrue(text != dbapi.BINARY)
        self.assertEqual(TC(CT.COLUMN_TYPE_VAR_STRING, True), dbapi.BINARY)
        self.assertEqual(TC(CT.COLUMN_TYPE_ENUM), dbapi.STRING)
        self.assertEqual(TC(CT.COLUMN_TYPE_GEOMETRY, True), dbapi.BINARY)
        for code in (CT.COLUMN_TYPE_LONGLONG, CT.COLUMN_TYPE_NEWDECIMAL, CT.COLUMN_TYPE_DOUBLE,
                     CT.COLUMN_TYPE_YEAR):
            self.assertEqual(TC(code), dbapi.NUMBER)
            self.assertNotEqual(TC(code), dbapi.STRING)
        for code in (CT.COLUMN_TYPE_DATE, CT.COLUMN_TYPE_TIME, CT.COLUMN_TYPE_DATETIME,
                     CT.COLUMN_TYPE_TIMESTAMP2):
            self.assertEqual(TC(code), dbapi.DATETIME)
            self.assertNotEqual(TC(code), dbapi.NUMBER)
        # A plain int (no binary flag) is text for the character codes.
        self.assertEqual(253, dbapi.STRING)
        self.assertNotEqual(253, dbapi.BINARY)
        self.assertNotEqual(TC(CT.COLUMN_TYPE_LONG), dbapi.ROWID)
        self.assertNotEqual(dbapi.STRING, "STRING")

    def test_constructors(self):
        ticks = 1700000000.5
        local = datetime.datetime.fromtimestamp(int(ticks))
        self.assertEqual(dbapi.DateFromTicks(ticks), local.date())
        self.assertEqual(dbapi.TimeFromTicks(ticks), local.time())
        self.assertEqual(dbapi.TimestampFromTicks(ticks), local)
        self.assertEqual(dbapi.Date(2024, 2, 29), datetime.date(2024, 2, 29))
        self.assertEqual(dbapi.Time(1, 2, 3), datetime.time(1, 2, 3))
        self.assertEqual(dbapi.Timestamp(2024, 1, 2, 3, 4, 5),
                         datetime.datetime(2024, 1, 2, 3, 4, 5))
        self.assertEqual(dbapi.Binary(b"\x00\xff"), b"\x00\xff")
        self.assertIs(type(dbapi.Binary(bytearray(b"a"))), bytes)

    # -- transactions ----------------------------------------------------------

    def test_transaction_begins_lazily_and_spans_statements(self):
        cur = self.conn.cursor()
        self.assertFalse(self.conn.in_transaction)
        self.assertEqual(self.fake.calls, [])
        cur.execute("insert a")
        cur.execute("update b")
        self.assertEqual(self.fake.methods(), ["BeginTransaction", "StreamQuery", "StreamQuery"])
        self.assertEqual([r.transaction_id for r in self.streams()], ["tx1", "tx1"])
        self.conn.commit()
        self.assertEqual(self.fake.transactions, {"tx1": "committed"})
        self.assertFalse(self.conn.in_transaction)
        cur.execute("insert c")
        self.assertEqual(self.streams()[-1].transaction_id, "tx2")
        self.conn.rollback()
        self.assertEqual(self.fake.transactions["tx2"], "rolled back")
        # Nothing open: commit and rollback make no call.
        n = len(self.fake.calls)
        self.conn.commit()
        self.conn.rollback()
        self.assertEqual(len(self.fake.calls), n)

    def test_transaction_options_and_database(self):
        conn = dbapi.connect(self.target, token="secret", database="shop",
                             isolation="serializable", read_only=True,
                             transaction_idle_timeout=2.5)
        self.addCleanup(conn.close)
        conn.cursor().execute("select 1")
        begin = self.fake.calls[0][1]
        self.assertEqual(begin.database, "shop")
        self.assertEqual(begin.isolation, gateway_pb2.ISOLATION_LEVEL_SERIALIZABLE)
        self.assertTrue(begin.read_only)
        self.assertEqual((begin.idle_timeout.seconds, begin.idle_timeout.nanos), (2, 5 * 10**8))
        # Inside the transaction the database came with BeginTransaction.
        self.assertEqual(self.streams()[-1].options.database, "")
        conn.autocommit = True  # commits the open transaction
        self.assertEqual(self.fake.transactions["tx1"], "committed")
        conn.cursor().execute("select 2")
        self.assertEqual(self.streams()[-1].options.database, "shop")
        self.assertEqual(self.streams()[-1].transaction_id, "")

    def test_autocommit(self):
        conn = dbapi.connect(self.target, token="secret", autocommit=True,
                             statement_timeout=1.5, parameter_mode="interpolated")
        self.addCleanup(conn.close)
        self.assertTrue(conn.autocommit)
        cur = conn.cursor()
        cur.execute("insert a")
        cur.executemany("insert b", [[1], [2]])
        self.assertEqual(self.fake.methods(), ["StreamQuery", "ExecuteBatch"])
        self.assertEqual(self.fake.calls[0][1].transaction_id, "")
        self.assertEqual(self.fake.calls[1][1].transaction_id, "")
        self.assertEqual(self.fake.calls[0][1].options.parameter_mode,
                         gateway_pb2.PARAMETER_MODE_INTERPOLATED)
        self.assertEqual(self.fake.calls[0][1].options.timeout.seconds, 1)
        conn.commit()
        conn.rollback()
        self.assertNotIn("Commit", self.fake.methods())
        conn.autocommit = False
        cur.execute("insert c")
        self.assertEqual(self.fake.methods()[-2:], ["BeginTransaction", "StreamQuery"])

    def test_context_manager_commits_or_rolls_back_then_closes(self):
        with dbapi.connect(self.target, token="secret") as conn:
            conn.cursor().execute("insert a")
        self.assertTrue(conn.closed)
        self.assertEqual(self.fake.transactions, {"tx1": "committed"})
        with self.assertRaises(ZeroDivisionError):
            with dbapi.connect(self.target, token="secret") as conn:
                conn.cursor().execute("insert a")
                1 / 0
        self.assertEqual(self.fake.transactions["tx2"], "rolled back")
        self.assertTrue(conn.closed)

    # -- execute and fetch -----------------------------------------------------

    def test_statement_without_rows(self):
        cur = self.conn.cursor()
        self.assertIs(cur.execute("insert x", ["a", 1]), cur)
        self.assertIsNone(cur.description)
        self.assertEqual((cur.rowcount, cur.lastrowid), (2, 41))
        request = self.streams()[-1]
        self.assertEqual([p.WhichOneof("kind") for p in request.params], ["string", "int64"])
        with self.assertRaises(dbapi.ProgrammingError):
            cur.fetchone()
        cur.execute("update x")
        self.assertEqual((cur.rowcount, cur.lastrowid), (3, None))

    def test_fetch_methods_and_rowcount(self):
        cur = self.conn.cursor()
        cur.execute("count 250")
        self.assertEqual(cur.description, [("n", 8, None, 0, None, None, False)])
        self.assertEqual(cur.description[0][1], dbapi.NUMBER)
        self.assertEqual(cur.rowcount, -1)  # not known until the end
        self.assertEqual(cur.fetchone(), (0,))
        self.assertEqual(cur.fetchmany(), [(1,)])  # arraysize 1
        cur.arraysize = 3
        self.assertEqual(cur.fetchmany(), [(2,), (3,), (4,)])
        self.assertEqual(cur.fetchmany(2), [(5,), (6,)])
        self.assertEqual(cur.rownumber, 7)
        rest = cur.fetchall()
        self.assertEqual(rest, [(n,) for n in range(7, 250)])
        self.assertEqual(cur.rowcount, 250)
        self.assertIsNone(cur.fetchone())
        self.assertEqual(cur.fetchmany(5), [])
        self.assertEqual(cur.fetchall(), [])
        self.assertEqual(list(cur.execute("count 3")), [(0,), (1,), (2,)])

    def test_params_qmark_and_named(self):
        cur = self.conn.cursor()
        cur.execute("echo ?, ?", (decimal.Decimal("1.50"), None))
        self.assertEqual(cur.fetchall(), [(decimal.Decimal("1.50"), None)])
        cur.execute("echo :a, :b", {"a": 1, ":b": "x"})
        self.assertEqual(dict(self.streams()[-1].named_params)["b"].string, "x")
        self.assertEqual(cur.fetchone(), (1, "x"))
        with self.assertRaises(dbapi.ProgrammingError):
            cur.execute("echo ?", [object()])
        with self.assertRaises(dbapi.ProgrammingError):
            cur.execute("echo ?", "not a sequence")

    def test_description_of_types(self):
        cur = self.conn.cursor()
        cur.execute("types")
        d = {col[0]: col for col in cur.description}
        self.assertTrue(all(len(col) == 7 for col in cur.description))
        self.assertEqual(d["txt"][1], dbapi.STRING)
        self.assertEqual(d["blob"][1], dbapi.BINARY)
        self.assertEqual(d["vb"][1], dbapi.BINARY)
        self.assertEqual(d["txt"][3], 65535)
        self.assertTrue(d["txt"][6])
        self.assertEqual(d["dec"][4:6], (10, 2))  # "-12345678.90": sign and point
        self.assertEqual(d["udec"][4:6], (5, 0))
        self.assertEqual(d["dt"][1], dbapi.DATETIME)
        self.assertEqual(d["ts"][1], dbapi.DATETIME)
        self.assertEqual(d["y"][1], dbapi.NUMBER)
        self.assertEqual(d["e"][1], dbapi.STRING)
        self.assertEqual(cur.fetchall(), [])
        self.assertEqual(cur.rowcount, 0)

    def test_nextset_and_callproc(self):
        cur = self.conn.cursor()
        self.assertEqual(cur.callproc("p", [1, "x"]), [1, "x"])
        self.assertEqual(self.streams()[-1].sql, "CALL p(?, ?)")
        self.assertEqual([d[0] for d in cur.description], ["a"])
        self.assertEqual(cur.fetchone(), (1,))  # the rest of this set is skipped
        self.assertTrue(cur.nextset())
        self.assertEqual([d[0] for d in cur.description], ["b"])
        self.assertEqual(cur.fetchall(), [(3,)])
        self.assertTrue(cur.nextset())  # the CALL's own outcome
        self.assertIsNone(cur.description)
        self.assertEqual(cur.rowcount, 0)
        self.assertIsNone(cur.nextset())
        self.assertIsNone(cur.nextset())
        with self.assertRaises(dbapi.ProgrammingError):
            self.conn.cursor().nextset()

    def test_stream_is_lazy_and_cancelled_on_close_outside_transaction(self):
        self.conn.autocommit = True
        cur = self.conn.cursor()
        cur.execute("count 1000000")
        got = cur.fetchmany(150)
        self.assertEqual(got[-1], (149,))
        self.assertLessEqual(cur._reader.held_rows, 100)
        time.sleep(0.2)
        # gRPC flow control holds the producer back: far from all was sent.
        self.assertLess(self.fake.sent, 500000)
        cur.close()
        self.assertTrue(self.fake.cancelled.wait(5))
        self.assertFalse(self.fake.finished.is_set())

    def test_close_inside_transaction_reads_to_the_end(self):
        cur = self.conn.cursor()
        cur.execute("count 5000")
        cur.fetchone()
        cur.close()
        # Cancelling would kill the statement and lose the transaction.
        self.assertTrue(self.fake.finished.is_set())
        self.assertFalse(self.fake.cancelled.wait(0.2))
        self.conn.commit()
        self.assertEqual(self.fake.transactions, {"tx1": "committed"})

    def test_second_statement_in_transaction_buffers_the_open_stream(self):
        a, b = self.conn.cursor(), self.conn.cursor()
        a.execute("count 1000")
        self.assertEqual(a.fetchmany(2), [(0,), (1,)])
        b.execute("insert x")  # the transaction's connection must be free first
        self.assertTrue(self.fake.finished.is_set())
        self.conn.commit()
        self.assertEqual(a.fetchall(), [(n,) for n in range(2, 1000)])
        self.assertEqual(a.rowcount, 1000)

    def test_execute_again_stops_the_previous_stream(self):
        self.conn.autocommit = True
        cur = self.conn.cursor()
        cur.execute("count 1000000")
        cur.fetchone()
        cur.execute("count 2")
        self.assertTrue(self.fake.cancelled.wait(5))
        self.assertEqual(cur.fetchall(), [(0,), (1,)])

    # -- executemany ---------------------------------------------------------

    def test_executemany(self):
        cur = self.conn.cursor()
        cur.executemany("INSERT INTO t VALUES (?, ?)", [(1, "a"), [2, "b"], {"x": 3}])
        name, request = self.fake.calls[-1]
        self.assertEqual(name, "ExecuteBatch")
        self.assertEqual(request.transaction_id, "tx1")
        self.assertEqual(request.sql, "INSERT INTO t VALUES (?, ?)")
        self.assertTrue(request.stop_on_error)
        self.assertEqual(len(request.parameter_sets), 3)
        self.assertEqual(request.parameter_sets[2].named_params["x"].int64, 3)
        self.assertEqual((cur.rowcount, cur.lastrowid), (3, 102))
        self.assertIsNone(cur.description)

        n = len(self.fake.calls)
        cur.executemany("INSERT INTO t VALUES (?)", iter([]))
        self.assertEqual(cur.rowcount, 0)
        self.assertEqual(len(self.fake.calls), n)

        with self.assertRaises(dbapi.IntegrityError) as cm:
            cur.executemany("INSERT INTO t VALUES (?)", [[1], [None], [3]])
        self.assertEqual((cm.exception.batch_index, cm.exception.mysql_errno), (1, 1062))
        self.assertIs(cm.exception.batch_results[2], mysqlgw.SKIPPED)

    # -- errors ----------------------------------------------------------------

    def test_errors_map_to_pep249_classes(self):
        cur = self.conn.cursor()
        cases = [("bad", dbapi.ProgrammingError, 1064), ("missing", dbapi.ProgrammingError, 1146),
                 ("dup", dbapi.IntegrityError, 1062), ("deadlock", dbapi.OperationalError, 1213),
                 ("toolong", dbapi.DataError, 1406)]
        for sql, cls, errno in cases:
            with self.subTest(sql=sql):
                with self.assertRaises(cls) as cm:
                    cur.execute(sql)
                self.assertEqual(cm.exception.mysql_errno, errno)
                self.assertIsNone(cur.description)
        # The transaction stays usable after a statement's error.
        cur.execute("insert x")
        self.conn.commit()
        self.assertEqual(self.fake.transactions, {"tx1": "committed"})

        with dbapi.connect(self.target, token="wrong") as bad:
            with self.assertRaises(dbapi.NotAuthorizedError) as cm:
                bad.cursor().execute("select 1")
            self.assertIsInstance(cm.exception, dbapi.DatabaseError)

    def test_unreachable_gateway_is_operational_error(self):
        with dbapi.connect("127.0.0.1:1", token="secret", timeout=5) as conn:
            with self.assertRaises(dbapi.OperationalError):
                conn.cursor().execute("select 1")

    # -- closed objects ------------------------------------------------------

    def test_closed_cursor(self):
        cur = self.conn.cursor()
        cur.execute("count 10")
        cur.close()
        cur.close()  # idempotent
        self.assertTrue(cur.closed)
        for call in (lambda: cur.execute("select 1"), cur.fetchone, cur.fetchall,
                     lambda: cur.fetchmany(2), lambda: cur.executemany("x", [[1]]),
                     cur.nextset, lambda: next(iter(cur))):
            with self.assertRaises(dbapi.InterfaceError):
                call()
        self.conn.cursor().execute("select 1")  # the connection is still fine

    def test_closed_connection(self):
        cur = self.conn.cursor()
        cur.execute("insert a")
        self.conn.close()
        self.conn.close()  # idempotent
        self.assertTrue(self.conn.closed)
        self.assertEqual(self.fake.transactions, {"tx1": "rolled back"})
        self.assertTrue(cur.closed)
        for call in (self.conn.cursor, self.conn.commit, self.conn.rollback,
                     lambda: cur.execute("select 1"),
                     lambda: setattr(self.conn, "autocommit", True)):
            with self.assertRaises(dbapi.InterfaceError):
                call()

    def test_borrowed_client_stays_open(self):
        client = mysqlgw.Client(self.target, token="secret")
        self.addCleanup(client.close)
        with dbapi.connect(client=client, autocommit=True) as conn:
            conn.cursor().execute("insert a")
        self.assertEqual(list(client.stream("count 2")), [(0,), (1,)])


if __name__ == "__main__":
    unittest.main()
