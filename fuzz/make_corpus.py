#!/usr/bin/env python3
"""Regenerates the seed corpora in fuzz/corpus/ (run from anywhere).

protocol_fuzzer: byte strings from mysqlwire/protocol/*_test.cc (C++ literals
  with escapes and absl::HexStringToBytes hex), each behind the selector byte
  of the parser its test file covers.
binlog_fuzzer: whole events from the binlog fixtures (../shared/fixtures/binlog
  or $MYSQLGW_BINLOG_FIXTURES), at most 8 KiB of events per file; generated
  by scripts/fuzz at run time, not committed (the fixtures stay in shared/).
sql_fuzzer: SQL samples below and from the server/sql and escaping tests.
sql_digest_fuzzer: the same SQL samples and the SQL of the tokenizer and
  digest tests, without an options byte.
"""
import hashlib
import os
import re
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.environ.get(
    "MYSQLGW_BINLOG_FIXTURES", os.path.join(ROOT, "..", "shared", "fixtures", "binlog"))

LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
HEX_CALL = re.compile(r'HexStringToBytes\(\s*((?:"[0-9a-fA-F ]*"\s*)+)\)')


def unescape(body):
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out += c.encode()
            i += 1
            continue
        n = body[i + 1]
        if n == "x":
            m = re.match(r"[0-9a-fA-F]{1,2}", body[i + 2:])
            out.append(int(m.group(0), 16))
            i += 2 + len(m.group(0))
        elif n in "01234567":
            m = re.match(r"[0-7]{1,3}", body[i + 1:])
            out.append(int(m.group(0), 8) & 0xff)
            i += 1 + len(m.group(0))
        else:
            out += {"n": b"\n", "t": b"\t", "r": b"\r", "0": b"\0"}.get(n, n.encode())
            i += 2
    return bytes(out)


def test_byte_strings(path):
    """Adjacent string literals joined, kept when they hold an escape or hex."""
    text = open(path, encoding="utf-8").read()
    found = []
    for m in HEX_CALL.finditer(text):
        hexdigits = "".join(LITERAL.findall(m.group(1))).replace(" ", "")
        if len(hexdigits) % 2 == 0:
            found.append(bytes.fromhex(hexdigits))
    for m in re.finditer(r'(?:"(?:[^"\\\n]|\\.)*"\s*)+', text):
        parts = LITERAL.findall(m.group(0))
        if any("\\x" in p for p in parts):
            found.append(b"".join(unescape(p) for p in parts))
    return found


# Where seeds go: fuzz/corpus, or $MYSQLGW_CORPUS_DIR (scripts/fuzz writes
# the binlog seeds there at run time: they come from the shared fixtures,
# which stay out of the repository).
OUT = os.environ.get("MYSQLGW_CORPUS_DIR", os.path.join(ROOT, "fuzz", "corpus"))


