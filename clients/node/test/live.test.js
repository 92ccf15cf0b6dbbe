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

// Applies change events to a Map keyed by the primary key strictly: a
// snapshot row or insert of a key it has, or an update or delete of a key it
// lacks, fails (so a duplicate or a gap cannot go unnoticed).
function strictApply(rows, ev) {
  if (ev.type === 'snapshot' && ev.phase === 'table_started' && ev.restarted) rows.clear();
  if (ev.type !== 'row') return;
  const key = (image) => JSON.stringify(ev.primaryKey.map((c) => image[c]));
  if (ev.kind === 'update' || ev.kind === 'delete') {
    assert.ok(rows.has(key(ev.before)), `${ev.kind} of a missing row ${key(ev.before)}`);
    rows.delete(key(ev.before));
  }
  if (ev.kind !== 'delete') {
    assert.ok(!rows.has(key(ev.after)), `${ev.kind} of a present row ${key(ev.after)}`);
    rows.set(key(ev.after), ev.after);
  }
}

async function contents(name) {
  const { columns, rows } = (await db.query(`SELECT * FROM ${name}`)).results[0];
  return new Map(rows.map((r) => [JSON.stringify([r[0]]),
    Object.fromEntries(columns.map((c, i) => [c.name, r[i]]))]));
}

async function snapshotTable(n) {
  const name = await table('id INT PRIMARY KEY, v VARCHAR(20), n INT');
  await db.execute(`INSERT INTO ${name} SELECT seq * 10, CONCAT('v', seq), seq FROM seq_1_to_${n}`);
  return [name, `${live.database}.${name}`];
}

test('changes: a snapshot of N rows, then an insert', { skip: SKIP, timeout: 120000 }, async () => {
  const n = 250;
  const [name, qualified] = await snapshotTable(n);
  const stream = db.changes({
    snapshot: [qualified], includeTables: qualified, progressRows: 100, heartbeatIntervalMs: 500,
  });
  const replica = new Map();
  const phases = [];
  const snapshotRows = [];
  const changes = [];
  let commit = null;
  for await (const ev of stream) {
    strictApply(replica, ev);
    if (ev.type === 'snapshot') {
      phases.push([ev.phase, ev.rows]);
      if (ev.resumeToken) assert.equal(stream.lastResumeToken, ev.resumeToken);
      if (ev.phase === 'done') {
        // The copy is complete: a change committed now follows it.
        await db.execute(`INSERT INTO ${name} VALUES (?, ?, ?)`, [5, 'new', -1]);
      }
    } else if (ev.type === 'row' && ev.kind === 'snapshot') {
      snapshotRows.push(ev);
    } else if (ev.type === 'row') {
      changes.push(ev);
    } else if (ev.type === 'commit' && changes.length) {
      commit = ev;
      break;
    }
  }
  assert.deepEqual(phases, [['started', 0], ['table_started', 0], ['chunk', 100], ['chunk', 200],
    ['table_done', n], ['done', 0]]);
  assert.equal(snapshotRows.length, n);
  assert.deepEqual(snapshotRows.map((r) => r.after.id), Array.from({ length: n }, (_, i) => 10 * (i + 1)));
  assert.deepEqual(snapshotRows[6].after, { id: 70, v: 'v7', n: 7 });
  assert.deepEqual(changes.map((r) => [r.kind, r.after]), [['insert', { id: 5, v: 'new', n: -1 }]]);
  assert.equal(stream.lastResumeToken, commit.resumeToken);
  assert.deepEqual(replica, await contents(name));
  assert.equal(replica.size, n + 1);
  await db.execute(`DROP TABLE ${name}`);
});

