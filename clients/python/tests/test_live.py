"""Live tests: the client against the real gateway binary and MariaDB.

The module starts a sandbox MariaDB (scripts/mysql-sandbox) unless
MYSQLGW_TEST_DSN names a server, and the gateway binary with a config file
holding one principal, then stops both at the end.

Environment:
  MYSQLGW_BINARY           the gateway binary; default ROOT/bazel-bin/server/
                           gateway/mysqlgw, else `bazel build` (with BAZEL and
                           BAZEL_STARTUP_OPTIONS, as scripts/test uses them)
  MYSQLGW_TEST_DSN         mysql://user:password@host:port/db of an existing
                           server instead of a sandbox
  MYSQLGW_PYTHON_LIVE=0    skip these tests
"""

import atexit
import datetime
import decimal
import hashlib
import os
import queue
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse
import uuid

import grpc

import mysqlgw

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_ROOT = os.path.dirname(HERE)
ROOT = os.path.dirname(os.path.dirname(PACKAGE_ROOT))
TOKEN = "python-client-test-token-" + uuid.uuid4().hex
# A second principal that may also run several statements in one call.
ADMIN_TOKEN = "python-client-admin-token-" + uuid.uuid4().hex
PASSWORD_ENV = "MYSQLGW_PYTEST_BACKEND_PASSWORD"

D = decimal.Decimal
TD = datetime.timedelta

_state = {}

# A CTE `d` of the numbers 0..999 (MariaDB stops a recursive CTE after
# max_recursive_iterations, 1000 by default, so larger ranges are joins).
THOUSAND = ("WITH RECURSIVE d (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d "
            "WHERE n < 999) ")


def _log(msg):
    print(f"test_live: {msg}", file=sys.stderr, flush=True)


def find_gateway_binary():
    path = os.environ.get("MYSQLGW_BINARY")
    if path:
        if not os.access(path, os.X_OK):
            raise RuntimeError(f"MYSQLGW_BINARY={path} is not an executable file")
        return path
    path = os.path.join(ROOT, "bazel-bin", "server", "gateway", "mysqlgw")
    if os.access(path, os.X_OK):
        return path
    bazel = [os.environ.get("BAZEL", "bazel")] + shlex.split(
        os.environ.get("BAZEL_STARTUP_OPTIONS", ""))
    _log("building //server/gateway:mysqlgw")
    build = subprocess.run(bazel + ["build", "--color=no", "--curses=no",
                                    "//server/gateway:mysqlgw"], cwd=ROOT,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if build.returncode != 0:
        raise RuntimeError("bazel build //server/gateway:mysqlgw failed:\n" +
                           build.stdout[-4000:])
    bin_dir = subprocess.run(bazel + ["info", "bazel-bin"], cwd=ROOT, check=True,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True).stdout.strip()
    path = os.path.join(bin_dir, "server", "gateway", "mysqlgw")
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"{path} missing after bazel build")
    return path


def read_env_file(path):
    """The MYSQLGW_SANDBOX_* values of a sandbox.env (sourced by a shell)."""
    out = subprocess.run(
        ["bash", "-c", 'set -a; . "$1"; env -0', "bash", path], check=True,
        stdout=subprocess.PIPE).stdout.decode()
    env = {}
    for item in out.split("\0"):
        key, sep, value = item.partition("=")
        if sep and key.startswith("MYSQLGW_SANDBOX_"):
            env[key[len("MYSQLGW_SANDBOX_"):]] = value
    return env


def start_database(work):
    """(user, password, host, port, database) of the server to use."""
    dsn = os.environ.get("MYSQLGW_TEST_DSN")
    if dsn:
        u = urllib.parse.urlsplit(dsn)
        return (urllib.parse.unquote(u.username or ""), urllib.parse.unquote(u.password or ""),
                u.hostname or "127.0.0.1", u.port or 3306,
                (u.path or "/").lstrip("/") or "mysqlgw_test")
    sandbox_dir = os.path.join(work, "sandbox")
    _log("starting a sandbox MariaDB")
    subprocess.run([os.path.join(ROOT, "scripts", "mysql-sandbox"), "start",
                    "--dir", sandbox_dir, "--no-state", "--watch-pid", str(os.getpid())],
                   check=True, stdout=subprocess.DEVNULL)
    _state["sandbox_dir"] = sandbox_dir
    env = read_env_file(os.path.join(sandbox_dir, "sandbox.env"))
    return env["USER"], env["PASSWORD"], env["HOST"], int(env["PORT"]), env["DATABASE"]


def start_gateway(work, binary, user, password, host, port, database):
    config = os.path.join(work, "gateway.yaml")
    token_hash = hashlib.sha256(TOKEN.encode()).hexdigest()
    admin_hash = hashlib.sha256(ADMIN_TOKEN.encode()).hexdigest()
    with open(config, "w") as f:
        f.write(f"""\
io_threads: 2
limits:
  stream_chunk_bytes: 65536
auth:
  principals:
    - name: python-tests
      token_sha256: ["{token_hash}"]
      databases: ["*"]
      operations: [read, write, ddl, binlog]
    - name: python-tests-admin
      token_sha256: ["{admin_hash}"]
      databases: ["*"]
      operations: [read, write, ddl, admin]
""")
    port_file = os.path.join(work, "gateway.port")
    log_path = os.path.join(work, "gateway.log")
    dsn = (f"mysql://{urllib.parse.quote(user, safe='')}@{host}:{port}/{database}"
           "?ssl-mode=disabled")
    env = dict(os.environ)
    env[PASSWORD_ENV] = password
    args = [binary, f"--config={config}", f"--backend_dsn={dsn}",
            f"--backend_password_env={PASSWORD_ENV}", "--listen=127.0.0.1:0",
            f"--port_file={port_file}"]
    _log(f"starting {' '.join(shlex.quote(a) for a in args)}")
    log = open(log_path, "wb")
    proc = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    log.close()
    _state["gateway"] = proc
    _state["gateway_log"] = log_path
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the gateway exited with status {proc.returncode}:\n" +
                               gateway_log())
        try:
            with open(port_file) as f:
                text = f.read()
            if text.endswith("\n") and int(text) > 0:
                return int(text)
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    raise RuntimeError("the gateway did not start serving within 60 s:\n" + gateway_log())