def write(target, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def protocol():
    selectors = {
        "framing_test.cc": [0x00],
        "handshake_test.cc": [0x01, 0x02, 0x03],
        "ok_err_test.cc": [0x04, 0x14, 0x05],
        "column_definition_test.cc": [0x06, 0x07],
        "row_text_test.cc": [0xf8, 0x0f],
        "row_binary_test.cc": [0xf9],
        "statement_test.cc": [0x0a, 0x2b, 0xab],
        "session_state_test.cc": [0x0c],
        "wire_reader_test.cc": [0x0d],
    }
    for name, sels in selectors.items():
        for data in test_byte_strings(os.path.join(ROOT, "mysqlwire", "protocol", name)):
            if len(data) > 4096:
                continue
            for s in sels:
                write("protocol_fuzzer", bytes([s]) + data)


def events(path):
    d = open(path, "rb").read()
    pos, out = 4, []
    while pos + 19 <= len(d):
        size = struct.unpack_from("<I", d, pos + 9)[0]
        if size < 19 or pos + size > len(d):
            break
        out.append(d[pos:pos + size])
        pos += size
    return out


def binlog():
    for name in sorted(os.listdir(FIXTURES)):
        if name.endswith(".md"):
            continue
        evs = events(os.path.join(FIXTURES, name))
        chunk, total = [], 0
        for e in evs:
            if total + len(e) > 8192:
                break
            chunk.append(e)
            total += len(e)
        # Flags 0: the file's own FORMAT_DESCRIPTION comes first.
        write("binlog_fuzzer", b"\x00" + b"".join(chunk))
        if name == "mariadb-bin.000001":
            # Flags 1|2: the fixed FORMAT_DESCRIPTION, checksums rewritten.
            write("binlog_fuzzer", b"\x03" + b"".join(chunk[1:]))
    # JSON binary values from the tests (JsonBinaryToText gets the payload).
    for data in test_byte_strings(os.path.join(ROOT, "mysqlwire", "binlog", "json_binary_test.cc")):
        if 0 < len(data) <= 4096:
            write("binlog_fuzzer", b"\x00" + data)


SQL = [
    "SELECT 1",
    "select * from t where id = ? and name = ?",
    "SELECT * FROM t WHERE id = :id AND name = :name",
    "INSERT INTO t (a, b) VALUES (?, ?); DELETE FROM t",
    "UPDATE t SET a = 'it''s ?' WHERE b = \"x\\\"?\" -- ?\n AND c = ?",
    "SELECT /*!50000 ? */ `col?` FROM t # ?\n",
    "/*M!100000 SELECT ? */",
    "SELECT * FROM t FOR UPDATE",
    "SELECT * FROM t LOCK IN SHARE MODE",
    "SET STATEMENT max_statement_time=1 FOR SELECT * FROM t",
    "EXPLAIN ANALYZE DELETE FROM t WHERE a = ?",
    "WITH x AS (SELECT 1) UPDATE t SET a = 1",
    "SELECT * INTO OUTFILE '/tmp/x' FROM t",
    "CREATE PROCEDURE p() BEGIN SELECT 1; END",
    "BEGIN; COMMIT;",
    "LOAD DATA LOCAL INFILE 'x' INTO TABLE t",
    "SHOW TABLES",
    "CALL p(?, ?)",
    "SELECT x'41', b'01', N'abc', _utf8mb4'x' COLLATE utf8mb4_bin",
    "  ;  ",
    "DO 1 /* unterminated",
]


def sql():
    for i, s in enumerate(SQL):
        # The options byte: backslash escapes on/off and 0..8 parameters.
        write("sql_fuzzer", bytes([(i * 2 + (i % 2)) & 0xff]) + s.encode())
    for path in [os.path.join(ROOT, "server", "sql", "statement_kind_test.cc"),
                 os.path.join(ROOT, "mysqlwire", "protocol", "escaping_test.cc")]:
        text = open(path, encoding="utf-8").read()
        for m in LITERAL.finditer(text):
            body = m.group(1)
            if re.search(r"(?i)\b(select|insert|update|delete|set|show|call|create|drop)\b", body):
                if len(body) <= 512:
                    write("sql_fuzzer", b"\x04" + unescape(body))



def sql_digest():
    for s in SQL:
        write("sql_digest_fuzzer", s.encode())
    for name in ("tokenizer_test.cc", "digest_test.cc"):
        text = open(os.path.join(ROOT, "server", "sql", name), encoding="utf-8").read()
        for m in LITERAL.finditer(text):
            body = m.group(1)
            if len(body) >= 4 and len(body) <= 512 and re.search(r"[A-Za-z]{3}", body):
                write("sql_digest_fuzzer", unescape(body))


if __name__ == "__main__":
    wanted = sys.argv[1:] or ["protocol", "binlog", "sql", "sql_digest"]
    for name in wanted:
        {"protocol": protocol, "binlog": binlog, "sql": sql, "sql_digest": sql_digest}[name]()
    for t in ("%s_fuzzer" % name for name in wanted):
        d = os.path.join(OUT, t)
        files = os.listdir(d)
        print(t, len(files), "files", sum(os.path.getsize(os.path.join(d, f)) for f in files), "bytes",
              file=sys.stderr)
