'use strict';
// The real gateway binary with its MySQL-protocol listener, in front of a
// MariaDB: the one in MYSQLGW_TEST_DSN (run_tests.sh starts one sandbox for
// every test file) or, when unset, a sandbox of this process's own.
//
// Principals (MySQL user / password), both limited to the test database:
//   app     / app-pw      read, write, ddl; mysql_native_password hash only
//   reader  / reader-pw   read;             caching_sha2_password hash only
//
// Environment:
//   MYSQLGW_BINARY    the gateway (default ROOT/bazel-bin/server/gateway/mysqlgw)
//   MYSQLGW_TEST_DSN  mysql://user:password@host:port/db of a running server
const { spawn, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..', '..', '..', '..');
const PASSWORD_ENV = 'MYSQLGW_LISTENER_NODE_BACKEND_PASSWORD';
const APP = { user: 'app', password: 'app-pw' };
const READER = { user: 'reader', password: 'reader-pw' };

function sha1(data) {
  return crypto.createHash('sha1').update(data).digest();
}

function sha256(data) {
  return crypto.createHash('sha256').update(data).digest();
}

/** "*" + hex SHA1(SHA1(password)), upper-case, as MySQL shows it. */
function nativeHash(password) {
  return `*${sha1(sha1(password)).toString('hex').toUpperCase()}`;
}

/** hex SHA256(SHA256(password)). */
function cachingSha2Hash(password) {
  return sha256(sha256(password)).toString('hex');
}

function findBinary() {
  const bin = process.env.MYSQLGW_BINARY || path.join(ROOT, 'bazel-bin', 'server', 'gateway', 'mysqlgw');
  try {
    fs.accessSync(bin, fs.constants.X_OK);
  } catch {
    throw new Error(`gateway binary ${bin} is not executable (set MYSQLGW_BINARY or bazel build //server/gateway:mysqlgw)`);
  }
  return bin;
}

function parseDsn(dsn) {
  const u = new URL(dsn);
  return {
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 3306),
    database: u.pathname.replace(/^\//, '') || 'mysqlgw_test',
  };
}

function startDatabase(work, state) {
  if (process.env.MYSQLGW_TEST_DSN) return parseDsn(process.env.MYSQLGW_TEST_DSN);
  const dir = path.join(work, 'sandbox');
  // --watch-pid: the sandbox goes away with this process even if stop() never runs.
  const dsn = execFileSync(path.join(ROOT, 'scripts', 'mysql-sandbox'),
    ['start', '--dir', dir, '--no-state', '--watch-pid', String(process.pid)],
    { stdio: ['ignore', 'pipe', 'inherit'] }).toString().trim();
  state.sandboxDir = dir;
  return parseDsn(dsn);
}

// A self-signed certificate for the listener's TLS and an RSA key pair for
// caching_sha2_password full authentication over plain TCP.
function makeKeys(work) {
  const keys = {
    cert: path.join(work, 'cert.pem'),
    key: path.join(work, 'key.pem'),
    rsa: path.join(work, 'rsa.pem'),
    rsaPublic: path.join(work, 'rsa-public.pem'),
  };
  const quiet = { stdio: ['ignore', 'ignore', 'pipe'] };
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keys.key,
    '-out', keys.cert, '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1'], quiet);
  execFileSync('openssl', ['genrsa', '-out', keys.rsa, '2048'], quiet);
  execFileSync('openssl', ['rsa', '-in', keys.rsa, '-pubout', '-out', keys.rsaPublic], quiet);
  return keys;
}

function indent(text, spaces) {
  const pad = ' '.repeat(spaces);
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => pad + l).join('\n');
}

function config(db, keys, opts) {
  const dsn = `mysql://${encodeURIComponent(db.user)}@${db.host}:${db.port}/${db.database}?ssl-mode=disabled`;
  return `listen:
  address: "127.0.0.1:0"
io_threads: 2
shutdown_grace_period: "3s"
backends:
  - name: primary
    dsn: "${dsn}"
    password_env: ${PASSWORD_ENV}
    pool:
      max_open: 8
mysql_listener:
  address: "127.0.0.1:0"
  default_auth_plugin: ${opts.defaultAuthPlugin || 'mysql_native_password'}
  rsa_private_key_file: "${keys.rsa}"
  tls:
    cert_file: "${keys.cert}"
    key_file: "${keys.key}"
auth:
  principals:
    - name: app
      databases: ["${db.database}"]
      operations: [read, write, ddl]
      mysql_native_password_hash: "${nativeHash(APP.password)}"
    - name: reader
      databases: ["${db.database}"]
      operations: [read]
      mysql_caching_sha2_password_hash: "${cachingSha2Hash(READER.password)}"
interception:
${opts.interception ? indent(opts.interception, 2) : '  {}'}
`;
}

async function waitForPort(file, proc, log) {
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`the gateway exited (${proc.exitCode ?? proc.signalCode}):\n${log()}`);
    }
    try {
      const text = fs.readFileSync(file, 'utf8');
      if (text.endsWith('\n') && Number(text) > 0) return Number(text);
    } catch { /* not written yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the gateway did not start within 60 s:\n${log()}`);
}

/**
 * Starts a sandbox (unless MYSQLGW_TEST_DSN) and the gateway.
 * opts: { defaultAuthPlugin, interception (YAML under `interception:`) }.
 * Resolves to { port, database, keys, connectOptions(principal, extra), log(), stop() }.
 */
async function startGateway(opts = {}) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mysqlgw-listener-node.'));
  const state = {};
  const logPath = path.join(work, 'gateway.log');
  const log = () => {
    try {
      return fs.readFileSync(logPath, 'utf8').slice(-8000);
    } catch {
      return '';
    }
  };
  const stop = async () => {
    const proc = state.gateway;
    state.gateway = null;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15000);
      await exited;
      clearTimeout(timer);
    }
    if (state.sandboxDir) {
      execFileSync(path.join(ROOT, 'scripts', 'mysql-sandbox'), ['stop', '--dir', state.sandboxDir],
        { stdio: ['ignore', 'ignore', 'inherit'] });
      state.sandboxDir = null;
    }
    fs.rmSync(work, { recursive: true, force: true });
  };
  try {
    const db = startDatabase(work, state);
    const keys = makeKeys(work);
    const configPath = path.join(work, 'gateway.yaml');
    fs.writeFileSync(configPath, config(db, keys, opts));
    const grpcPortFile = path.join(work, 'grpc.port');
    const mysqlPortFile = path.join(work, 'mysql.port');
    const out = fs.openSync(logPath, 'w');
    const proc = spawn(findBinary(), [`--config=${configPath}`, `--port_file=${grpcPortFile}`,
      `--mysql_port_file=${mysqlPortFile}`], {
      env: { ...process.env, [PASSWORD_ENV]: db.password }, stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    state.gateway = proc;
    // The MySQL port file is written before the gRPC one.
    await waitForPort(grpcPortFile, proc, log);
    const port = Number(fs.readFileSync(mysqlPortFile, 'utf8'));
    if (!(port > 0)) throw new Error(`no MySQL port written:\n${log()}`);
    const connectOptions = (principal, extra = {}) => ({
      host: '127.0.0.1', port, user: principal.user, password: principal.password,
      database: db.database, connectTimeout: 10000, ...extra,
    });
    return { port, database: db.database, keys, connectOptions, log, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

module.exports = { startGateway, nativeHash, cachingSha2Hash, APP, READER, ROOT };
