'use strict';
// Text-protocol queries and server-side prepared statements (execute()):
// every value must survive the listener's re-encoding of the backend's
// results (text rows for COM_QUERY, binary rows for COM_STMT_EXECUTE).
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const mysql = require('mysql2/promise');
const { startGateway, APP } = require('./support/gateway');

const Types = mysql.Types;
const EMOJI = 'héllo 😀 世界';
let gw;
let conn;
let table;

// BIGINTs beyond 2^53 come back as strings, safe ones as numbers; DATETIMEs
// as Dates read in UTC.
const OPTIONS = { supportBigNumbers: true, timezone: 'Z' };

before(async () => {
  gw = await startGateway();
  conn = await mysql.createConnection(gw.connectOptions(APP, OPTIONS));
  table = `node_types_${crypto.randomBytes(4).toString('hex')}`;
  await conn.query(`CREATE TABLE ${table} (
    id INT PRIMARY KEY, big BIGINT, amount DECIMAL(12,2), name VARCHAR(64) CHARACTER SET utf8mb4,
    at DATETIME, at6 DATETIME(6), note VARCHAR(10) NULL, bin VARBINARY(8), ratio DOUBLE)`);
  await conn.query(`INSERT INTO ${table} VALUES
    (1, 9007199254740993, 12345.67, '${EMOJI}', '2024-02-29 13:14:15', '2024-02-29 13:14:15.123456', NULL, x'00ff', 0.5),
    (2, -9223372036854775808, -0.05, 'plain', '1999-12-31 23:59:59', '1999-12-31 23:59:59.000001', 'n', NULL, -1e300),
    (3, 42, 0.00, '', '2000-01-01 00:00:00', '2000-01-01 00:00:00.000000', '', x'', 0)`);
}, { timeout: 90000 });

