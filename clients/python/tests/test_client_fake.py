"""Client tests against an in-process fake gateway (a Python gRPC server):
request building, metadata, result decoding, errors through real gRPC
trailers, stream laziness and cancellation, and transaction semantics. The
live tests (test_live.py) cover the real gateway and database."""

import concurrent.futures
import datetime
import decimal
import threading
import time
import unittest

import grpc
from google.protobuf import any_pb2

import mysqlgw
from mysqlgw._proto import gateway_pb2, gateway_pb2_grpc, value_pb2

D = decimal.Decimal


def details_bytes(code, message, mysql_error):
    # google.rpc.Status{code=1, message=2, details=3}, encoded by hand.
    def varint(n):
        out = bytearray()
        n &= (1 << 64) - 1
        while True:
            b = n & 0x7F
            n >>= 7
            if n:
                out.append(b | 0x80)
            else:
                out.append(b)
                return bytes(out)

    def ld(field, payload):
        return varint(field << 3 | 2) + varint(len(payload)) + payload

    a = any_pb2.Any()
    a.Pack(mysql_error)
    return varint(1 << 3) + varint(code) + ld(2, message.encode()) + ld(3, a.SerializeToString())


class FakeGateway(gateway_pb2_grpc.GatewayServicer):
    def __init__(self):
        self.requests = []
        self.metadata = []
        self.stream_sent = 0
        self.stream_cancelled = threading.Event()
        self.transactions = {}  # id -> "open" / "committed" / "rolled back"

    def _record(self, request, context):
        self.requests.append(request)
        self.metadata.append(dict(context.invocation_metadata()))
        auth = dict(context.invocation_metadata()).get("authorization")
        if auth != "Bearer secret":
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing or unknown bearer token")

    def _fail_with(self, context, code, errno, sqlstate, message):
        e = gateway_pb2.MySqlError(code=errno, sql_state=sqlstate, message=message)
        context.set_trailing_metadata(
            [("grpc-status-details-bin", details_bytes(code.value[0], "gateway: " + message, e))])
        context.abort(code, "gateway: " + message)

    def Query(self, request, context):
        self._record(request, context)
        if request.sql == "dup":
            self._fail_with(context, grpc.StatusCode.ALREADY_EXISTS, 1062, "23000",
                            "Duplicate entry '1' for key 'PRIMARY'")
        if request.sql == "slow":
            time.sleep(5)
        # Echo: one result set whose single row is the parameters.
        r = gateway_pb2.QueryResponse()
        rs = r.results.add()
        params = list(request.params) or [request.named_params[k]
                                           for k in sorted(request.named_params)]
        row = rs.rows.add()
        for i, p in enumerate(params):
            rs.columns.add(name=f"c{i}", type_name="X", type=value_pb2.COLUMN_TYPE_LONGLONG,
                               nullable=True, unsigned=i % 2 == 1)
            row.values.add().CopyFrom(p)
        rs.outcome.warnings = 2
        r.results.add().outcome.affected_rows = 7  # a second, row-less result
        return r

    def StreamQuery(self, request, context):
        self._record(request, context)
        context.add_callback(self.stream_cancelled.set)
        total = int(request.sql.split()[1])  # "count N"
        yield gateway_pb2.StreamQueryResponse(header=gateway_pb2.StreamQueryResponse.Header(
            result_index=0, columns=[value_pb2.Column(name="n")]))
        n = 0
        while n < total:
            chunk = gateway_pb2.StreamQueryResponse()
            for _ in range(min(1000, total - n)):
                chunk.rows.rows.add().values.add(int64=n)
                n += 1
            self.stream_sent = n
            yield chunk
        footer = gateway_pb2.StreamQueryResponse(footer=gateway_pb2.StreamQueryResponse.Footer(
            result_index=0, row_count=n))
        footer.footer.outcome.warnings = 1
        yield footer
        if "then-fail" in request.sql:
            self._fail_with(context, grpc.StatusCode.ABORTED, 1213, "40001", "Deadlock found")

    def Execute(self, request, context):
        self._record(request, context)
        if request.transaction_id and self.transactions.get(request.transaction_id) != "open":
            context.abort(grpc.StatusCode.NOT_FOUND, "unknown transaction")
        if request.sql == "fk":
            self._fail_with(context, grpc.StatusCode.FAILED_PRECONDITION, 1452, "23000",
                            "Cannot add or update a child row")
        return gateway_pb2.ExecuteResponse(outcome=gateway_pb2.StatementOutcome(
            affected_rows=3, last_insert_id=2**64 - 1, warnings=1, server_status=2,
            info="Rows matched: 3"))

    def ExecuteBatch(self, request, context):
        self._record(request, context)
        r = gateway_pb2.ExecuteBatchResponse()
        failed = False
        items = list(request.parameter_sets) or list(request.statements)
        for item in items:
            if failed and request.stop_on_error:
                r.results.add().skipped = True
                continue
            if item.params and item.params[0].WhichOneof("kind") == "null":
                failed = True
                r.results.add().error.CopyFrom(gateway_pb2.MySqlError(
                    code=1048, sql_state="23000", message="Column 'a' cannot be null"))
            else:
                r.results.add().outcome.affected_rows = 1
        return r

    def BeginTransaction(self, request, context):
        self._record(request, context)
        tid = f"tx{len(self.transactions) + 1}"
        self.transactions[tid] = "open"
        return gateway_pb2.BeginTransactionResponse(transaction_id=tid)

    def Commit(self, request, context):
        self._record(request, context)
        if self.transactions.get(request.transaction_id) != "open":
            context.abort(grpc.StatusCode.NOT_FOUND, "unknown transaction")
        self.transactions[request.transaction_id] = "committed"
        return gateway_pb2.CommitResponse()

    def Rollback(self, request, context):
        self._record(request, context)
        if self.transactions.get(request.transaction_id) != "open":
            context.abort(grpc.StatusCode.NOT_FOUND, "unknown transaction")
        self.transactions[request.transaction_id] = "rolled back"
        return gateway_pb2.RollbackResponse()


