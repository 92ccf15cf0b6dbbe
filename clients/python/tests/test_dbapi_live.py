"""mysqlgw.dbapi (PEP 249) against the real gateway binary and MariaDB.

Uses test_live's harness (sandbox MariaDB, gateway with a test principal;
the same environment variables) and starts its own pair for this module.
"""

import datetime
import decimal
import os
import subprocess
import sys
import unittest
import uuid

import grpc

import test_live
from mysqlgw import dbapi

D = decimal.Decimal


def setUpModule():
    test_live.setUpModule()


def tearDownModule():
    test_live.tearDownModule()


class DbapiLiveTest(unittest.TestCase):
    def connect(self, **kwargs):
        token = kwargs.pop("token", test_live.TOKEN)
        conn = dbapi.connect(test_live._state["target"], token, timeout=60, **kwargs)
        self.addCleanup(conn.close)
        return conn

    def setUp(self):
        self.admin = self.connect(autocommit=True)

    def table(self, definition):
        name = "dbapi_" + uuid.uuid4().hex[:12]
        self.admin.cursor().execute(f"CREATE TABLE {name} ({definition})")
        self.addCleanup(lambda: self.admin.cursor().execute(f"DROP TABLE IF EXISTS {name}"))
        return name

    def count(self, name):
        with self.connect(autocommit=True).cursor() as cur:
            cur.execute(f"SELECT COUNT(*) FROM {name}")
            return cur.fetchone()[0]

    def test_execute_fetch_description(self):
        name = self.table("id INT AUTO_INCREMENT PRIMARY KEY, txt VARCHAR(20), bin VARBINARY(8), "
                          "price DECIMAL(10,2) NOT NULL, at DATETIME(6), body TEXT, data BLOB")
        conn = self.connect()
        cur = conn.cursor()
        at = datetime.datetime(2024, 2, 29, 1, 2, 3, 456789)
        cur.execute(f"INSERT INTO {name} (txt, bin, price, at, body, data) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    ["é", dbapi.Binary(b"\x00\xff"), D("12.50"), at, "t", b"b"])
        self.assertEqual((cur.rowcount, cur.lastrowid), (1, 1))
        self.assertIsNone(cur.description)
        cur.execute(f"INSERT INTO {name} (txt, price) VALUES (:t, :p)", {"t": "two", "p": 2})
        self.assertEqual(cur.lastrowid, 2)
        cur.execute(f"SELECT id, txt, bin, price, at, body, data FROM {name} ORDER BY id")
        self.assertEqual(cur.rowcount, -1)
        names = [d[0] for d in cur.description]
        self.assertEqual(names, ["id", "txt", "bin", "price", "at", "body", "data"])
        types = {d[0]: d[1] for d in cur.description}
        self.assertEqual(types["id"], dbapi.NUMBER)
        self.assertEqual(types["txt"], dbapi.STRING)
        self.assertEqual(types["bin"], dbapi.BINARY)
        self.assertEqual(types["price"], dbapi.NUMBER)
        self.assertEqual(types["at"], dbapi.DATETIME)
        self.assertEqual(types["body"], dbapi.STRING)  # TEXT and BLOB share a type code
        self.assertEqual(types["data"], dbapi.BINARY)
        price = cur.description[3]
        self.assertEqual((price[4], price[5], price[6]), (10, 2, False))
        self.assertEqual(cur.fetchone(), (1, "é", b"\x00\xff", D("12.50"), at, "t", b"b"))
        self.assertEqual(cur.fetchall(), [(2, "two", None, D("2.00"), None, None, None)])
        self.assertEqual(cur.rowcount, 2)
        cur.execute(f"UPDATE {name} SET price = price + 1")
        self.assertEqual(cur.rowcount, 2)
        conn.commit()
        cur.execute(f"SELECT id FROM {name} ORDER BY id")
        self.assertEqual([row for row in cur], [(1,), (2,)])
        cur.close()

    def test_executemany(self):
        name = self.table("id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(10) UNIQUE")
        conn = self.connect(autocommit=True)
        cur = conn.cursor()
        cur.executemany(f"INSERT INTO {name} (v) VALUES (?)", [["a"], ["b"], ["c"]])
        self.assertEqual((cur.rowcount, cur.lastrowid), (3, 3))
        with self.assertRaises(dbapi.IntegrityError) as cm:
            cur.executemany(f"INSERT INTO {name} (v) VALUES (?)", [["d"], ["a"], ["e"]])
        self.assertEqual((cm.exception.batch_index, cm.exception.mysql_errno), (1, 1062))
        # Autocommit: the item before the failure stays applied, the later one never ran.
        cur.execute(f"SELECT v FROM {name} ORDER BY id")
        self.assertEqual(cur.fetchall(), [("a",), ("b",), ("c",), ("d",)])

    def test_commit_visible_from_another_connection(self):
        name = self.table("id INT PRIMARY KEY")
        conn = self.connect()
        cur = conn.cursor()
        cur.execute(f"INSERT INTO {name} VALUES (?)", [1])
        cur.executemany(f"INSERT INTO {name} VALUES (?)", [[2], [3]])
        self.assertTrue(conn.in_transaction)
        cur.execute(f"SELECT COUNT(*) FROM {name}")
        self.assertEqual(cur.fetchone(), (3,))  # visible inside
        self.assertEqual(self.count(name), 0)  # not outside
        conn.commit()
        self.assertFalse(conn.in_transaction)
        self.assertEqual(self.count(name), 3)

    def test_rollback_and_close_discard(self):
        name = self.table("id INT PRIMARY KEY")
        conn = self.connect()
        cur = conn.cursor()
        cur.execute(f"INSERT INTO {name} VALUES (1)")
        conn.rollback()
        self.assertEqual(self.count(name), 0)
        cur.execute(f"INSERT INTO {name} VALUES (2)")
        conn.close()  # an uncommitted transaction is rolled back
        self.assertEqual(self.count(name), 0)

        with self.assertRaises(dbapi.IntegrityError):
            with self.connect() as conn:
                cur = conn.cursor()
                cur.execute(f"INSERT INTO {name} VALUES (3)")
                cur.execute(f"INSERT INTO {name} VALUES (3)")
        self.assertEqual(self.count(name), 0)
        with self.connect() as conn:
            conn.cursor().execute(f"INSERT INTO {name} VALUES (4)")
        self.assertEqual(self.count(name), 1)

    def test_autocommit_switch(self):
        name = self.table("id INT PRIMARY KEY")
        conn = self.connect(autocommit=True)
        cur = conn.cursor()
        cur.execute(f"INSERT INTO {name} VALUES (1)")
        self.assertFalse(conn.in_transaction)
        self.assertEqual(self.count(name), 1)
        conn.autocommit = False
        cur.execute(f"INSERT INTO {name} VALUES (2)")
        self.assertEqual(self.count(name), 1)
        conn.autocommit = True  # commits
        self.assertEqual(self.count(name), 2)

    def test_stream_200k_rows_with_fetchmany(self):
        conn = self.connect()
        cur = conn.cursor()
        cur.arraysize = 5000
        cur.execute("SELECT seq, REPEAT('x', 20) FROM seq_1_to_200000")
        total = count = largest = 0
        while True:
            batch = cur.fetchmany()
            if not batch:
                break
            count += len(batch)
            total += sum(row[0] for row in batch)
            # Only the current chunk is held (64 KiB chunks in the test config).
            largest = max(largest, cur._reader.held_rows)
        self.assertEqual(count, 200000)
        self.assertEqual(total, 200000 * 200001 // 2)
        self.assertEqual(cur.rowcount, 200000)
        self.assertLess(largest, 5000)

    def test_close_mid_stream(self):
        sql = "SELECT seq FROM seq_1_to_5000000"
        name = self.table("id INT PRIMARY KEY")
        # Outside a transaction the call is cancelled and the statement killed.
        conn = self.connect(autocommit=True)
        cur = conn.cursor()
        cur.execute(sql)
        self.assertEqual(cur.fetchmany(3), [(1,), (2,), (3,)])
        cur.close()
        self.assertEqual(conn.cursor().execute("SELECT 1").fetchall(), [(1,)])
        # Inside one the transaction survives.
        conn = self.connect()
        cur = conn.cursor()
        cur.execute(f"INSERT INTO {name} VALUES (1)")
        cur.execute("SELECT seq FROM seq_1_to_300000")
        cur.fetchone()
        cur.close()
        cur = conn.cursor()
        cur.execute(f"INSERT INTO {name} VALUES (2)")
        conn.commit()
        self.assertEqual(self.count(name), 2)

    def test_interleaved_cursors_in_transaction(self):
        name = self.table("id INT PRIMARY KEY")
        conn = self.connect()
        reader, writer = conn.cursor(), conn.cursor()
        reader.execute("SELECT seq FROM seq_1_to_1000")
        for (n,) in reader:
            if n % 100 == 0:
                writer.execute(f"INSERT INTO {name} VALUES (?)", [n])
        self.assertEqual(reader.rowcount, 1000)
        conn.commit()
        self.assertEqual(self.count(name), 10)

    def test_nextset_and_callproc(self):
        # CREATE PROCEDURE needs the admin principal (a compound statement).
        proc = "dbapi_p_" + uuid.uuid4().hex[:8]
        admin = self.connect(token=test_live.ADMIN_TOKEN, autocommit=True)
        admin.cursor().execute(f"CREATE PROCEDURE {proc}(IN k INT) BEGIN "
                               "SELECT k AS a; SELECT k + 1 AS b, 'x' AS c; END")
        self.addCleanup(lambda: admin.cursor().execute(f"DROP PROCEDURE IF EXISTS {proc}"))
        cur = self.connect().cursor()
        self.assertEqual(cur.callproc(proc, [41]), [41])
        self.assertEqual((cur.description[0][0], cur.fetchall()), ("a", [(41,)]))
        self.assertTrue(cur.nextset())
        self.assertEqual([d[0] for d in cur.description], ["b", "c"])
        self.assertEqual(cur.fetchall(), [(42, "x")])
        while cur.nextset():  # the CALL's own outcome
            self.assertIsNone(cur.description)
        self.assertIsNone(cur.nextset())

    def test_errors(self):
        name = self.table("id INT PRIMARY KEY, s VARCHAR(2)")
        cur = self.connect().cursor()
        cur.execute(f"INSERT INTO {name} VALUES (1, 'a')")
        with self.assertRaises(dbapi.IntegrityError) as cm:
            cur.execute(f"INSERT INTO {name} VALUES (1, 'b')")
        self.assertEqual((cm.exception.mysql_errno, cm.exception.sqlstate), (1062, "23000"))
        with self.assertRaises(dbapi.ProgrammingError) as cm:
            cur.execute("SELECT 1 +")
        self.assertEqual(cm.exception.mysql_errno, 1064)
        with self.assertRaises(dbapi.ProgrammingError) as cm:
            cur.execute("SELECT * FROM dbapi_no_such_table")
        self.assertEqual(cm.exception.mysql_errno, 1146)
        with self.assertRaises(dbapi.DataError) as cm:
            cur.execute(f"INSERT INTO {name} VALUES (2, 'too long')")
        self.assertEqual(cm.exception.mysql_errno, 1406)
        # The statement errors left the transaction usable.
        cur.execute(f"SELECT id FROM {name}")
        self.assertEqual(cur.fetchall(), [(1,)])
        cur.connection.commit()

        with self.assertRaises(dbapi.OperationalError) as cm:
            self.connect(statement_timeout=0.3).cursor().execute("SELECT SLEEP(5)")
        self.assertEqual(cm.exception.code, grpc.StatusCode.DEADLINE_EXCEEDED)
        with self.assertRaises(dbapi.NotAuthorizedError):
            self.connect(token="wrong").cursor().execute("SELECT 1")
        with self.assertRaises(dbapi.DatabaseError):
            self.connect(token="wrong", autocommit=True).cursor().execute("SELECT 1")

    def test_closed_objects(self):
        conn = self.connect()
        cur = conn.cursor()
        cur.execute("SELECT seq FROM seq_1_to_10")
        cur.close()
        with self.assertRaises(dbapi.InterfaceError):
            cur.fetchone()
        conn.close()
        with self.assertRaises(dbapi.InterfaceError):
            conn.cursor()
        with self.assertRaises(dbapi.InterfaceError):
            conn.commit()

    def test_readme_example(self):
        with open(os.path.join(test_live.PACKAGE_ROOT, "README.md")) as f:
            text = f.read()
        blocks = text.split("```python\n")
        code = next(b for b in blocks if "dbapi.connect" in b).split("```", 1)[0]
        self.assertEqual(len(code.strip().splitlines()), 5, code)
        self.addCleanup(lambda: self.admin.cursor().execute("DROP TABLE IF EXISTS notes"))
        env = dict(os.environ, MYSQLGW_TARGET=test_live._state["target"],
                   MYSQLGW_TOKEN=test_live.TOKEN, PYTHONPATH=test_live.PACKAGE_ROOT)
        run = subprocess.run([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, timeout=60)
        self.assertEqual(run.returncode, 0, run.stdout)
        self.assertIn("[(1, 'hello')]", run.stdout)
        cur = self.admin.cursor()
        cur.execute("SELECT id, text FROM notes")
        self.assertEqual(cur.fetchall(), [(1, "hello")])  # committed


if __name__ == "__main__":
    unittest.main()
