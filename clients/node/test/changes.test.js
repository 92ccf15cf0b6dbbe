'use strict';
// Unit tests of the change stream: an in-process grpc-js ChangeStream server
// sends scripted events (snapshot rows and progress, status events) and the
// client's ChangeStream converts them and keeps its resume token.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const { Client, ChangeStream } = require('../lib');

const PROTO_ROOT = path.resolve(__dirname, '..', '..', '..', 'proto');
const def = protoLoader.loadSync(['mysqlgw/v1/binlog.proto'], {
  keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [PROTO_ROOT],
});
const { ChangeStream: Service } = grpc.loadPackageDefinition(def).mysqlgw.v1;

const pos = (position) => ({ file: 'mysql-bin.000001', position: String(position) });
const intValue = (n) => ({ int64: String(n) });
const textValue = (s) => ({ string: s });
const schema = {
  table_schema: {
    table_ref: 1, schema: 'shop', table: 'orders', primary_key: [0],
    columns: [{ name: 'id' }, { name: 'v' }],
  },
};
const snapRow = (id, v) => ({
  row: { table_ref: 1, kind: 'CHANGE_KIND_SNAPSHOT', after: { values: [intValue(id), textValue(v)] } },
});
const progress = (phase, extra = {}) => ({
  snapshot: { phase, schema: 'shop', table: 'orders', rows: '0', position: pos(400), gtid_state: '0-1-9', ...extra },
});
const status = (state, extra = {}) => ({ status: { state, position: pos(120), ...extra } });

// Scripts by the request's resume token / gtid_set; the last request is kept.
const SCRIPTS = {
  snapshot: [
    [progress('PHASE_STARTED', { schema: '', table: '' }), schema, progress('PHASE_TABLE_STARTED')],
    [snapRow(1, 'a'), snapRow(2, 'b'), progress('PHASE_CHUNK', { rows: '2', resume_token: 'chunk-2' }),
      snapRow(3, 'c'), progress('PHASE_TABLE_DONE', { rows: '3', resume_token: 'table-done' })],
    [progress('PHASE_DONE', { schema: '', table: '', resume_token: 'done' }),
      { begin: { gtid: '0-1-10' } },
      { row: { table_ref: 1, kind: 'CHANGE_KIND_INSERT', after: { values: [intValue(4), textValue('d')] } } },
      { commit: { gtid: '0-1-10', resume_token: 'commit-1', position: pos(500) } }],
  ],
  status: [
    [{ begin: { gtid: '0-1-11' } }, status('STATE_RECONNECTING', { message: 'connection reset', attempt: 1 }),
      status('STATE_RECONNECTING', { message: 'connection refused', attempt: 2 }), status('STATE_RESUMED'),
      { commit: { gtid: '0-1-11', resume_token: 'c' } }],
  ],
};

let server;
let target;
let lastRequest;
let followCancelled;

before(async () => {
  server = new grpc.Server();
  server.addService(Service.service, {
    StreamBinlog(call) {
      lastRequest = call.request;
      if (call.request.gtid_set === 'follow') {
        // Never ends by itself: the client must cancel it.
        followCancelled = new Promise((resolve) => call.on('cancelled', resolve));
        call.write({ events: [{ heartbeat: { position: pos(1) } }] });
        return;
      }
      const script = call.request.start === 'snapshot' ? SCRIPTS.snapshot : SCRIPTS.status;
      for (const events of script) call.write({ events });
      call.end();
    },
  });
  const port = await new Promise((resolve, reject) => server.bindAsync(
    '127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  target = `127.0.0.1:${port}`;
});

after(() => server.forceShutdown());

test('snapshot start: request, rows, progress and the stored token', async () => {
  const db = new Client(target, { token: 't' });
  const stream = db.changes({ snapshot: ['shop.*', 'crm.users'], progressRows: 500, untilNow: true });
  assert.ok(stream instanceof ChangeStream);
  const events = [];
  const tokens = [];
  for await (const ev of stream) {
    events.push(ev);
    tokens.push(stream.lastResumeToken);
  }
  db.close();
  assert.equal(lastRequest.start, 'snapshot');
  assert.deepEqual(lastRequest.snapshot.tables, ['shop.*', 'crm.users']);
  assert.equal(lastRequest.snapshot.progress_rows, 500);
  assert.deepEqual(events.map((e) => (e.type === 'snapshot' ? e.phase : e.type === 'row' ? e.kind : e.type)),
    ['started', 'table_started', 'snapshot', 'snapshot', 'chunk', 'snapshot', 'table_done', 'done',
      'begin', 'insert', 'commit']);
  assert.deepEqual(events[0], {
    type: 'snapshot', phase: 'started', schema: '', table: '', rows: 0,
    position: { file: 'mysql-bin.000001', position: 400 }, gtidState: '0-1-9', resumeToken: '', restarted: false,
  });
  assert.deepEqual(events[2], {
    type: 'row', kind: 'snapshot', schema: 'shop', table: 'orders', before: null,
    after: { id: 1, v: 'a' }, primaryKey: ['id'],
  });
  assert.equal(events[4].rows, 2);
  assert.deepEqual(tokens, [null, null, null, null, 'chunk-2', 'chunk-2', 'table-done', 'done', 'done', 'done',
    'commit-1']);
});

test('snapshot of every table, and bad combinations', async () => {
  const db = new Client(target);
  for await (const ev of db.changes({ snapshot: true, untilNow: true })) void ev;
  assert.equal(lastRequest.start, 'snapshot');
  assert.deepEqual(lastRequest.snapshot.tables, []);
  assert.equal(lastRequest.snapshot.progress_rows, 0);
  assert.throws(() => db.changes({ snapshot: true, resumeToken: 'x' }), TypeError);
  assert.throws(() => db.changes({ progressRows: 10 }), TypeError);
  assert.throws(() => db.changes({ snapshot: true, progressRows: 0 }), TypeError);
  db.close();
});

test('status events go to onStatus, and are yielded only with statusEvents', async () => {
  const db = new Client(target);
  const seen = [];
  const stream = db.changes({ gtidSet: '0-1-1', onStatus: (s) => seen.push(s) });
  const types = [];
  for await (const ev of stream) types.push(ev.type);
  assert.deepEqual(types, ['begin', 'commit']);
  assert.deepEqual(seen.map((s) => [s.state, s.message, s.attempt]),
    [['reconnecting', 'connection reset', 1], ['reconnecting', 'connection refused', 2], ['resumed', '', 0]]);
  assert.deepEqual(seen[2].position, { file: 'mysql-bin.000001', position: 120 });
  assert.equal(stream.status, seen[2]);
  assert.equal(stream.lastResumeToken, 'c');

  const yielded = [];
  for await (const ev of db.changes({ gtidSet: '0-1-1', statusEvents: true })) yielded.push(ev.type);
  assert.deepEqual(yielded, ['begin', 'status', 'status', 'status', 'commit']);
  db.close();
});

test('cancel() ends a pending iteration of a follow stream', async () => {
  const db = new Client(target);
  const stream = db.changes({ gtidSet: 'follow' });
  const first = await stream.next();
  assert.equal(first.value.type, 'heartbeat');
  const pending = stream.next();
  await new Promise((r) => setTimeout(r, 50));
  stream.cancel();
  assert.deepEqual(await pending, { value: undefined, done: true });
  await followCancelled;
  db.close();
});