after(async () => {
  if (conn) {
    await conn.query(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
    await conn.end();
  }
  if (gw) await gw.stop();
}, { timeout: 60000 });

const EXPECTED = [
  {
    id: 1, big: '9007199254740993', amount: '12345.67', name: EMOJI,
    at: new Date(Date.UTC(2024, 1, 29, 13, 14, 15)), at6: new Date(Date.UTC(2024, 1, 29, 13, 14, 15, 123)),
    note: null, bin: Buffer.from([0x00, 0xff]), ratio: 0.5,
  },
  {
    id: 2, big: '-9223372036854775808', amount: '-0.05', name: 'plain',
    at: new Date(Date.UTC(1999, 11, 31, 23, 59, 59)), at6: new Date(Date.UTC(1999, 11, 31, 23, 59, 59, 0)),
    note: 'n', bin: null, ratio: -1e300,
  },
  {
    id: 3, big: 42, amount: '0.00', name: '', at: new Date(Date.UTC(2000, 0, 1)),
    at6: new Date(Date.UTC(2000, 0, 1)), note: '', bin: Buffer.alloc(0), ratio: 0,
  },
];

const COLUMN_TYPES = {
  id: Types.LONG, big: Types.LONGLONG, amount: Types.NEWDECIMAL, name: Types.VAR_STRING,
  at: Types.DATETIME, at6: Types.DATETIME, note: Types.VAR_STRING, bin: Types.VAR_STRING, ratio: Types.DOUBLE,
};

function checkFields(fields) {
  assert.deepEqual(Object.fromEntries(fields.map((f) => [f.name, f.columnType])), COLUMN_TYPES);
  const byName = Object.fromEntries(fields.map((f) => [f.name, f]));
  assert.equal(byName.amount.decimals, 2);
  assert.equal(byName.at6.decimals, 6);
  assert.equal(byName.bin.characterSet, 63, 'VARBINARY is binary');
  assert.notEqual(byName.name.characterSet, 63);
  assert.equal(byName.id.table, table);
}

test('query: typed results in the text protocol', async () => {
  const [rows, fields] = await conn.query(`SELECT * FROM ${table} ORDER BY id`);
  assert.deepEqual(rows, EXPECTED);
  checkFields(fields);
});

test('execute: the same values in the binary protocol', async () => {
  const [rows, fields] = await conn.execute(`SELECT * FROM ${table} WHERE id >= ? ORDER BY id`, [1]);
  assert.deepEqual(rows, EXPECTED);
  checkFields(fields);
});

test('utf8mb4 text is stored as 4-byte characters, not mangled', async () => {
  const [rows] = await conn.query(
    `SELECT CHAR_LENGTH(name) AS chars, LENGTH(name) AS bytes, HEX(name) AS hex FROM ${table} WHERE id = 1`);
  assert.deepEqual(rows, [{
    chars: [...EMOJI].length, bytes: Buffer.byteLength(EMOJI), hex: Buffer.from(EMOJI).toString('hex').toUpperCase(),
  }]);
});

test('DATETIME(6) microseconds with dateStrings', async () => {
  const c = await mysql.createConnection(gw.connectOptions(APP, { dateStrings: true }));
  try {
    const sql = `SELECT at, at6 FROM ${table} WHERE id = ?`;
    const [text] = await c.query(sql, [1]);
    const [binary] = await c.execute(sql, [1]);
    const want = [{ at: '2024-02-29 13:14:15', at6: '2024-02-29 13:14:15.123456' }];
    assert.deepEqual(text, want);
    assert.deepEqual(binary, want);
  } finally {
    await c.end();
  }
});

test('execute: parameters of several types round-trip through a table', async () => {
  const params = [
    10, // number: sent as DOUBLE
    mysql.TypedParameter.LONGLONG(9007199254740993n), // exact int64
    '98765.43', // string into DECIMAL
    `${EMOJI} ✓`,
    new Date(Date.UTC(2021, 6, 4, 5, 6, 7, 890)),
    new Date(Date.UTC(2021, 6, 4, 5, 6, 7, 890)),
    null,
    Buffer.from([1, 2, 0, 3]),
    3.25,
  ];
  const [ok] = await conn.execute(`INSERT INTO ${table} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, params);
  assert.equal(ok.affectedRows, 1);
  const [rows] = await conn.execute(
    `SELECT * FROM ${table} WHERE big = ? AND name = ? AND note IS NULL AND bin = ?`,
    [mysql.TypedParameter.LONGLONG(9007199254740993n), `${EMOJI} ✓`, Buffer.from([1, 2, 0, 3])]);
  assert.deepEqual(rows, [{
    id: 10, big: '9007199254740993', amount: '98765.43', name: `${EMOJI} ✓`,
    at: new Date(Date.UTC(2021, 6, 4, 5, 6, 7)), // MariaDB truncates the fraction
    at6: new Date(Date.UTC(2021, 6, 4, 5, 6, 7, 890)), note: null, bin: Buffer.from([1, 2, 0, 3]), ratio: 3.25,
  }]);
  await conn.execute(`DELETE FROM ${table} WHERE id = ?`, [10]);
});

test('execute: one statement re-executed with other values and types', async () => {
  const sql = 'SELECT ? AS v, ? IS NULL AS isnull';
  assert.deepEqual((await conn.execute(sql, [41, 'x']))[0], [{ v: 41, isnull: 0 }]);
  assert.deepEqual((await conn.execute(sql, ['text', null]))[0], [{ v: 'text', isnull: 1 }]);
  assert.deepEqual((await conn.execute(sql, [true, false]))[0], [{ v: 1, isnull: 0 }]);
  assert.deepEqual((await conn.execute(sql, [EMOJI, EMOJI]))[0], [{ v: EMOJI, isnull: 0 }]);
  const [rows] = await conn.execute('SELECT ? + 1 AS n', [mysql.TypedParameter.LONGLONG(-5n)]);
  assert.deepEqual(rows, [{ n: -4 }]);
  // The greeting's version (10.11.99-mysqlgw) does not say MariaDB, so
  // mysql2 sends an object with MySQL's JSON parameter type.
  assert.equal(conn.connection._isMariaDB, false);
  const [json] = await conn.execute("SELECT JSON_VALUE(?, '$.a[1]') AS a", [{ a: [1, 'two'] }]);
  assert.deepEqual(json, [{ a: 'two' }]);
});

test('execute: affected rows and insert id', async () => {
  const name = `node_ids_${crypto.randomBytes(4).toString('hex')}`;
  await conn.query(`CREATE TABLE ${name} (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(10))`);
  try {
    const [first] = await conn.execute(`INSERT INTO ${name} (v) VALUES (?), (?)`, ['a', 'b']);
    assert.equal(first.affectedRows, 2);
    assert.equal(first.insertId, 1);
    const [upd] = await conn.execute(`UPDATE ${name} SET v = ? WHERE id > ?`, ['z', 0]);
    assert.equal(upd.affectedRows, 2);
    assert.equal(upd.changedRows, 2);
    const [del] = await conn.query(`DELETE FROM ${name} WHERE id = 2`);
    assert.equal(del.affectedRows, 1);
    const [second] = await conn.query(`INSERT INTO ${name} (v) VALUES ('c')`);
    assert.equal(second.insertId, 3);
  } finally {
    await conn.query(`DROP TABLE ${name}`);
  }
});

// The listener does not offer CLIENT_FOUND_ROWS (its backend connections
// are shared): an UPDATE that matches rows without changing them reports 0
// affected rows, as a server that did not grant the flag does.
test('CLIENT_FOUND_ROWS is not granted: affected rows are changed rows', async () => {
  const name = `node_found_${crypto.randomBytes(4).toString('hex')}`;
  await conn.query(`CREATE TABLE ${name} (id INT PRIMARY KEY, v INT)`);
  try {
    await conn.query(`INSERT INTO ${name} VALUES (1, 1), (2, 1)`);
    const [text] = await conn.query(`UPDATE ${name} SET v = 1`);
    const [binary] = await conn.execute(`UPDATE ${name} SET v = ?`, [1]);
    assert.deepEqual([text.affectedRows, text.changedRows, binary.affectedRows], [0, 0, 0]);
  } finally {
    await conn.query(`DROP TABLE ${name}`);
  }
});

// MySQL and MariaDB write an OK packet's info as a length-encoded string
// and offer CLIENT_SESSION_TRACK in the greeting; mysql2 reads the info as
// length-encoded only when the server offers it. So does the listener.
test('OK packet info reads as with MariaDB', async () => {
  const name = `node_info_${crypto.randomBytes(4).toString('hex')}`;
  await conn.query(`CREATE TABLE ${name} (id INT PRIMARY KEY, v INT)`);
  try {
    await conn.query(`INSERT INTO ${name} VALUES (1, 1), (2, 1)`);
    const [ok] = await conn.query(`UPDATE ${name} SET v = 2`);
    assert.equal(ok.info, 'Rows matched: 2  Changed: 2  Warnings: 0');
  } finally {
    await conn.query(`DROP TABLE ${name}`);
  }
});

test('user variables live across statements of one connection', async () => {
  const c = await mysql.createConnection(gw.connectOptions(APP));
  const other = await mysql.createConnection(gw.connectOptions(APP));
  try {
    await c.query('SET @x = 5');
    assert.deepEqual((await c.query('SELECT @x + 1 AS v'))[0], [{ v: 6 }]);
    assert.deepEqual((await c.execute('SELECT @x + ? AS v', [10]))[0], [{ v: 15 }]);
    await c.query("SET @s = 'keep 😀'");
    assert.deepEqual((await c.query('SELECT @s AS s, @x AS x'))[0], [{ s: 'keep 😀', x: 5 }]);
    // Another client connection has its own (empty) variables.
    assert.deepEqual((await other.query('SELECT @x AS x'))[0], [{ x: null }]);
  } finally {
    await c.end();
    await other.end();
  }
});
