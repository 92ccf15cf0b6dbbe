'use strict';
// A mysql2 pool of 4 listener connections under 200 concurrent queries:
// every result must belong to its own query (no crossed or lost responses).
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

async function withPool(principal, fn) {
  const pool = mysql.createPool(gw.connectOptions(principal, {
    connectionLimit: 4, maxIdle: 4, queueLimit: 0, waitForConnections: true,
  }));
  const threadIds = new Set();
  pool.pool.on('connection', (c) => threadIds.add(c.threadId));
  try {
    await fn(pool);
  } finally {
    await pool.end();
  }
  return threadIds;
}

test('200 concurrent queries on 4 connections', async () => {
  const threadIds = await withPool(APP, async (pool) => {
    const jobs = [];
    for (let i = 0; i < 200; i++) {
      const payload = `q${i}-${'x'.repeat(i % 17)}😀`;
      const job = i % 2 === 0
        ? pool.query('SELECT ? AS i, ? * 3 AS triple, ? AS payload, SLEEP(0) AS z', [i, i, payload])
        : pool.execute('SELECT ? AS i, ? * 3 AS triple, ? AS payload, SLEEP(0) AS z', [i, i, payload]);
      jobs.push(job.then(([rows]) => ({ i, payload, rows })));
    }
    const results = await Promise.all(jobs);
    assert.equal(results.length, 200);
    for (const { i, payload, rows } of results) {
      assert.equal(rows.length, 1);
      assert.equal(rows[0].i, i);
      assert.equal(rows[0].triple, i * 3);
      assert.equal(rows[0].payload, payload);
    }
  });
  assert.equal(threadIds.size, 4, `pool connections: ${[...threadIds]}`);
});

test('pooled connections keep their own session state', async () => {
  const threadIds = await withPool(READER, async (pool) => {
    // Each pooled connection gets its own variable; a query on a connection
    // must see that connection's value, whatever else runs meanwhile.
    const conns = await Promise.all([0, 1, 2, 3].map(() => pool.getConnection()));
    await Promise.all(conns.map((c) => c.query('SET @mine = ?', [c.threadId])));
    conns.forEach((c) => c.release());
    const jobs = [];
    for (let i = 0; i < 100; i++) {
      jobs.push(pool.getConnection().then(async (c) => {
        try {
          const [rows] = await c.query('SELECT @mine AS mine, ? AS i', [i]);
          return { expected: c.threadId, rows, i };
        } finally {
          c.release();
        }
      }));
    }
    for (const { expected, rows, i } of await Promise.all(jobs)) {
      assert.deepEqual(rows, [{ mine: expected, i }]);
    }
  });
  assert.equal(threadIds.size, 4);
});
