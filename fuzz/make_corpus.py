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
config_fuzzer: server/config/testdata, the Kubernetes overlays' mysqlgw.yaml,
  the ```yaml blocks of docs/*.md and server/listener/README.md, and the raw
  string literals of the config and interception tests, behind a format byte.
listener_fuzzer: sessions built here (handshake responses for several
  capability sets, then one of each command the listener dispatches) and the
  byte strings of the server-side protocol tests, one command per session.
change_stream_fuzzer: resume tokens and token bodies (mgw1, mgw2 with a
  snapshot cursor), the DDL of the ddl_parser and schema_tracker tests under
  three sql_modes, and a snapshot catch-up session built here (hand-encoded
  v1::Row / v1::RowChange protos).
"""
import base64
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


def fdp_string(data):
    """A packet as FuzzedDataProvider::ConsumeRandomLengthString reads it:
    backslashes doubled, ended by a backslash and another byte."""
    return data.replace(b"\\", b"\\\\") + b"\\;"


def lenenc(n):
    if n < 251:
        return bytes([n])
    if n < 1 << 16:
        return b"\xfc" + struct.pack("<H", n)
    return b"\xfd" + struct.pack("<I", n)[:3]


def handshake_response(caps, user=b"app", auth=b"\x01" * 20, db=b"shop",
                       plugin=b"mysql_native_password", attrs=((b"_client_name", b"fuzz"),)):
    out = struct.pack("<IIB", caps, 1 << 24, 45) + b"\x00" * 23 + user + b"\x00"
    if caps & (1 << 21):
        out += lenenc(len(auth)) + auth
    elif caps & (1 << 15):
        out += bytes([len(auth)]) + auth
    else:
        out += auth + b"\x00"
    if caps & (1 << 3):
        out += db + b"\x00"
    if caps & (1 << 19):
        out += plugin + b"\x00"
    if caps & (1 << 20):
        body = b"".join(lenenc(len(k)) + k + lenenc(len(v)) + v for k, v in attrs)
        out += lenenc(len(body)) + body
    return out


def listener():
    # Capabilities: PROTOCOL_41, SECURE_CONNECTION, CONNECT_WITH_DB,
    # PLUGIN_AUTH, CONNECT_ATTRS, PLUGIN_AUTH_LENENC_CLIENT_DATA,
    # MULTI_STATEMENTS; and a bare PROTOCOL_41 one.
    full = (1 << 9) | (1 << 15) | (1 << 3) | (1 << 19) | (1 << 20) | (1 << 21) | (1 << 16)
    bare = (1 << 9) | (1 << 15)
    sid = struct.pack("<I", 1)
    # Parameter 2 comes from the long data: no inline value.
    execute = (b"\x17" + sid + b"\x00" + struct.pack("<I", 1) + b"\x00\x01" +
               b"\x08\x00\xfe\x00" + struct.pack("<q", -5))
    inline = (b"\x17" + sid + b"\x00" + struct.pack("<I", 1) + b"\x00\x01" +
              b"\x08\x00\xfe\x00" + struct.pack("<q", -5) + lenenc(3) + b"abc")
    rebound = b"\x17" + sid + b"\x00" + struct.pack("<I", 1) + b"\x02\x00" + struct.pack("<q", 7)
    change_user = (b"\x11root\x00" + bytes([20]) + b"\x02" * 20 + b"db\x00" +
                   struct.pack("<H", 33) + b"caching_sha2_password\x00" +
                   lenenc(6) + lenenc(1) + b"k" + lenenc(3) + b"v12")
    session = [
        b"\x03SELECT 1",
        b"\x03SHOW MYSQLGW STATUS;",
        b"\x03KILL QUERY 7",
        b"\x03kill hard connection 12;",
        b"\x02shop",
        b"\x04t1\x00c%",
        b"\x16SELECT ? + ?",
        b"\x18" + sid + b"\x01\x00" + b"long data",
        execute,
        rebound,
        inline,
        b"\x1a" + sid,
        b"\x1c" + sid + struct.pack("<I", 10),
        b"\x1b\x00\x00",
        b"\x0c" + sid,
        change_user,
        b"\x19" + sid,
        b"\x1f",
        b"\x0e",
        b"secret\x00",
        b"*" + b"14E65567ABDB5135D0CFD9A70B3032C179A49EE7",
        bytes(range(256)),
    ]
    # The options byte comes last: FuzzedDataProvider takes integers from
    # the end. Bit 0: TLS offered.
    for caps, opts in ((full, 0), (bare, 0), (full | (1 << 11), 1)):
        packets = [handshake_response(caps)]
        if caps & (1 << 11):
            packets.insert(0, struct.pack("<IIB", caps, 1 << 24, 45) + b"\x00" * 23)
        write("listener_fuzzer", b"".join(fdp_string(p) for p in packets + session) + bytes([opts]))
    for plugin, auth in ((b"caching_sha2_password", b"\x03" * 32), (b"mysql_clear_password", b"pw\x00")):
        write("listener_fuzzer", fdp_string(handshake_response(full, auth=auth, plugin=plugin)) + b"\x02")
    # The command payloads of the parsers' tests, one per session.
    hs = fdp_string(handshake_response(full))
    for name in ("server_commands_test.cc", "statement_test.cc", "handshake_test.cc", "server_auth_test.cc"):
        for data in test_byte_strings(os.path.join(ROOT, "mysqlwire", "protocol", name)):
            if 0 < len(data) <= 4096:
                if name == "handshake_test.cc":
                    write("listener_fuzzer", fdp_string(data) + b"\x00")
                else:
                    prep = fdp_string(b"\x16SELECT ?, ?") if data[:1] == b"\x17" else b""
                    write("listener_fuzzer", hs + prep + fdp_string(data) + b"\x00")


class Fdp:
    """Builds an input for FuzzedDataProvider: strings from the front,
    integers from the back (the first integer taken is the last byte)."""

    def __init__(self):
        self.front, self.back = b"", b""

    def string(self, data):
        self.front += fdp_string(data)

    def byte(self, value):  # ConsumeIntegral<uint8_t>, or a range under 256.
        self.back = bytes([value]) + self.back

    def u32(self, value):  # ConsumeIntegral<uint32_t>: most significant byte first.
        self.back = struct.pack("<I", value) + self.back

    def bytes(self):
        return self.front + self.back


def varint(n):
    out = b""
    while True:
        b = n & 0x7f
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def pb_field(number, wire, payload):
    """One protobuf field: varint (wire 0) or length-delimited (wire 2)."""
    if wire == 0:
        return varint(number << 3) + varint(payload)
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def pb_value(v):
    """A mysqlgw.v1.Value: int (sint64), ("u", n) uint64, or bytes."""
    if isinstance(v, int):
        return pb_field(2, 0, (v << 1) ^ (v >> 63))
    if isinstance(v, tuple):
        return pb_field(3, 0, v[1])
    return pb_field(8, 2, v)


def pb_row(values):
    return b"".join(pb_field(1, 2, pb_value(v)) for v in values)


def pb_change(kind, before=None, after=None, absent=()):
    out = pb_field(2, 0, kind)
    if before is not None:
        out += pb_field(3, 2, pb_row(before) + b"".join(pb_field(2, 0, a) for a in absent))
    if after is not None:
        out += pb_field(4, 2, pb_row(after))
    return out


def token_body(gtid, file, pos, snapshot=None):
    body = "%s\n%s\n%d" % (gtid, file, pos)
    if snapshot is not None:
        progress, done, remaining, key = snapshot
        b64 = lambda x: base64.urlsafe_b64encode(x).rstrip(b"=").decode()
        body += "\n%d\n%d" % (progress, len(done))
        for schema, table in done:
            body += "\n%s\n%s" % (b64(schema), b64(table))
        body += "\n%d" % len(remaining)
        for schema, table in remaining:
            body += "\n%s\n%s" % (b64(schema), b64(table))
        body += "\n" + b64(key)
    return body.encode()


def fnv1a(data):
    h = 14695981039346656037
    for c in data:
        h = ((h ^ c) * 1099511628211) & 0xffffffffffffffff
    return h


def change_stream():
    # Mode in the last byte: 0 token, 1 mgw2 body, 2 mgw1 body, 3 DDL, 4 snapshot.
    key = pb_row([5, b"k"])
    bodies = [
        (2, token_body("0-1-100", "mysql-bin.000001", 1234)),
        (2, token_body("", "binlog.000007", 4)),
        (1, token_body("0-1-100,1-2-5", "mysql-bin.000002", 99,
                       (10, [(b"shop", b"a")], [(b"shop", b"b"), (b"x", b"y")], key))),
        (1, token_body("", "f", 4, (0, [], [(b"s", b"t")], b""))),
    ]
    for mode, body in bodies:
        write("change_stream_fuzzer", body + bytes([mode]))
        if mode == 1:
            full = body + b"\n" + str(fnv1a(body)).encode()
            token = b"mgw2." + base64.urlsafe_b64encode(full).rstrip(b"=")
        else:
            token = b"mgw1." + base64.urlsafe_b64encode(body).rstrip(b"=")
        write("change_stream_fuzzer", token + b"\x00")
    # DDL: the statements of the parser's and the schema tracker's tests.
    for name in ("ddl_parser_test.cc", "schema_tracker_test.cc"):
        path = os.path.join(ROOT, "server", "binlog", name)
        if not os.path.exists(path):
            continue
        text = open(path, encoding="utf-8").read()
        sqls = raw_strings(path) + [unescape(m.group(1)).decode("utf-8", "replace")
                                    for m in LITERAL.finditer(text)]
        for sql in sqls:
            if re.match(r"(?is)\s*(/\*.*?\*/\s*)?(create|alter|drop|rename|truncate)\b", sql) and len(sql) <= 4096:
                for i, opts in enumerate((0x03, 0x0b, 0x13)):
                    if i == 0 or "`" in sql or '"' in sql or "\\" in sql:
                        write("change_stream_fuzzer", fdp_string(b"db") + sql.encode() + bytes([opts]))
    # Snapshot catch-up: one table done, one being copied up to key (5, "k").
    f = Fdp()
    f.byte(4)
    f.byte(1); f.string(b"shop"); f.string(b"done")
    f.byte(2); f.string(b"shop"); f.string(b"t"); f.string(b"shop"); f.string(b"later")
    f.string(key)
    f.u32(3)
    f.string(pb_row([5, b"k"])); f.string(pb_row([4, b"zz"])); f.string(pb_row([("u", 9), b""]))
    f.byte(2); f.string(b"id"); f.string(b"na`me")
    changes = [
        (1, pb_change(1, after=[4, b"a", 1])),                          # insert below the key
        (1, pb_change(1, after=[6, b"a", 1])),                          # insert above it
        (1, pb_change(2, before=[4, b"a"], after=[9, b"a"])),           # leaves the range
        (1, pb_change(2, before=[9, b"a"], after=[4, b"a"])),           # enters it
        (1, pb_change(3, before=[5, b"k"], absent=[1])),                # key column absent
        (0, pb_change(3, before=[1000, b"x"])),                         # copied table
        (3, pb_change(1, after=[1, b"x"])),                             # other table
    ]
    for table, change in changes:
        f.byte(2); f.byte(0); f.byte(1)   # primary key: columns 0 and 1
        f.byte(table)
        f.string(change)
    write("change_stream_fuzzer", f.bytes())


