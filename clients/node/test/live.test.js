'use strict';
// Live tests: the client against the real gateway binary and a sandbox
// MariaDB (see support/live.js). MYSQLGW_NODE_LIVE=0 skips them.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { Client, Decimal, GatewayError } = require('../lib');
const { startLive } = require('./support/live');

const SKIP = process.env.MYSQLGW_NODE_LIVE === '0' ? 'MYSQLGW_NODE_LIVE=0' : false;
let live;
let db;

before(async () => {
  if (SKIP) return;
  live = await startLive();
  db = new Client(live.target, { token: live.token, timeoutMs: 30000 });
}, { timeout: 90000 });

after(async () => {
  if (db) db.close();
  if (live) await live.stop();
}, { timeout: 60000 });

async function table(definition) {
  const name = `node_${crypto.randomBytes(6).toString('hex')}`;
  await db.execute(`CREATE TABLE ${name} (${definition})`);
  return name;
}

test('query converts values', { skip: SKIP }, async () => {
  const ok = await db.query(
    'SELECT 1 AS one, CAST(18446744073709551615 AS UNSIGNED) AS big, -9223372036854775807 - 1 AS small, ' +
    "CAST(12.5 AS DECIMAL(10,3)) AS `dec`, 'hé' AS s, x'00ff' AS b, DATE '2024-02-29' AS d, " +
    "TIMESTAMP '2024-02-29 13:14:15.123456' AS dt, TIME '-838:59:59' AS t, NULL AS n, ? AS p",
    [new Decimal('1.50')]);
  assert.equal(ok.results.length, 1);
  const { columns, rows } = ok.results[0];
  assert.deepEqual(columns.map((c) => c.name),
    ['one', 'big', 'small', 'dec', 's', 'b', 'd', 'dt', 't', 'n', 'p']);
  const [row] = rows;
  assert.equal(row[0], 1);
  assert.equal(row[1], 18446744073709551615n);
  assert.equal(row[2], -9223372036854775808n);
  assert.equal(row[3], '12.500');
  assert.equal(row[4], 'hé');
  assert.deepEqual(row[5], Buffer.from([0, 255]));
  assert.equal(row[6], '2024-02-29');
  assert.equal(row[7], '2024-02-29 13:14:15.123456');
  assert.equal(row[8], '-838:59:59');
  assert.equal(row[9], null);
  assert.equal(row[10], '1.50');
});

test('execute, named parameters and outcomes', { skip: SKIP }, async () => {
  const name = await table('id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20), n BIGINT UNSIGNED');
  const out = await db.execute(`INSERT INTO ${name} (v, n) VALUES (?, ?), (?, ?)`,
    ['a', 1, 'b', 2n ** 64n - 1n]);
  assert.equal(out.affectedRows, 2);
  assert.equal(out.lastInsertId, 1);
  const res = await db.query(`SELECT id, v, n FROM ${name} WHERE v = :v`, { v: 'b' });
  assert.deepEqual(res.results[0].rows, [[2, 'b', 18446744073709551615n]]);
  const upd = await db.execute(`UPDATE ${name} SET v = 'c'`);
  assert.equal(upd.affectedRows, 2);
  await db.execute(`DROP TABLE ${name}`);
});

test('transactions commit and roll back', { skip: SKIP }, async () => {
  const name = await table('id INT PRIMARY KEY');
  const tx = await db.beginTransaction();
  await tx.execute(`INSERT INTO ${name} VALUES (?)`, [1]);
  assert.deepEqual((await tx.query(`SELECT COUNT(*) FROM ${name}`)).results[0].rows, [[1]]);
  await tx.rollback();
  assert.deepEqual((await db.query(`SELECT COUNT(*) FROM ${name}`)).results[0].rows, [[0]]);

  const tx2 = await db.beginTransaction({ isolation: 'read committed' });
  await tx2.execute(`INSERT INTO ${name} VALUES (?)`, [2]);
  await tx2.commit();
  assert.deepEqual((await db.query(`SELECT id FROM ${name}`)).results[0].rows, [[2]]);
  // The transaction is gone after commit.
  await assert.rejects(tx2.query('SELECT 1'), (e) => e instanceof GatewayError && e.code === 'NOT_FOUND');
  await db.execute(`DROP TABLE ${name}`);
});