test('changes: a snapshot resumed from a stored chunk token', { skip: SKIP, timeout: 120000 }, async () => {
  const [name, qualified] = await snapshotTable(300);
  const replica = new Map();
  let token = null;
  const first = db.changes({ snapshot: [qualified], includeTables: qualified, progressRows: 50 });
  for await (const ev of first) {
    strictApply(replica, ev);
    if (ev.type === 'snapshot' && ev.phase === 'chunk' && ev.rows === 100) {
      token = first.lastResumeToken;
      assert.equal(token, ev.resumeToken);
      break;
    }
  }
  assert.ok(token);
  assert.equal(replica.size, 100);
  // Changes on both sides of the last delivered key (1000), and across it.
  for (const sql of [
    `UPDATE ${name} SET v = 'upd-below' WHERE id = 50`, `DELETE FROM ${name} WHERE id = 70`,
    `INSERT INTO ${name} VALUES (55, 'ins-below', 0)`, `UPDATE ${name} SET v = 'upd-above' WHERE id = 2000`,
    `DELETE FROM ${name} WHERE id = 2500`, `INSERT INTO ${name} VALUES (3005, 'ins-above', 0)`,
    `UPDATE ${name} SET id = 2999 WHERE id = 20`, `UPDATE ${name} SET id = 15 WHERE id = 2800`,
  ]) await db.execute(sql);
  const copied = [];
  const second = db.changes({ resumeToken: token, includeTables: qualified });
  for await (const ev of second) {
    strictApply(replica, ev);
    if (ev.type === 'row' && ev.kind === 'snapshot') copied.push(ev.after.id);
    if (ev.type === 'snapshot' && ev.phase === 'done') {
      assert.equal(second.lastResumeToken, ev.resumeToken);
      break;
    }
  }
  assert.ok(copied.length > 0 && Math.min(...copied) > 1000, 'the copy went on after the stored key');
  assert.deepEqual(replica, await contents(name));
  assert.equal(replica.get('[50]').v, 'upd-below');
  assert.equal(replica.get('[15]').v, 'v280');
  await db.execute(`DROP TABLE ${name}`);
});

test('changes: status events when the server drops the stream', { skip: SKIP, timeout: 120000 }, async () => {
  const name = await table('id INT PRIMARY KEY, v VARCHAR(20)');
  const seen = [];
  const stream = db.changes({
    includeTables: `${live.database}.${name}`, heartbeatIntervalMs: 200, statusEvents: true,
    onStatus: (s) => seen.push(s),
  });
  assert.equal((await stream.next()).value.type, 'heartbeat');
  const ids = (await db.query(
    "SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'")).results[0].rows;
  assert.ok(ids.length > 0, 'no Binlog Dump thread');
  for (const [id] of ids) {
    await db.execute(`KILL CONNECTION ${Number(id)}`).catch((e) => assert.equal(e.mysqlErrno, 1094, String(e)));
  }
  const yielded = [];
  const rows = [];
  for await (const ev of stream) {
    if (ev.type === 'status') {
      yielded.push(ev);
      if (ev.state === 'resumed') await db.execute(`INSERT INTO ${name} VALUES (1, 'after')`);
    } else if (ev.type === 'row') {
      rows.push(ev.after);
    } else if (ev.type === 'commit' && rows.length) {
      break;
    }
  }
  assert.equal(yielded[0].state, 'reconnecting');
  assert.ok(yielded[0].message);
  assert.equal(yielded[0].attempt, 1);
  assert.equal(yielded.at(-1).state, 'resumed');
  assert.deepEqual(seen, yielded);
  assert.deepEqual(rows, [{ id: 1, v: 'after' }]);
  await db.execute(`DROP TABLE ${name}`);
});

test('README change stream example runs as written', { skip: SKIP }, async () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const code = readme.split('```js\n').slice(1).map((b) => b.split('```')[0]).find((b) => b.includes('snapshot'));
  assert.ok(code && code.trim().split('\n').length <= 5, 'a change stream example of at most five lines');
  await db.execute('CREATE TABLE IF NOT EXISTS cdc_demo (id INT PRIMARY KEY, note VARCHAR(100))');
  await db.execute("INSERT INTO cdc_demo VALUES (1, 'hi'), (2, 'there')");
  try {
    const out = await new Promise((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', code], {
        cwd: path.join(__dirname, '..'), timeout: 30000,
        env: { ...process.env, MYSQLGW_TARGET: live.target, MYSQLGW_TOKEN: live.token },
      }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
    });
    assert.match(out, /^row snapshot \{ id: 1, note: 'hi' \}$/m);
    assert.match(out, /^row snapshot \{ id: 2, note: 'there' \}$/m);
    assert.match(out, /^snapshot done/m);
    assert.match(out, /^resume from \S+$/m);
  } finally {
    await db.execute('DROP TABLE IF EXISTS cdc_demo');
  }
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