RAW = re.compile(r'R"([a-z]*)\((.*?)\)\1"', re.S)


def raw_strings(path):
    """C++ raw string literals R"(...)" and R"j(...)j" of a test file."""
    text = open(path, encoding="utf-8").read()
    return [m.group(2) for m in RAW.finditer(text) if m.group(1) in ("", "j", "yaml", "json")]


def config():
    # Selector byte: 0 YAML, 1 JSON, 2 ParseConfig's own choice.
    for name, sel in (("full.yaml", 0), ("full.json", 1)):
        data = open(os.path.join(ROOT, "server", "config", "testdata", name), "rb").read()
        write("config_fuzzer", bytes([sel]) + data)
        write("config_fuzzer", b"\x02" + data)
    overlays = os.path.join(ROOT, "deploy", "k8s", "overlays")
    for overlay in sorted(os.listdir(overlays)):
        path = os.path.join(overlays, overlay, "mysqlgw.yaml")
        if os.path.exists(path):
            write("config_fuzzer", b"\x00" + open(path, "rb").read())
    # The YAML examples of the documentation (fragments mostly: they
    # exercise the reader and the schema check's errors).
    docs = [os.path.join(ROOT, "docs", n) for n in sorted(os.listdir(os.path.join(ROOT, "docs")))
            if n.endswith(".md")]
    docs.append(os.path.join(ROOT, "server", "listener", "README.md"))
    for path in docs:
        text = open(path, encoding="utf-8").read()
        for m in re.finditer(r"```ya?ml\n(.*?)```", text, re.S):
            block = m.group(1)
            write("config_fuzzer", b"\x00" + block.encode())
            # Fragments of the interception section, put back in place.
            if block.startswith("    - "):
                block = "interception:\n  rules:\n" + block
            elif block.startswith("  ") and not block.startswith("   "):
                block = "interception:\n" + block
            else:
                continue
            write("config_fuzzer", b"\x00" + block.encode())
    # Configuration text in the config and interception tests.
    tests = [os.path.join(ROOT, "server", "config", n)
             for n in sorted(os.listdir(os.path.join(ROOT, "server", "config"))) if n.endswith("_test.cc")]
    for sub in ("limits", "rules"):
        d = os.path.join(ROOT, "server", "intercept", sub)
        tests += [os.path.join(d, n) for n in sorted(os.listdir(d)) if n.endswith("_test.cc")]
    for path in tests:
        for body in raw_strings(path):
            if len(body) > 16384:
                continue
            sel = 1 if body.lstrip().startswith("{") else 0
            write("config_fuzzer", bytes([sel]) + body.encode())


if __name__ == "__main__":
    wanted = sys.argv[1:] or ["protocol", "binlog", "sql", "sql_digest", "config", "listener",
                              "change_stream"]
    for name in wanted:
        {"protocol": protocol, "binlog": binlog, "sql": sql, "sql_digest": sql_digest,
         "config": config, "listener": listener, "change_stream": change_stream}[name]()
    for t in ("%s_fuzzer" % name for name in wanted):
        d = os.path.join(OUT, t)
        files = os.listdir(d)
        print(t, len(files), "files", sum(os.path.getsize(os.path.join(d, f)) for f in files), "bytes",
              file=sys.stderr)