def gateway_log():
    try:
        with open(_state["gateway_log"], errors="replace") as f:
            return f.read()[-8000:]
    except (KeyError, OSError):
        return ""


def setUpModule():
    if os.environ.get("MYSQLGW_PYTHON_LIVE", "1") == "0":
        raise unittest.SkipTest("MYSQLGW_PYTHON_LIVE=0")
    work = tempfile.mkdtemp(prefix="mysqlgw-pylive.")
    _state["work"] = work
    # Also on Ctrl-C, when unittest skips tearDownModule (it is idempotent).
    atexit.register(tearDownModule)
    try:
        binary = find_gateway_binary()
        db = start_database(work)
        _state["database"] = db[4]
        port = start_gateway(work, binary, *db)
        _state["target"] = f"127.0.0.1:{port}"
    except BaseException:
        tearDownModule()
        raise


def tearDownModule():
    proc = _state.pop("gateway", None)
    if proc is not None and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            _log("the gateway ignored SIGTERM for 30 s; killing it")
            proc.kill()
            proc.wait()
    if proc is not None and proc.returncode not in (0, None):
        _log(f"the gateway exited with status {proc.returncode}; log:\n{gateway_log()}")
    sandbox_dir = _state.pop("sandbox_dir", None)
    if sandbox_dir:
        subprocess.run([os.path.join(ROOT, "scripts", "mysql-sandbox"), "stop",
                        "--dir", sandbox_dir], stdout=subprocess.DEVNULL)
    work = _state.pop("work", None)
    if work:
        shutil.rmtree(work, ignore_errors=True)


