'use strict';
// Session commands mysql2 sends besides queries (COM_CHANGE_USER,
// COM_RESET_CONNECTION, COM_PING) and results larger than the listener's
// 64 KiB send queue, in both protocols.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const mysql = require('mysql2/promise');
const { startGateway, APP, READER } = require('./support/gateway');

let gw;

before(async () => {
  gw = await startGateway();
}, { timeout: 90000 });

after(async () => {
  if (gw) await gw.stop();
}, { timeout: 60000 });

async function connect(principal, extra) {
  return mysql.createConnection(gw.connectOptions(principal, extra));
}

test('changeUser switches principals and their permissions', async () => {
  const c = await connect(APP);
  try {
    await c.query('SET @before = 1');
    // The reader has only a caching_sha2 hash: the change is switched to it.
    await c.changeUser({ user: READER.user, password: READER.password });
    assert.deepEqual((await c.query('SELECT @before AS b'))[0], [{ b: null }], 'session state is reset');
    await assert.rejects(c.query('CREATE TEMPORARY TABLE node_cu (id INT)'), { errno: 1142 });
    await c.changeUser({ user: APP.user, password: APP.password });
    await c.query('CREATE TEMPORARY TABLE node_cu (id INT)');
    await c.query('INSERT INTO node_cu VALUES (1)');
    assert.deepEqual((await c.query('SELECT id FROM node_cu'))[0], [{ id: 1 }]);
  } finally {
    await c.end();
  }
});

test('changeUser with a wrong password ends the connection with 1045', async () => {
  const c = await connect(APP);
  await assert.rejects(c.changeUser({ user: APP.user, password: 'wrong' }),
    { errno: 1045, sqlState: '28000' });
  await assert.rejects(c.query('SELECT 1'));
  c.destroy();
});

test('reset forgets variables; ping answers', async () => {
  const c = await connect(APP);
  try {
    await c.ping();
    assert.deepEqual((await c.execute('SELECT ? + 1 AS v', [0]))[0], [{ v: 1 }]);
    await c.query("SET @v = 'set'");
    assert.deepEqual((await c.query('SELECT @v AS v'))[0], [{ v: 'set' }]);
    await c.reset();
    assert.deepEqual((await c.query('SELECT @v AS v'))[0], [{ v: null }]);
    await c.ping();
    // Statements prepared before the reset are gone on the server; mysql2
    // clears its cache too, so this execute() prepares again and must not
    // meet a stale statement id.
    assert.deepEqual((await c.execute('SELECT ? + 1 AS v', [1]))[0], [{ v: 2 }]);
  } finally {
    await c.end();
  }
});

test('large results: 30000 rows and a 1.2 MB value in both protocols', async () => {
  const c = await connect(READER);
  try {
    const sql = 'SELECT seq, CONCAT(?, seq) AS s FROM seq_1_to_30000';
    for (const [label, run] of [['query', () => c.query(sql, ['row'])], ['execute', () => c.execute(sql, ['row'])]]) {
      const [rows] = await run();
      assert.equal(rows.length, 30000, label);
      rows.forEach((r, i) => {
        if (r.seq !== i + 1 || r.s !== `row${i + 1}`) assert.fail(`${label}: row ${i} is ${JSON.stringify(r)}`);
      });
    }
    const big = "SELECT REPEAT('ab', 600000) AS v, 'after' AS w";
    for (const [label, rows] of [['query', (await c.query(big))[0]], ['execute', (await c.execute(big))[0]]]) {
      assert.equal(rows.length, 1, label);
      assert.equal(rows[0].v.length, 1200000);
      assert.equal(rows[0].v, 'ab'.repeat(600000));
      assert.equal(rows[0].w, 'after');
    }
    assert.deepEqual((await c.query('SELECT 1 AS v'))[0], [{ v: 1 }], 'the connection is in step');
  } finally {
    await c.end();
  }
});