test('errors carry the gRPC code, MySQL errno and SQLSTATE', { skip: SKIP }, async () => {
  const name = await table('id INT PRIMARY KEY');
  await db.execute(`INSERT INTO ${name} VALUES (1)`);
  const err = await db.execute(`INSERT INTO ${name} VALUES (1)`).catch((e) => e);
  assert.ok(err instanceof GatewayError, String(err));
  assert.ok(err instanceof Error);
  assert.equal(err.code, 'ALREADY_EXISTS');
  assert.equal(err.mysqlErrno, 1062);
  assert.equal(err.sqlState, '23000');
  assert.match(err.message, /Duplicate entry/);

  const syntax = await db.query('SELECT * FROM WHERE 1').catch((e) => e);
  assert.equal(syntax.code, 'INVALID_ARGUMENT');
  assert.equal(syntax.mysqlErrno, 1064);

  const unauth = new Client(live.target, { token: 'wrong-token' });
  const e = await unauth.query('SELECT 1').catch((x) => x);
  unauth.close();
  assert.equal(e.code, 'UNAUTHENTICATED');
  assert.equal(e.mysqlErrno, null);
  await db.execute(`DROP TABLE ${name}`);
});

test('changes: insert, then read it back with untilNow', { skip: SKIP }, async () => {
  const name = await table('id INT PRIMARY KEY, price DECIMAL(10,2), note VARCHAR(20), data VARBINARY(8)');
  const [[since]] = (await db.query('SELECT @@GLOBAL.gtid_binlog_pos')).results[0].rows;
  await db.execute(`INSERT INTO ${name} VALUES (?, ?, ?, ?)`, [1, new Decimal('12.50'), 'hi', Buffer.from([0, 255])]);
  await db.execute(`UPDATE ${name} SET note = ? WHERE id = ?`, ['there', 1]);

  const events = [];
  for await (const ev of db.changes({ gtidSet: since, untilNow: true, includeTables: `${live.database}.${name}` })) {
    events.push(ev);
  }
  assert.deepEqual(events.map((e) => e.type), ['begin', 'row', 'commit', 'begin', 'row', 'commit']);
  const [begin, ins, c1, , upd, c2] = events;
  assert.ok(begin.gtid);
  assert.ok(begin.timestamp instanceof Date);
  assert.deepEqual(
    { kind: ins.kind, schema: ins.schema, table: ins.table, before: ins.before, primaryKey: ins.primaryKey },
    { kind: 'insert', schema: live.database, table: name, before: null, primaryKey: ['id'] });
  assert.deepEqual(ins.after, { id: 1, price: '12.50', note: 'hi', data: Buffer.from([0, 255]) });
  assert.equal(upd.kind, 'update');
  assert.equal(upd.before.note, 'hi');
  assert.equal(upd.after.note, 'there');
  for (const c of [c1, c2]) {
    assert.ok(c.resumeToken);
    assert.ok(c.position.file);
    assert.ok(c.position.position > 0);
  }

  // Resuming after the first transaction yields only the update.
  const rows = [];
  for await (const ev of db.changes({ resumeToken: c1.resumeToken, untilNow: true, includeTables: `*.${name}` })) {
    if (ev.type === 'row') rows.push(ev.kind);
  }
  assert.deepEqual(rows, ['update']);

  // Bad tokens are rejected while iterating.
  await assert.rejects(async () => {
    for await (const ev of db.changes({ resumeToken: 'not-a-token', untilNow: true })) void ev;
  }, (e) => e instanceof GatewayError && e.code === 'INVALID_ARGUMENT');
  await db.execute(`DROP TABLE ${name}`);
});

test('README example runs as written', { skip: SKIP }, async () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const code = readme.split('```js\n')[1].split('```')[0];
  assert.ok(code.trim().split('\n').length <= 5, 'the example is at most five lines');
  const out = await new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', code], {
      cwd: path.join(__dirname, '..'), timeout: 30000,
      env: { ...process.env, MYSQLGW_TARGET: live.target, MYSQLGW_TOKEN: live.token },
    }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
  });
  assert.match(out, /'hello'/);
  await db.execute('DROP TABLE IF EXISTS greetings');
});