class LiveTest(unittest.TestCase):
    def setUp(self):
        self.db = mysqlgw.Client(_state["target"], token=TOKEN, timeout=60)
        self.addCleanup(self.db.close)

    def table(self, definition):
        """Creates a table unique to this test; returns its name."""
        name = "py_" + uuid.uuid4().hex[:12]
        self.db.execute(f"CREATE TABLE {name} ({definition})")
        self.addCleanup(self.db.execute, f"DROP TABLE IF EXISTS {name}")
        return name

    # -- values ------------------------------------------------------------

    def test_every_type_round_trips(self):
        columns = [
            # (column definition, values inserted in turn, expected back when different)
            ("ti TINYINT", [-128, 127]),
            ("uti TINYINT UNSIGNED", [0, 255]),
            ("si SMALLINT", [-32768, 32767]),
            ("mi MEDIUMINT", [-8388608, 8388607]),
            ("i INT", [-2147483648, 2147483647]),
            ("bi BIGINT", [-(2**63), 2**63 - 1]),
            ("ubi BIGINT UNSIGNED", [0, 2**64 - 1]),
            ("f FLOAT", [-1.5, 3.25]),
            ("d DOUBLE", [-1.7976931348623157e308, 2.2250738585072014e-308]),
            ("dec6 DECIMAL(20,6)", [D("-0.000001"), D("99999999999999.999999")]),
            ("dec65 DECIMAL(65,30)",
             [D("-99999999999999999999999999999999999.999999999999999999999999999999"),
              D("0.000000000000000000000000000001")]),
            ("c CHAR(10)", ["", "abc"]),
            ("vc VARCHAR(100)", ["héllo wörld 😀", "it's \"quoted\" \\ back"]),
            ("tx TEXT", ["a" * 5000, "line\nbreak\ttab\x00nul"]),
            ("bn BINARY(4)", [b"\x00\x01\x02\x03", b"\xff\xfe\xfd\xfc"]),
            ("vb VARBINARY(100)", [b"", bytes(range(100))]),
            ("bl BLOB", [bytes(range(256)) * 4, b"\x00"]),
            ("dt DATE", [datetime.date(1000, 1, 1), datetime.date(9999, 12, 31)]),
            ("zd DATE", [mysqlgw.ZERO_DATE, mysqlgw.InvalidDate(2024, 0, 0)]),
            ("dtm DATETIME(6)", [datetime.datetime(1000, 1, 1, 0, 0, 0, 0),
                                 datetime.datetime(9999, 12, 31, 23, 59, 59, 999999)]),
            ("zdt DATETIME", [mysqlgw.ZERO_DATETIME, datetime.datetime(2024, 2, 29, 12, 0, 1)]),
            ("ts TIMESTAMP(6) NULL", [datetime.datetime(2001, 2, 3, 4, 5, 6, 123456),
                                      datetime.datetime(2030, 12, 31, 23, 59, 59, 999999)]),
            ("tm TIME(6)", [TD(hours=-838), TD(hours=838, minutes=59, seconds=59)]),
            ("tm2 TIME(6)", [TD(microseconds=-1), TD(hours=25, microseconds=999999)]),
            ("y YEAR", [1901, 2155]),
            ("bt BIT(8)", [0, 255]),
            ("e ENUM('a','b')", ["a", "b"]),
            ("st SET('x','y')", ["", "x,y"]),
            ("j JSON", [mysqlgw.Json('{"a": [1, 2.5, null], "b": "ü"}'), mysqlgw.Json("[]")]),
        ]
        name = self.table("id INT PRIMARY KEY, " + ", ".join(c for c, _ in columns))
        names = [c.split()[0] for c, _ in columns]
        placeholders = ", ".join("?" * (len(names) + 1))
        for row_index in range(2):
            params = [row_index] + [vals[row_index] for _, vals in columns]
            out = self.db.execute(f"INSERT INTO {name} VALUES ({placeholders})", params)
            self.assertEqual(out.affected_rows, 1)
            self.assertEqual(out.warnings, 0, params)
        # Also all NULL, distinct from empty and zero values.
        self.db.execute(f"INSERT INTO {name} (id) VALUES (?)", [2])

        result = self.db.query(f"SELECT {', '.join(names)} FROM {name} ORDER BY id")
        self.assertEqual(result.column_names, names)
        self.assertEqual(len(result.rows), 3)
        for row_index in range(2):
            got = result.rows[row_index]
            for (definition, vals), value in zip(columns, got):
                want = vals[row_index]
                with self.subTest(column=definition, row=row_index):
                    self.assertEqual(value, want)
                    if isinstance(want, (decimal.Decimal, datetime.date, datetime.timedelta,
                                         bytes, mysqlgw.InvalidDate, mysqlgw.InvalidDateTime)):
                        self.assertIs(type(value), type(want))
                    if isinstance(want, decimal.Decimal):
                        self.assertEqual(str(value), str(want))
        self.assertEqual(result.rows[2], (None,) * len(names))

        cols = {c.name: c for c in result.columns}
        self.assertTrue(cols["ubi"].unsigned)
        self.assertEqual(cols["ubi"].type_name, "BIGINT UNSIGNED")
        self.assertFalse(cols["bi"].unsigned)
        self.assertTrue(cols["vb"].binary)
        self.assertFalse(cols["vc"].binary)
        self.assertEqual(cols["dec6"].decimals, 6)
        self.assertTrue(cols["tx"].nullable)

        # The same values read back as parameters compare equal server-side.
        first = result.rows[1]
        where = " AND ".join(f"{n} <=> ?" for n in names if n not in ("f", "j"))
        params = [v for n, v in zip(names, first) if n not in ("f", "j")]
        found = self.db.query(f"SELECT id FROM {name} WHERE {where}", params)
        self.assertEqual(found.rows, [(1,)])

    def test_literals_of_every_kind(self):
        r = self.db.query(
            "SELECT NULL, 18446744073709551615, -9223372036854775808, 1.5e0, "
            "CAST(-0.000001 AS DECIMAL(10,6)), 'txt', X'00ff', DATE '2024-02-29', "
            "TIMESTAMP '2024-01-02 03:04:05.678901', TIME '-838:59:59', "
            "JSON_OBJECT('k', 1), CAST('0000-00-00' AS DATE)")
        self.assertEqual(r.rows[0][:10], (
            None, 2**64 - 1, -(2**63), 1.5, D("-0.000001"), "txt", b"\x00\xff",
            datetime.date(2024, 2, 29), datetime.datetime(2024, 1, 2, 3, 4, 5, 678901),
            -TD(hours=838, minutes=59, seconds=59)))
        self.assertEqual(r.rows[0][10].replace(" ", ""), '{"k":1}')
        self.assertIn(r.rows[0][11], (mysqlgw.ZERO_DATE, None))  # NULL in strict modes

    def test_null_params(self):
        r = self.db.query("SELECT ? IS NULL, ? IS NULL, ? IS NULL, ?", [None, "", 0, None])
        self.assertEqual(r.rows, [(1, 0, 0, None)])

    def test_named_params(self):
        r = self.db.query("SELECT :a + :b, :a, :s", {"a": 40, "b": 2, "s": "x"})
        self.assertEqual(r.rows, [(42, 40, "x")])

    def test_interpolated_mode(self):
        r = self.db.query("SELECT ?, ?, ?", ["it's", b"\x00'", D("1.50")],
                          parameter_mode="interpolated")
        self.assertEqual(r.rows, [("it's", b"\x00'", D("1.50"))])

    def test_multiple_result_sets(self):
        # A compound procedure body and a multi-statement text both count as
        # several statements, which needs the admin operation.
        admin = mysqlgw.Client(_state["target"], token=ADMIN_TOKEN, timeout=60)
        self.addCleanup(admin.close)
        proc = "py_p_" + uuid.uuid4().hex[:8]
        admin.execute(f"CREATE PROCEDURE {proc}() BEGIN SELECT 1 AS a; "
                      f"SELECT 2 AS b, 'x' AS c; END")
        self.addCleanup(admin.execute, f"DROP PROCEDURE IF EXISTS {proc}")
        r = self.db.query(f"CALL {proc}()")
        self.assertGreaterEqual(len(r), 2)
        self.assertEqual((r[0].column_names, r[0].rows), (["a"], [(1,)]))
        self.assertEqual((r[1].column_names, r[1].rows), (["b", "c"], [(2, "x")]))
        self.assertEqual(r.rows, [(1,)])

        r = admin.query("SELECT 1 AS a; SELECT 2 AS b")
        self.assertEqual([rs.rows for rs in r], [[(1,)], [(2,)]])
        # Several statements cannot be prepared: parameters need interpolation.
        r = admin.query("SELECT ? AS a; SELECT ? AS b", [1, "two"],
                        parameter_mode="interpolated")
        self.assertEqual([rs.rows for rs in r], [[(1,)], [("two",)]])

        stream = admin.stream("SELECT 1 AS a UNION ALL SELECT 2; SELECT 'x' AS b")
        seen = [(stream.result_index, row) for row in stream]
        self.assertEqual(seen, [(0, (1,)), (0, (2,)), (1, ("x",))])
        self.assertEqual(stream.row_counts, [2, 1])
        self.assertEqual(stream.column_names, ["b"])

    # -- streaming -----------------------------------------------------------

    def test_stream_100k_rows_lazily(self):
        sql = THOUSAND + ("SELECT a.n * 100 + b.n + 1 AS n, REPEAT('x', 40) AS pad "
                          "FROM d a CROSS JOIN d b WHERE b.n < 100")
        stream = self.db.stream(sql)
        self.assertEqual(stream.column_names, ["n", "pad"])
        count = total = largest_chunk = chunks = 0
        current = None
        for n, pad in stream:
            count += 1
            total += n
            # Only the current chunk is held, never the whole result.
            if stream._rows is not current:
                current = stream._rows
                chunks += 1
                largest_chunk = max(largest_chunk, len(current))
        self.assertEqual(count, 100000)
        self.assertEqual(total, 100000 * 100001 // 2)
        self.assertEqual(stream.row_counts, [100000])
        self.assertLess(largest_chunk, 10000)
        self.assertGreater(chunks, 10)

    def test_stream_stopped_early(self):
        sql = THOUSAND + "SELECT a.n * 1000 + b.n AS n FROM d a CROSS JOIN d b"  # 10^6 rows
        taken = 0
        with self.db.stream(sql) as stream:
            for _ in stream:
                taken += 1
                if taken == 10:
                    break
        self.assertEqual(taken, 10)
        self.assertTrue(stream.done)
        # The cancelled call left the gateway and its pool usable.
        self.assertEqual(self.db.query("SELECT 1").rows, [(1,)])
        self.assertEqual(sum(1 for _ in self.db.stream(THOUSAND + "SELECT n FROM d")), 1000)

    def test_stream_error(self):
        with self.assertRaises(mysqlgw.ProgrammingError) as cm:
            list(self.db.stream("SELECT * FROM no_such_table_here"))
        self.assertEqual(cm.exception.mysql_errno, 1146)

    # -- execute, batch, transactions ---------------------------------------

    def test_execute_outcome(self):
        name = self.table("id INT AUTO_INCREMENT PRIMARY KEY, v INT, UNIQUE (v)")
        out = self.db.execute(f"INSERT INTO {name} (v) VALUES (?), (?), (?)", [1, 2, 3])
        self.assertIsInstance(out, mysqlgw.Outcome)
        self.assertEqual((out.affected_rows, out.last_insert_id), (3, 1))
        self.assertIn("Records: 3", out.info)
        out = self.db.execute(f"UPDATE {name} SET v = v + 10 WHERE v >= ?", [2])
        self.assertEqual(out.affected_rows, 2)
        self.assertIn("Rows matched: 2", out.info)
        out = self.db.execute(f"INSERT IGNORE INTO {name} (v) VALUES (1)")
        self.assertEqual((out.affected_rows, out.warnings), (0, 1))
        self.assertIsInstance(out.server_status, int)

    def test_execute_batch(self):
        name = self.table("id INT PRIMARY KEY, v VARCHAR(10)")
        items = self.db.execute_batch(f"INSERT INTO {name} VALUES (?, ?)",
                                      [[1, "a"], (2, "b"), [3, None]])
        self.assertEqual([i.affected_rows for i in items], [1, 1, 1])
        items = self.db.execute_batch(f"INSERT INTO {name} VALUES (:id, :v)",
                                      [{"id": 4, "v": "d"}, {"id": 5, "v": "e"}])
        self.assertEqual(len(items), 2)

        with self.assertRaises(mysqlgw.IntegrityError) as cm:
            self.db.execute_batch(f"INSERT INTO {name} VALUES (?, ?)",
                                  [[6, "f"], [1, "dup"], [7, "g"]])
        err = cm.exception
        self.assertEqual((err.batch_index, err.mysql_errno, err.sqlstate), (1, 1062, "23000"))
        self.assertIsInstance(err.batch_results[0], mysqlgw.Outcome)
        self.assertIs(err.batch_results[2], mysqlgw.SKIPPED)

        items = self.db.execute_batch(f"INSERT INTO {name} VALUES (?, ?)",
                                      [[1, "dup"], [8, "h"]], stop_on_error=False,
                                      raise_on_error=False)
        self.assertIsInstance(items[0], mysqlgw.IntegrityError)
        self.assertEqual(items[1].affected_rows, 1)
        ids = [r[0] for r in self.db.query(f"SELECT id FROM {name} ORDER BY id").rows]
        self.assertEqual(ids, [1, 2, 3, 4, 5, 6, 8])

        items = self.db.execute_statements([f"UPDATE {name} SET v = 'z' WHERE id = 1",
                                            (f"DELETE FROM {name} WHERE id > ?", [5])])
        self.assertEqual([i.affected_rows for i in items], [1, 2])

    def test_transaction_commit(self):
        name = self.table("id INT PRIMARY KEY")
        with self.db.transaction(isolation="read committed") as tx:
            tx.execute(f"INSERT INTO {name} VALUES (?)", [1])
            tx.execute_batch(f"INSERT INTO {name} VALUES (?)", [[2], [3]])
            self.assertEqual(tx.query(f"SELECT COUNT(*) FROM {name}").scalar(), 3)
            # Not visible outside the transaction yet.
            self.assertEqual(self.db.query(f"SELECT COUNT(*) FROM {name}").scalar(), 0)
            self.assertEqual(sum(1 for _ in tx.stream(f"SELECT id FROM {name}")), 3)
        self.assertFalse(tx.active)
        self.assertEqual(self.db.query(f"SELECT COUNT(*) FROM {name}").scalar(), 3)

    def test_transaction_rollback_on_exception(self):
        name = self.table("id INT PRIMARY KEY")
        with self.assertRaises(ZeroDivisionError):
            with self.db.transaction() as tx:
                tx.execute(f"INSERT INTO {name} VALUES (1)")
                1 / 0
        self.assertFalse(tx.active)
        self.assertEqual(self.db.query(f"SELECT COUNT(*) FROM {name}").scalar(), 0)

        # A database error inside the block rolls back too.
        with self.assertRaises(mysqlgw.IntegrityError):
            with self.db.transaction() as tx:
                tx.execute(f"INSERT INTO {name} VALUES (1)")
                tx.execute(f"INSERT INTO {name} VALUES (1)")
        self.assertEqual(self.db.query(f"SELECT COUNT(*) FROM {name}").scalar(), 0)

    def test_transaction_explicit(self):
        name = self.table("id INT PRIMARY KEY")
        tx = self.db.transaction()
        tx.execute(f"INSERT INTO {name} VALUES (1)")
        tx.rollback()
        tx = self.db.transaction()
        tx.execute(f"INSERT INTO {name} VALUES (2)")
        tx.commit()
        self.assertEqual(self.db.query(f"SELECT id FROM {name}").rows, [(2,)])
        with self.assertRaises(mysqlgw.ProgrammingError):
            tx.commit()

    def test_read_only_transaction(self):
        name = self.table("id INT PRIMARY KEY")
        with self.assertRaises(mysqlgw.DatabaseError):
            with self.db.transaction(read_only=True, isolation="serializable") as tx:
                tx.execute(f"INSERT INTO {name} VALUES (1)")
        self.assertEqual(self.db.query(f"SELECT COUNT(*) FROM {name}").scalar(), 0)

    # -- errors --------------------------------------------------------------

    def test_duplicate_key(self):
        name = self.table("id INT PRIMARY KEY")
        self.db.execute(f"INSERT INTO {name} VALUES (1)")
        with self.assertRaises(mysqlgw.IntegrityError) as cm:
            self.db.execute(f"INSERT INTO {name} VALUES (?)", [1])
        err = cm.exception
        self.assertEqual(err.code, grpc.StatusCode.ALREADY_EXISTS)
        self.assertEqual(err.mysql_errno, 1062)
        self.assertEqual(err.sqlstate, "23000")
        self.assertIn("Duplicate entry", err.message)

    def test_foreign_key(self):
        parent = self.table("id INT PRIMARY KEY")
        child = self.table(f"id INT PRIMARY KEY, p INT, FOREIGN KEY (p) REFERENCES {parent}(id)")
        with self.assertRaises(mysqlgw.IntegrityError) as cm:
            self.db.execute(f"INSERT INTO {child} VALUES (1, 99)")
        self.assertEqual(cm.exception.mysql_errno, 1452)
        self.assertEqual(cm.exception.code, grpc.StatusCode.FAILED_PRECONDITION)

    def test_syntax_and_unknown_table(self):
        with self.assertRaises(mysqlgw.ProgrammingError) as cm:
            self.db.query("SELECT 1 +")
        self.assertEqual((cm.exception.code, cm.exception.mysql_errno, cm.exception.sqlstate),
                         (grpc.StatusCode.INVALID_ARGUMENT, 1064, "42000"))
        with self.assertRaises(mysqlgw.ProgrammingError) as cm:
            self.db.query("SELECT * FROM no_such_table_here")
        self.assertEqual((cm.exception.code, cm.exception.mysql_errno),
                         (grpc.StatusCode.NOT_FOUND, 1146))

    def test_max_rows(self):
        with self.assertRaises(mysqlgw.OperationalError) as cm:
            self.db.query("SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3", max_rows=2)
        self.assertEqual(cm.exception.code, grpc.StatusCode.RESOURCE_EXHAUSTED)

    def test_timeouts(self):
        started = time.monotonic()
        with self.assertRaises(mysqlgw.OperationalError) as cm:
            self.db.query("SELECT SLEEP(5)", timeout=0.5)
        self.assertEqual(cm.exception.code, grpc.StatusCode.DEADLINE_EXCEEDED)
        with self.assertRaises(mysqlgw.OperationalError) as cm:
            self.db.query("SELECT SLEEP(5)", statement_timeout=0.5)
        self.assertEqual(cm.exception.code, grpc.StatusCode.DEADLINE_EXCEEDED)
        self.assertLess(time.monotonic() - started, 4)
        self.assertEqual(self.db.query("SELECT 1").scalar(), 1)

    def test_unauthenticated(self):
        for token in (None, "wrong-token"):
            with mysqlgw.Client(_state["target"], token=token, timeout=30) as anon:
                with self.assertRaises(mysqlgw.NotAuthorizedError) as cm:
                    anon.query("SELECT 1")
                self.assertEqual(cm.exception.code, grpc.StatusCode.UNAUTHENTICATED, token)
                self.assertIsNone(cm.exception.mysql_errno)

    def test_readme_example(self):
        with open(os.path.join(PACKAGE_ROOT, "README.md")) as f:
            text = f.read()
        code = text.split("```python\n", 1)[1].split("```", 1)[0]
        self.addCleanup(self.db.execute, "DROP TABLE IF EXISTS greetings")
        env = dict(os.environ, MYSQLGW_TARGET=_state["target"], MYSQLGW_TOKEN=TOKEN,
                   PYTHONPATH=PACKAGE_ROOT)
        run = subprocess.run([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, timeout=60)
        self.assertEqual(run.returncode, 0, run.stdout)
        self.assertIn("'hello'", run.stdout)


    # -- change data capture --------------------------------------------------

    def gtid_pos(self):
        return self.db.query("SELECT @@GLOBAL.gtid_binlog_pos").scalar()

    def test_changes_until_now_and_resume(self):
        name = self.table("id INT PRIMARY KEY, price DECIMAL(10,2), at DATETIME(6), "
                          "data VARBINARY(20)")
        database = _state["database"]
        before = self.gtid_pos()
        at = datetime.datetime(2024, 2, 29, 13, 14, 15, 123456)
        self.db.execute(f"INSERT INTO {name} VALUES (?, ?, ?, ?)", [1, D("12.50"), at, b"\x00\xff"])
        self.db.execute(f"UPDATE {name} SET price = ? WHERE id = ?", [D("13.05"), 1])
        self.db.execute(f"DELETE FROM {name} WHERE id = ?", [1])

        with self.db.changes(gtid_set=before, until_now=True,
                             include_tables=[f"{database}.{name}"]) as stream:
            events = list(stream)
        self.assertTrue(stream.done)
        # Three transactions of Begin, RowChange, Commit.
        self.assertEqual([type(e).__name__ for e in events],
                         ["Begin", "RowChange", "Commit"] * 3, events)
        begin, ins, c1, _, upd, c2, _, dele, c3 = events
        self.assertTrue(begin.gtid)
        self.assertIsInstance(begin.timestamp, datetime.datetime)
        self.assertEqual((ins.schema, ins.table, ins.kind, ins.primary_key),
                         (database, name, "insert", ("id",)))
        self.assertIsNone(ins.before)
        self.assertEqual(ins.after, {"id": 1, "price": D("12.50"), "at": at, "data": b"\x00\xff"})
        self.assertIs(type(ins.after["price"]), decimal.Decimal)
        self.assertEqual(str(ins.after["price"]), "12.50")
        self.assertIs(type(ins.after["at"]), datetime.datetime)
        self.assertIs(type(ins.after["data"]), bytes)
        self.assertEqual(upd.kind, "update")
        self.assertEqual(upd.before["price"], D("12.50"))
        self.assertEqual(upd.after["price"], D("13.05"))
        self.assertEqual((dele.kind, dele.after, dele.before["id"]), ("delete", None, 1))
        for c in (c1, c2, c3):
            self.assertTrue(c.resume_token)
            self.assertTrue(c.position.file)
            self.assertGreater(c.position.position, 0)
        self.assertEqual(stream.last_resume_token, c3.resume_token)

        # Resuming after the first commit yields only the later transactions.
        with self.db.changes(resume_token=c1.resume_token, until_now=True,
                             include_tables=[f"{database}.{name}"]) as stream:
            rows = [e for e in stream if isinstance(e, mysqlgw.RowChange)]
        self.assertEqual([r.kind for r in rows], ["update", "delete"])
        self.assertEqual(rows[0].after["price"], D("13.05"))
        self.assertEqual(stream.last_resume_token, c3.resume_token)

        # Only deletes; before-images omitted (the key stays).
        with self.db.changes(gtid_set=before, until_now=True, kinds=["delete"],
                             omit_before_images=True,
                             include_tables=[f"{database}.{name}"]) as stream:
            rows = [e for e in stream if isinstance(e, mysqlgw.RowChange)]
        self.assertEqual([r.kind for r in rows], ["delete"])
        self.assertEqual(rows[0].before.get("id"), 1)

    def test_changes_errors(self):
        with self.assertRaises(mysqlgw.ProgrammingError) as cm:
            list(self.db.changes(resume_token="not-a-token", until_now=True))
        self.assertEqual(cm.exception.code, grpc.StatusCode.INVALID_ARGUMENT)
        # The admin principal lacks the binlog operation.
        with mysqlgw.Client(_state["target"], token=ADMIN_TOKEN, timeout=60) as admin:
            with self.assertRaises(mysqlgw.NotAuthorizedError):
                list(admin.changes(until_now=True))

    def test_changes_follow(self):
        name = self.table("id INT PRIMARY KEY, v VARCHAR(20)")
        database = _state["database"]
        got = queue.Queue()
        stream = self.db.changes(start="now", include_tables=[f"{database}.{name}"],
                                 heartbeat_interval=0.2)
        self.addCleanup(stream.close)

        def consume():
            try:
                for event in stream:
                    got.put(event)
            except BaseException as e:  # reported to the main thread
                got.put(e)

        thread = threading.Thread(target=consume, daemon=True)
        thread.start()
        # A heartbeat shows the stream is running (and positioned) before the insert.
        first = got.get(timeout=5)
        self.assertIsInstance(first, mysqlgw.Heartbeat, first)
        self.db.execute(f"INSERT INTO {name} VALUES (?, ?)", [7, "seven"])
        deadline = time.monotonic() + 5
        row = None
        while row is None:
            event = got.get(timeout=max(0.01, deadline - time.monotonic()))
            if isinstance(event, BaseException):
                raise event
            if isinstance(event, mysqlgw.RowChange):
                row = event
        self.assertEqual((row.kind, row.table, row.after), ("insert", name, {"id": 7, "v": "seven"}))
        event = got.get(timeout=5)
        while isinstance(event, mysqlgw.Heartbeat):
            event = got.get(timeout=5)
        self.assertIsInstance(event, mysqlgw.Commit)
        stream.close()
        thread.join(5)
        self.assertFalse(thread.is_alive(), "the iteration did not end after close()")

    # -- snapshots, resume tokens of snapshots, reconnection -------------------

    def snapshot_table(self, rows):
        """A table of `rows` rows (id = 10 * n, v, n) for n in 1..rows."""
        name = self.table("id INT PRIMARY KEY, v VARCHAR(20), n INT")
        self.db.execute(f"INSERT INTO {name} SELECT seq * 10, CONCAT('v', seq), seq "
                        f"FROM seq_1_to_{rows}")
        return name, f"{_state['database']}.{name}"

    def contents(self, name):
        """The table as read through the gateway: {(id,): row dict}."""
        result = self.db.query(f"SELECT * FROM {name}")
        names = [c.name for c in result.columns]
        return {(row[0],): dict(zip(names, row)) for row in result.rows}

    def test_changes_snapshot_then_insert(self):
        n = 250
        name, qualified = self.snapshot_table(n)
        stream = self.db.changes(snapshot=[qualified], include_tables=[qualified],
                                 progress_rows=100, heartbeat_interval=0.5, timeout=120)
        self.addCleanup(stream.close)
        replica = StrictReplica(self)
        progress, snapshot_rows, tokens = [], [], []
        for event in stream:
            replica.apply(event)
            if isinstance(event, mysqlgw.SnapshotProgress):
                progress.append(event)
                tokens.append(stream.last_resume_token)
                if event.phase == "done":
                    break
            elif isinstance(event, mysqlgw.RowChange):
                snapshot_rows.append(event)
        self.assertEqual([(p.phase, p.rows) for p in progress],
                         [("started", 0), ("table_started", 0), ("chunk", 100), ("chunk", 200),
                          ("table_done", n), ("done", 0)])
        self.assertTrue(progress[0].position.file)
        self.assertEqual({(p.schema, p.table) for p in progress[1:5]},
                         {(_state["database"], name)})
        for p in progress[2:]:
            self.assertTrue(p.resume_token, p)
        # The stored token follows the progress events' tokens.
        self.assertEqual(tokens[2:], [p.resume_token for p in progress[2:]])
        self.assertEqual(len(snapshot_rows), n)
        self.assertEqual({r.kind for r in snapshot_rows}, {"snapshot"})
        self.assertTrue(all(r.before is None for r in snapshot_rows))
        self.assertEqual([r.key for r in snapshot_rows], [(10 * i,) for i in range(1, n + 1)])
        self.assertEqual(snapshot_rows[6].after, {"id": 70, "v": "v7", "n": 7})

        # A change committed after the copy follows it, once.
        self.db.execute(f"INSERT INTO {name} VALUES (?, ?, ?)", [5, "new", -1])
        changes = []
        for event in stream:
            replica.apply(event)
            if isinstance(event, mysqlgw.RowChange):
                changes.append(event)
            elif isinstance(event, mysqlgw.Commit) and changes:
                break
        self.assertEqual([(r.kind, r.after) for r in changes],
                         [("insert", {"id": 5, "v": "new", "n": -1})])
        self.assertEqual(stream.last_resume_token, event.resume_token)
        stream.close()
        self.assertEqual(replica.rows, self.contents(name))
        self.assertEqual(len(replica.rows), n + 1)

    def test_changes_snapshot_resumed_from_a_chunk_token(self):
        n = 300
        name, qualified = self.snapshot_table(n)
        replica = StrictReplica(self)
        token = None
        with self.db.changes(snapshot=[qualified], include_tables=[qualified],
                             progress_rows=50, timeout=120) as stream:
            for event in stream:
                replica.apply(event)
                if isinstance(event, mysqlgw.SnapshotProgress) and event.phase == "chunk" \
                        and event.rows == 100:
                    token = stream.last_resume_token
                    self.assertEqual(token, event.resume_token)
                    break
        # The consumer stored the token with the first 100 rows (ids 10..1000).
        self.assertIsNotNone(token)
        self.assertEqual(sorted(replica.rows), [(10 * i,) for i in range(1, 101)])

        # Changes on both sides of the last delivered key (1000), and rows
        # moving across it, before the resume.
        self.db.execute(f"UPDATE {name} SET v = 'upd-below' WHERE id = 50")
        self.db.execute(f"DELETE FROM {name} WHERE id = 70")
        self.db.execute(f"INSERT INTO {name} VALUES (55, 'ins-below', 0)")
        self.db.execute(f"UPDATE {name} SET v = 'upd-at-key' WHERE id = 1000")
        self.db.execute(f"UPDATE {name} SET v = 'upd-above' WHERE id = 2000")
        self.db.execute(f"DELETE FROM {name} WHERE id = 2500")
        self.db.execute(f"INSERT INTO {name} VALUES (3005, 'ins-above', 0)")
        self.db.execute(f"UPDATE {name} SET id = 2999 WHERE id = 20")   # below -> above
        self.db.execute(f"UPDATE {name} SET id = 15 WHERE id = 2800")   # above -> below
        with self.db.transaction() as tx:
            tx.execute(f"UPDATE {name} SET n = n + 1000 WHERE id BETWEEN 900 AND 1100")

        copied_after_resume = []
        with self.db.changes(resume_token=token, include_tables=[qualified],
                             timeout=120) as stream:
            for event in stream:
                replica.apply(event)
                if isinstance(event, mysqlgw.RowChange) and event.kind == "snapshot":
                    copied_after_resume.append(event.key)
                if isinstance(event, mysqlgw.SnapshotProgress) and event.phase == "done":
                    break
            self.assertEqual(stream.last_resume_token, event.resume_token)
        # The copy went on after the stored key rather than starting over.
        self.assertTrue(copied_after_resume)
        self.assertGreater(min(copied_after_resume), (1000,))
        self.assertEqual(replica.rows, self.contents(name))
        self.assertEqual(replica.rows[(50,)]["v"], "upd-below")
        self.assertEqual(replica.rows[(15,)]["v"], "v280")
        self.assertNotIn((20,), replica.rows)
        self.assertEqual(replica.rows[(1000,)]["n"], 1100)

    def test_changes_status_events_when_the_server_drops_the_stream(self):
        name = self.table("id INT PRIMARY KEY, v VARCHAR(20)")
        qualified = f"{_state['database']}.{name}"
        statuses = []
        stream = self.db.changes(include_tables=[qualified], heartbeat_interval=0.2,
                                 status_events=True, on_status=statuses.append, timeout=120)
        self.addCleanup(stream.close)
        self.assertIsInstance(next(stream), mysqlgw.Heartbeat)
        # The server ends the replication connection (as a restart would).
        with mysqlgw.Client(_state["target"], token=ADMIN_TOKEN, timeout=60) as admin:
            ids = [r[0] for r in admin.query(
                "SELECT ID FROM information_schema.PROCESSLIST "
                "WHERE COMMAND LIKE 'Binlog Dump%'").rows]
            self.assertTrue(ids, "no Binlog Dump thread on the server")
            for thread_id in ids:
                try:
                    admin.execute(f"KILL CONNECTION {int(thread_id)}")
                except mysqlgw.DatabaseError as e:  # ended meanwhile
                    self.assertEqual(e.mysql_errno, 1094, e)
        yielded = []
        for event in stream:
            if isinstance(event, mysqlgw.StreamStatus):
                yielded.append(event)
                if event.state == "resumed":
                    break
        self.assertEqual(yielded[0].state, "reconnecting")
        self.assertTrue(yielded[0].message)
        self.assertEqual(yielded[0].attempt, 1)
        self.assertEqual(yielded, statuses)
        self.assertEqual(stream.status, yielded[-1])
        # The stream goes on: a later insert arrives once.
        self.db.execute(f"INSERT INTO {name} VALUES (1, 'after')")
        rows = []
        for event in stream:
            if isinstance(event, mysqlgw.RowChange):
                rows.append(event.after)
            elif isinstance(event, mysqlgw.Commit) and rows:
                break
        self.assertEqual(rows, [{"id": 1, "v": "after"}])

    def test_readme_snapshot_example(self):
        with open(os.path.join(PACKAGE_ROOT, "README.md")) as f:
            blocks = f.read().split("```python\n")
        code = next(b for b in blocks if "snapshot=" in b).split("```", 1)[0]
        self.assertLessEqual(len(code.strip().splitlines()), 5)
        self.db.execute("CREATE TABLE IF NOT EXISTS cdc_demo (id INT PRIMARY KEY, note VARCHAR(100))")
        self.addCleanup(self.db.execute, "DROP TABLE IF EXISTS cdc_demo")
        self.db.execute("INSERT INTO cdc_demo VALUES (1, 'hi'), (2, 'there')")
        env = dict(os.environ, MYSQLGW_TARGET=_state["target"], MYSQLGW_TOKEN=TOKEN,
                   PYTHONPATH=PACKAGE_ROOT)
        run = subprocess.run([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, timeout=60)
        self.assertEqual(run.returncode, 0, run.stdout)
        self.assertIn("kind='snapshot', before=None, after={'id': 1, 'note': 'hi'}", run.stdout)
        self.assertIn("after={'id': 2, 'note': 'there'}", run.stdout)
        self.assertIn("SnapshotProgress(phase='done'", run.stdout)
        self.assertRegex(run.stdout, r"resume from \S+")

    def test_readme_changes_example(self):
        with open(os.path.join(PACKAGE_ROOT, "README.md")) as f:
            text = f.read()
        code = text.split("```python\n", 2)[2].split("```", 1)[0]
        self.assertIn("changes(", code)
        self.addCleanup(self.db.execute, "DROP TABLE IF EXISTS cdc_demo")
        env = dict(os.environ, MYSQLGW_TARGET=_state["target"], MYSQLGW_TOKEN=TOKEN,
                   PYTHONPATH=PACKAGE_ROOT)
        run = subprocess.run([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, timeout=60)
        self.assertEqual(run.returncode, 0, run.stdout)
        self.assertIn("insert cdc_demo {'id': 1, 'note': 'hi'}", run.stdout)


class StrictReplica:
    """Applies change events to {primary key tuple: row} strictly: a snapshot
    row or insert of a key it already has, or an update or delete of a key
    it lacks, fails the test (so a duplicate or a gap cannot go unnoticed)."""

    def __init__(self, test):
        self.test = test
        self.rows = {}

    def apply(self, event):
        if isinstance(event, mysqlgw.SnapshotProgress):
            if event.phase == "table_started" and event.restarted:
                self.rows.clear()  # one table per test: its copy starts over
            return
        if not isinstance(event, mysqlgw.RowChange):
            return
        if event.kind in ("snapshot", "insert", "update"):
            after_key = tuple(event.after[c] for c in event.primary_key)
        if event.kind in ("update", "delete"):
            before_key = tuple(event.before[c] for c in event.primary_key)
            self.test.assertIn(before_key, self.rows, f"{event.kind} of a missing row: {event}")
            del self.rows[before_key]
        if event.kind != "delete":
            self.test.assertNotIn(after_key, self.rows, f"{event.kind} of a present row: {event}")
            self.rows[after_key] = dict(event.after)


if __name__ == "__main__":
    unittest.main()
