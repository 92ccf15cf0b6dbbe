'use strict';
// mysql2's beginTransaction/commit/rollback through the listener: the session
// keeps one backend connection for the transaction, and a second client
// connection (another session) sees only committed rows.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const mysql = require('mysql2/promise');
const { startGateway, APP } = require('./support/gateway');

let gw;
let tx;
let observer;
let table;

before(async () => {
  gw = await startGateway();
  tx = await mysql.createConnection(gw.connectOptions(APP));
  observer = await mysql.createConnection(gw.connectOptions(APP));
  table = `node_tx_${crypto.randomBytes(4).toString('hex')}`;
  await tx.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB`);
}, { timeout: 90000 });

after(async () => {
  if (tx) {
    await tx.query(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
    await tx.end();
  }
  if (observer) await observer.end();
  if (gw) await gw.stop();
}, { timeout: 60000 });

async function ids(conn) {
  const [rows] = await conn.query(`SELECT id FROM ${table} ORDER BY id`);
  return rows.map((r) => r.id);
}

test('rollback leaves no row', async () => {
  await tx.beginTransaction();
  await tx.execute(`INSERT INTO ${table} VALUES (?, ?)`, [1, 'rolled back']);
  assert.deepEqual(await ids(tx), [1], 'the transaction sees its own row');
  assert.deepEqual(await ids(observer), [], 'uncommitted rows are invisible elsewhere');
  await tx.rollback();
  assert.deepEqual(await ids(tx), []);
  assert.deepEqual(await ids(observer), []);
});

test('commit keeps the row', async () => {
  await tx.beginTransaction();
  await tx.query(`INSERT INTO ${table} VALUES (2, 'kept')`);
  await tx.execute(`UPDATE ${table} SET v = ? WHERE id = ?`, ['kept!', 2]);
  assert.deepEqual(await ids(observer), []);
  await tx.commit();
  const [rows] = await observer.query(`SELECT id, v FROM ${table}`);
  assert.deepEqual(rows, [{ id: 2, v: 'kept!' }]);
});

test('a failed statement inside a transaction does not end it', async () => {
  await tx.beginTransaction();
  await tx.query(`INSERT INTO ${table} VALUES (3, 'three')`);
  await assert.rejects(tx.query(`INSERT INTO ${table} VALUES (2, 'dup')`), { errno: 1062 });
  await tx.query(`INSERT INTO ${table} VALUES (4, 'four')`);
  await tx.commit();
  assert.deepEqual(await ids(observer), [2, 3, 4]);
});

test('a connection closed mid-transaction rolls it back', async () => {
  const doomed = await mysql.createConnection(gw.connectOptions(APP));
  await doomed.beginTransaction();
  await doomed.query(`INSERT INTO ${table} VALUES (5, 'lost')`);
  await doomed.end();
  // The session's backend connection is reset before it is reused; the row
  // must never become visible.
  for (let i = 0; i < 5; i++) {
    assert.deepEqual(await ids(observer), [2, 3, 4]);
    await new Promise((r) => setTimeout(r, 50));
  }
  // Nor is the row locked: the same key can be inserted.
  await observer.query(`INSERT INTO ${table} VALUES (5, 'free')`);
  assert.deepEqual(await ids(tx), [2, 3, 4, 5]);
});