class FakeGatewayTest(unittest.TestCase):
    def setUp(self):
        # A fresh fake gateway per test.
        self.fake = FakeGateway()
        self.server = grpc.server(concurrent.futures.ThreadPoolExecutor(max_workers=8))
        gateway_pb2_grpc.add_GatewayServicer_to_server(self.fake, self.server)
        port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()
        self.client = mysqlgw.Client(f"127.0.0.1:{port}", token="secret", timeout=10)

    def tearDown(self):
        self.client.close()
        self.server.stop(None)

    def test_query_params_metadata_and_results(self):
        params = [None, 2**64 - 1, -5, 1.5, D("-0.000001"), "é", b"\x00",
                  datetime.date(2024, 2, 29), datetime.datetime(2024, 1, 2, 3, 4, 5, 6),
                  datetime.timedelta(hours=-838), mysqlgw.ZERO_DATE, mysqlgw.Json("[1]")]
        result = self.client.query("SELECT echo", params, database="db1", max_rows=10,
                                   statement_timeout=1.25, parameter_mode="interpolated",
                                   idempotent=True)
        self.assertIsInstance(result, mysqlgw.Result)
        self.assertEqual(len(result), 2)
        self.assertEqual(result.rows, [tuple(params)])
        self.assertEqual(result.columns[1].name, "c1")
        self.assertTrue(result.columns[1].unsigned)
        self.assertEqual(result.column_names[:2], ["c0", "c1"])
        self.assertEqual(result.outcome.warnings, 2)
        self.assertEqual(result[1].outcome.affected_rows, 7)
        self.assertEqual(result[1].rows, [])
        self.assertEqual(result.dicts()[0]["c2"], -5)
        self.assertIsNone(result.scalar())

        request = self.fake.requests[-1]
        self.assertEqual(request.options.database, "db1")
        self.assertEqual(request.options.max_rows, 10)
        self.assertEqual((request.options.timeout.seconds, request.options.timeout.nanos),
                         (1, 250000000))
        self.assertEqual(request.options.parameter_mode, gateway_pb2.PARAMETER_MODE_INTERPOLATED)
        self.assertTrue(request.options.idempotent)
        self.assertEqual(request.transaction_id, "")
        self.assertEqual(self.fake.metadata[-1]["authorization"], "Bearer secret")

    def test_named_params(self):
        result = self.client.query("SELECT :a, :b", {"a": 1, ":b": "x"})
        self.assertEqual(result.rows, [(1, "x")])
        self.assertEqual(sorted(self.fake.requests[-1].named_params), ["a", "b"])
        self.assertEqual(len(self.fake.requests[-1].params), 0)

    def test_bad_params_fail_before_the_call(self):
        with self.assertRaisesRegex(mysqlgw.ProgrammingError, "parameter 1"):
            self.client.query("SELECT ?", [object()])
        with self.assertRaises(mysqlgw.ProgrammingError):
            self.client.query("SELECT ?", "not a list")
        with self.assertRaises(mysqlgw.ProgrammingError):
            self.client.execute("SELECT ?", [float("nan")])
        with self.assertRaises(mysqlgw.ProgrammingError):
            self.client.query("x", parameter_mode="sideways")
        self.assertEqual(self.fake.requests, [])

    def test_error_details_through_grpc(self):
        with self.assertRaises(mysqlgw.IntegrityError) as cm:
            self.client.query("dup")
        err = cm.exception
        self.assertEqual((err.code, err.mysql_errno, err.sqlstate),
                         (grpc.StatusCode.ALREADY_EXISTS, 1062, "23000"))
        self.assertIn("Duplicate entry", err.message)
        self.assertIsInstance(err.__cause__, grpc.RpcError)
        with self.assertRaises(mysqlgw.IntegrityError) as cm:
            self.client.execute("fk")
        self.assertEqual(cm.exception.mysql_errno, 1452)
        self.assertEqual(cm.exception.code, grpc.StatusCode.FAILED_PRECONDITION)

    def test_unauthenticated(self):
        with mysqlgw.Client(self.client.target, timeout=10) as c:
            with self.assertRaises(mysqlgw.NotAuthorizedError) as cm:
                c.query("SELECT 1")
            self.assertEqual(cm.exception.code, grpc.StatusCode.UNAUTHENTICATED)
            self.assertNotIn("authorization", self.fake.metadata[-1])

    def test_deadline(self):
        with self.assertRaises(mysqlgw.OperationalError) as cm:
            self.client.query("slow", timeout=0.2)
        self.assertEqual(cm.exception.code, grpc.StatusCode.DEADLINE_EXCEEDED)

    def test_execute_outcome(self):
        out = self.client.execute("UPDATE", [1])
        self.assertEqual(out, mysqlgw.Outcome(affected_rows=3, last_insert_id=2**64 - 1,
                                              warnings=1, info="Rows matched: 3",
                                              server_status=2))

    def test_stream_counts_and_outcome(self):
        stream = self.client.stream("count 25000")
        self.assertEqual(stream.column_names, ["n"])
        total = 0
        expected = 0
        for row in stream:
            self.assertEqual(row, (expected,))
            expected += 1
            total += 1
        self.assertEqual(total, 25000)
        self.assertTrue(stream.done)
        self.assertEqual(stream.row_counts, [25000])
        self.assertEqual(stream.outcomes[0].warnings, 1)

    def test_stream_is_lazy_and_close_cancels(self):
        with self.client.stream("count 100000000") as stream:
            first = [next(stream) for _ in range(5)]
        self.assertEqual(first, [(0,), (1,), (2,), (3,), (4,)])
        self.assertTrue(self.fake.stream_cancelled.wait(5))
        # Flow control stopped the server long before 10^8 rows.
        self.assertLess(self.fake.stream_sent, 10_000_000)

    def test_stream_error_after_rows(self):
        rows = []
        with self.assertRaises(mysqlgw.OperationalError) as cm:
            for row in self.client.stream("count 10 then-fail"):
                rows.append(row)
        self.assertEqual(len(rows), 10)
        self.assertEqual(cm.exception.mysql_errno, 1213)
        self.assertEqual(cm.exception.code, grpc.StatusCode.ABORTED)

    def test_stream_unauthenticated_raises_while_iterating(self):
        c = mysqlgw.Client(self.client.target)
        try:
            stream = c.stream("count 1")
            with self.assertRaises(mysqlgw.NotAuthorizedError):
                list(stream)
        finally:
            c.close()

    def test_execute_batch(self):
        items = self.client.execute_batch("INSERT ?", [[1], (2,)])
        self.assertEqual([i.affected_rows for i in items], [1, 1])
        self.assertEqual(len(self.fake.requests[-1].parameter_sets), 2)
        self.assertTrue(self.fake.requests[-1].stop_on_error)

        with self.assertRaises(mysqlgw.IntegrityError) as cm:
            self.client.execute_batch("INSERT ?", [[1], [None], [3]])
        err = cm.exception
        self.assertEqual((err.batch_index, err.mysql_errno, err.code), (1, 1048, None))
        self.assertIs(err.batch_results[2], mysqlgw.SKIPPED)

        items = self.client.execute_batch("INSERT ?", [[None], [2]], stop_on_error=False,
                                          raise_on_error=False)
        self.assertIsInstance(items[0], mysqlgw.IntegrityError)
        self.assertEqual(items[1].affected_rows, 1)

    def test_execute_statements(self):
        items = self.client.execute_statements(["A", ("B", [1]), ("C", {"x": 2})])
        self.assertEqual(len(items), 3)
        st = self.fake.requests[-1].statements
        self.assertEqual([s.sql for s in st], ["A", "B", "C"])
        self.assertEqual(st[2].named_params["x"].int64, 2)

    def test_transaction_commits(self):
        with self.client.transaction("read committed", read_only=True, idle_timeout=3) as tx:
            tx.execute("UPDATE")
            self.assertTrue(tx.active)
        begin = self.fake.requests[0]
        self.assertEqual(begin.isolation, gateway_pb2.ISOLATION_LEVEL_READ_COMMITTED)
        self.assertTrue(begin.read_only)
        self.assertEqual(begin.idle_timeout.seconds, 3)
        self.assertEqual(self.fake.requests[1].transaction_id, tx.id)
        self.assertEqual(self.fake.transactions[tx.id], "committed")
        self.assertFalse(tx.active)
        with self.assertRaises(mysqlgw.ProgrammingError):
            tx.execute("UPDATE")

    def test_transaction_rolls_back_on_exception(self):
        with self.assertRaises(KeyError):
            with self.client.transaction() as tx:
                tx.execute("UPDATE")
                raise KeyError("boom")
        self.assertEqual(self.fake.transactions[tx.id], "rolled back")

    def test_transaction_explicit_end_inside_block(self):
        with self.client.transaction() as tx:
            tx.rollback()
        self.assertEqual(self.fake.transactions[tx.id], "rolled back")
        with self.assertRaises(mysqlgw.ProgrammingError):
            tx.commit()

    def test_transaction_gone_on_gateway(self):
        tx = self.client.transaction("SERIALIZABLE")
        self.fake.transactions[tx.id] = "expired"
        with self.assertRaises(mysqlgw.ProgrammingError) as cm:
            tx.commit()
        self.assertEqual(cm.exception.code, grpc.StatusCode.NOT_FOUND)
        self.assertFalse(tx.active)

    def test_isolation_names(self):
        for name, expected in [(None, 0), ("repeatable-read", 3), ("SERIALIZABLE", 4),
                               ("ISOLATION_LEVEL_READ_UNCOMMITTED", 1), (2, 2)]:
            self.client.transaction(name).rollback()
            begins = [r for r in self.fake.requests
                      if isinstance(r, gateway_pb2.BeginTransactionRequest)]
            self.assertEqual(begins[-1].isolation, expected, name)
        with self.assertRaises(mysqlgw.ProgrammingError):
            self.client.transaction("chaos")

    def test_closed_client(self):
        c = mysqlgw.Client(self.client.target, token="secret")
        c.close()
        with self.assertRaises(mysqlgw.InterfaceError):
            c.query("SELECT 1")


if __name__ == "__main__":
    unittest.main()
