'use strict';
// Logging in with mysql2's two password plugins. Two gateways: one announcing
// mysql_native_password (the reader, with only a SHA-256 hash, is switched to
// caching_sha2_password), one announcing caching_sha2_password (the app, with
// only a native hash, needs full authentication: the RSA public key over
// plain TCP, the clear password over TLS).
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const mysql = require('mysql2/promise');
const { startGateway, APP, READER } = require('./support/gateway');
const { tapStream, handshakePackets, pluginName } = require('./support/wire');

let nativeGw;
let sha2Gw;

before(async () => {
  nativeGw = await startGateway({ defaultAuthPlugin: 'mysql_native_password' });
  sha2Gw = await startGateway({ defaultAuthPlugin: 'caching_sha2_password' });
}, { timeout: 120000 });

after(async () => {
  if (nativeGw) await nativeGw.stop();
  if (sha2Gw) await sha2Gw.stop();
}, { timeout: 60000 });

// Logs in with a tapped socket; resolves to the connection and the server's
// handshake packets.
async function loginTapped(gw, principal, extra = {}) {
  const tap = tapStream();
  const conn = await mysql.createConnection(gw.connectOptions(principal, { stream: tap.stream, ...extra }));
  return { conn, packets: handshakePackets(tap.bytes()) };
}

function kinds(packets) {
  return packets.map((p) => p.kind);
}

async function expectDenied(promise, user) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.errno, 1045, err.message);
    assert.equal(err.sqlState, '28000');
    assert.match(err.message, new RegExp(`Access denied for user '${user}'`));
    return true;
  });
}

function der(pem) {
  return crypto.createPublicKey(pem).export({ type: 'spki', format: 'der' });
}

test('native password: the app logs in without a switch', async () => {
  const { conn, packets } = await loginTapped(nativeGw, APP);
  try {
    assert.deepEqual(kinds(packets), ['greeting', 'ok']);
    assert.equal(pluginName(packets[0]), 'mysql_native_password');
    const [rows] = await conn.query('SELECT 40 + 2 AS v');
    assert.deepEqual(rows, [{ v: 42 }]);
  } finally {
    await conn.end();
  }
});

test('caching_sha2: the reader is switched and passes the fast path', async () => {
  const { conn, packets } = await loginTapped(nativeGw, READER);
  try {
    assert.deepEqual(kinds(packets), ['greeting', 'switch', 'more', 'ok']);
    assert.equal(pluginName(packets[1]), 'caching_sha2_password');
    // AuthMoreData 0x03: fast authentication succeeded (no RSA key needed).
    assert.deepEqual([...packets[2].payload], [0x01, 0x03]);
    const [rows] = await conn.query('SELECT 7 AS v');
    assert.deepEqual(rows, [{ v: 7 }]);
    // It is the read-only principal that logged in.
    await assert.rejects(conn.query('CREATE TABLE node_auth_nope (id INT)'), { errno: 1142 });
  } finally {
    await conn.end();
  }
});

test('caching_sha2 over TLS with the self-signed certificate', async () => {
  const conn = await mysql.createConnection(nativeGw.connectOptions(READER, {
    ssl: { ca: fs.readFileSync(nativeGw.keys.cert) },
  }));
  try {
    assert.match(conn.connection.stream.getProtocol(), /^TLSv1\.[23]$/);
    const [rows] = await conn.query("SELECT 'over tls' AS v");
    assert.deepEqual(rows, [{ v: 'over tls' }]);
  } finally {
    await conn.end();
  }
});

test('caching_sha2 default: the reader passes the fast path directly', async () => {
  const { conn, packets } = await loginTapped(sha2Gw, READER);
  try {
    assert.equal(pluginName(packets[0]), 'caching_sha2_password');
    assert.deepEqual(kinds(packets), ['greeting', 'more', 'ok']);
    assert.deepEqual([...packets[1].payload], [0x01, 0x03]);
    const [rows] = await conn.query('SELECT 8 AS v');
    assert.deepEqual(rows, [{ v: 8 }]);
  } finally {
    await conn.end();
  }
});

test('caching_sha2 full authentication with the RSA public key', async () => {
  const { conn, packets } = await loginTapped(sha2Gw, APP);
  try {
    // 0x04: perform full authentication; mysql2 asks for the key (0x02)
    // and the server answers with the PEM of the configured private key.
    assert.deepEqual(kinds(packets), ['greeting', 'more', 'more', 'ok']);
    assert.deepEqual([...packets[1].payload], [0x01, 0x04]);
    const pem = packets[2].payload.subarray(1).toString();
    assert.match(pem, /^-----BEGIN PUBLIC KEY-----/);
    assert.deepEqual(der(pem), der(fs.readFileSync(sha2Gw.keys.rsaPublic)));
    const [rows] = await conn.query('SELECT 9 AS v');
    assert.deepEqual(rows, [{ v: 9 }]);
  } finally {
    await conn.end();
  }
});

test('caching_sha2 full authentication over TLS', async () => {
  const conn = await mysql.createConnection(sha2Gw.connectOptions(APP, {
    ssl: { ca: fs.readFileSync(sha2Gw.keys.cert) },
  }));
  try {
    assert.match(conn.connection.stream.getProtocol(), /^TLSv1\.[23]$/);
    const [rows] = await conn.query('SELECT 10 AS v');
    assert.deepEqual(rows, [{ v: 10 }]);
  } finally {
    await conn.end();
  }
});

test('wrong passwords and unknown users are refused with 1045', async () => {
  await expectDenied(mysql.createConnection(nativeGw.connectOptions({ user: 'app', password: 'nope' })), 'app');
  // A wrong fast-path scramble falls back to full authentication (RSA),
  // which refuses the decrypted password.
  await expectDenied(mysql.createConnection(nativeGw.connectOptions({ user: 'reader', password: 'nope' })), 'reader');
  await expectDenied(mysql.createConnection(sha2Gw.connectOptions({ user: 'app', password: 'nope' })), 'app');
  await expectDenied(mysql.createConnection(sha2Gw.connectOptions({ user: 'reader', password: 'nope' }, {
    ssl: { ca: fs.readFileSync(sha2Gw.keys.cert) },
  })), 'reader');
  await expectDenied(mysql.createConnection(nativeGw.connectOptions({ user: 'nobody', password: 'x' })), 'nobody');
  // The gateway survives the refusals.
  const conn = await mysql.createConnection(nativeGw.connectOptions(APP));
  const [rows] = await conn.query('SELECT 1 AS v');
  assert.deepEqual(rows, [{ v: 1 }]);
  await conn.end();
});
