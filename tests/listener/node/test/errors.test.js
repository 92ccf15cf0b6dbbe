'use strict';
// Errors as mysql2 sees them: the backend's (duplicate key, syntax), the
// gateway's permission check, and an interception rule's configured error.
// After each one the connection must still work.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const mysql = require('mysql2/promise');
const { startGateway, APP, READER } = require('./support/gateway');

const AUDIT = `node_audit_${crypto.randomBytes(4).toString('hex')}`;
const DENY_MESSAGE = 'deleting audit rows is forbidden by policy';
const RULES = `
rules:
  - name: no-audit-deletes
    match: {tables: ["${AUDIT}"], statement_kinds: [delete]}
    action:
      verdict: deny
      error: {mysql_errno: 1644, sql_state: "45000", message: "${DENY_MESSAGE}"}
`;

let gw;
let app;
let reader;
let table;

before(async () => {
  gw = await startGateway({ interception: RULES });
  app = await mysql.createConnection(gw.connectOptions(APP));
  reader = await mysql.createConnection(gw.connectOptions(READER));
  table = `node_err_${crypto.randomBytes(4).toString('hex')}`;
  await app.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, v VARCHAR(10))`);
  await app.query(`INSERT INTO ${table} VALUES (1, 'one')`);
  await app.query(`CREATE TABLE ${AUDIT} (id INT PRIMARY KEY)`);
  await app.query(`INSERT INTO ${AUDIT} VALUES (1), (2)`);
}, { timeout: 90000 });

after(async () => {
  if (app) {
    await app.query(`DROP TABLE IF EXISTS ${table}, ${AUDIT}`).catch(() => {});
    await app.end();
  }
  if (reader) await reader.end();
  if (gw) await gw.stop();
}, { timeout: 60000 });

function mysqlError(errno, sqlState, code, message) {
  return (err) => {
    assert.equal(err.errno, errno, err.message);
    assert.equal(err.sqlState, sqlState);
    if (code) assert.equal(err.code, code);
    if (message) assert.match(err.sqlMessage, message);
    assert.notEqual(err.fatal, true, 'the connection must survive');
    return true;
  };
}

async function stillWorks(conn) {
  const [rows] = await conn.query('SELECT 1 + 1 AS v');
  assert.deepEqual(rows, [{ v: 2 }]);
}

test('duplicate key: 1062 / 23000 from query and execute', async () => {
  const dup = mysqlError(1062, '23000', 'ER_DUP_ENTRY', /Duplicate entry '1' for key 'PRIMARY'/);
  await assert.rejects(app.query(`INSERT INTO ${table} VALUES (1, 'again')`), dup);
  await stillWorks(app);
  await assert.rejects(app.execute(`INSERT INTO ${table} VALUES (?, ?)`, [1, 'again']), dup);
  await stillWorks(app);
  const [rows] = await app.query(`SELECT v FROM ${table} WHERE id = 1`);
  assert.deepEqual(rows, [{ v: 'one' }]);
});

test('syntax error: 1064 / 42000 from query and prepare', async () => {
  const syntax = mysqlError(1064, '42000', 'ER_PARSE_ERROR', /SQL syntax/);
  await assert.rejects(app.query('SELECT 1 FROM WHERE'), syntax);
  await stillWorks(app);
  await assert.rejects(app.execute('SELECT ? FROM WHERE', [1]), syntax);
  await stillWorks(app);
});

test('a word that begins no statement is a syntax error (1064), not a permission error', async () => {
  // The gateway answers it for principals without the admin operation
  // (server/sql/statement_kind.h): no MySQL or MariaDB statement begins so.
  const syntax = mysqlError(1064, '42000', 'ER_PARSE_ERROR', /SQL syntax/);
  await assert.rejects(app.query('SELEC 1'), syntax);
  await stillWorks(app);
  await assert.rejects(reader.query('selct * from t'), syntax);
  await stillWorks(reader);
});

test('unknown table: 1146 / 42S02', async () => {
  await assert.rejects(app.query('SELECT * FROM node_no_such_table'),
    mysqlError(1146, '42S02', 'ER_NO_SUCH_TABLE'));
  await stillWorks(app);
});

test('read-only principal: INSERT is refused with 1142', async () => {
  const denied = mysqlError(1142, '42000', null, /may not perform write/);
  await assert.rejects(reader.query(`INSERT INTO ${table} VALUES (2, 'two')`), denied);
  await assert.rejects(reader.execute(`INSERT INTO ${table} VALUES (?, ?)`, [2, 'two']), denied);
  await stillWorks(reader);
  // Reads are allowed, and nothing was written.
  const [rows] = await reader.query(`SELECT COUNT(*) AS n FROM ${table}`);
  assert.deepEqual(rows, [{ n: 1 }]);
});

test('deny rule: the configured errno, SQLSTATE and message', async () => {
  const denied = mysqlError(1644, '45000', 'ER_SIGNAL_EXCEPTION', new RegExp(`^${DENY_MESSAGE}$`));
  await assert.rejects(app.query(`DELETE FROM ${AUDIT} WHERE id = 1`), denied);
  await assert.rejects(app.execute(`DELETE FROM ${AUDIT} WHERE id = ?`, [1]), denied);
  await stillWorks(app);
  // Statements outside the rule reach the backend; the rows are untouched.
  const [rows] = await app.query(`SELECT id FROM ${AUDIT} ORDER BY id`);
  assert.deepEqual(rows, [{ id: 1 }, { id: 2 }]);
  const [ok] = await app.query(`DELETE FROM ${table} WHERE id = 99`);
  assert.equal(ok.affectedRows, 0);
});
