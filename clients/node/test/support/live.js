'use strict';
// Starts a sandbox MariaDB (scripts/mysql-sandbox) and the real gateway binary
// with a YAML config holding one principal, as clients/python/tests/test_live.py
// does. Environment:
//   MYSQLGW_BINARY    the gateway binary (default ROOT/bazel-bin/server/gateway/mysqlgw)
//   MYSQLGW_TEST_DSN  mysql://user:password@host:port/db of an existing server
//                     instead of a sandbox
const { spawn, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const PASSWORD_ENV = 'MYSQLGW_NODETEST_BACKEND_PASSWORD';

function findBinary() {
  const bin = process.env.MYSQLGW_BINARY || path.join(ROOT, 'bazel-bin', 'server', 'gateway', 'mysqlgw');
  try {
    fs.accessSync(bin, fs.constants.X_OK);
  } catch {
    throw new Error(`gateway binary ${bin} is not executable (set MYSQLGW_BINARY or bazel build //server/gateway:mysqlgw)`);
  }
  return bin;
}

function startDatabase(work, state) {
  const dsn = process.env.MYSQLGW_TEST_DSN;
  if (dsn) {
    const u = new URL(dsn);
    return {
      user: decodeURIComponent(u.username), password: decodeURIComponent(u.password),
      host: u.hostname || '127.0.0.1', port: Number(u.port || 3306),
      database: u.pathname.replace(/^\//, '') || 'mysqlgw_test',
    };
  }
  const dir = path.join(work, 'sandbox');
  execFileSync(path.join(ROOT, 'scripts', 'mysql-sandbox'),
    ['start', '--dir', dir, '--no-state', '--watch-pid', String(process.pid)],
    { stdio: ['ignore', 'ignore', 'inherit'] });
  state.sandboxDir = dir;
  const out = execFileSync('bash', ['-c', 'set -a; . "$1"; env -0', 'bash', path.join(dir, 'sandbox.env')]);
  const env = {};
  for (const item of out.toString().split('\0')) {
    const i = item.indexOf('=');
    if (i > 0 && item.startsWith('MYSQLGW_SANDBOX_')) env[item.slice(16, i)] = item.slice(i + 1);
  }
  return {
    user: env.USER, password: env.PASSWORD, host: env.HOST, port: Number(env.PORT), database: env.DATABASE,
  };
}

async function startGateway(work, state, db, tokens) {
  const sha = (t) => crypto.createHash('sha256').update(t).digest('hex');
  const config = path.join(work, 'gateway.yaml');
  fs.writeFileSync(config, `io_threads: 2
auth:
  principals:
    - name: node-tests
      token_sha256: ["${sha(tokens.token)}"]
      databases: ["*"]
      operations: [read, write, ddl, binlog, admin]
`);
  const portFile = path.join(work, 'gateway.port');
  const logPath = path.join(work, 'gateway.log');
  const log = fs.openSync(logPath, 'w');
  const dsn = `mysql://${encodeURIComponent(db.user)}@${db.host}:${db.port}/${db.database}?ssl-mode=disabled`;
  const proc = spawn(findBinary(), [`--config=${config}`, `--backend_dsn=${dsn}`,
    `--backend_password_env=${PASSWORD_ENV}`, '--listen=127.0.0.1:0', `--port_file=${portFile}`], {
    env: { ...process.env, [PASSWORD_ENV]: db.password }, stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  state.gateway = proc;
  state.gatewayLog = logPath;
  let exited = null;
  proc.on('exit', (code, signal) => { exited = code ?? signal; });
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`the gateway exited (${exited}):\n${gatewayLog(state)}`);
    try {
      const text = fs.readFileSync(portFile, 'utf8');
      if (text.endsWith('\n') && Number(text) > 0) return Number(text);
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the gateway did not start within 60 s:\n${gatewayLog(state)}`);
}

function gatewayLog(state) {
  try {
    return fs.readFileSync(state.gatewayLog, 'utf8').slice(-8000);
  } catch {
    return '';
  }
}

/** Starts everything; resolves to {target, token, database, stop()}. */
async function startLive() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mysqlgw-nodelive.'));
  const state = {};
  const token = `node-client-test-token-${crypto.randomUUID()}`;
  const stop = async () => {
    const proc = state.gateway;
    state.gateway = null;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 30000);
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
    const port = await startGateway(work, state, db, { token });
    return { target: `127.0.0.1:${port}`, token, database: db.database, stop, log: () => gatewayLog(state) };
  } catch (err) {
    await stop();
    throw err;
  }
}

module.exports = { startLive, ROOT };
