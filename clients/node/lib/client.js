'use strict';
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const { fromValue, toParams, toInteger } = require('./values');

// The repository's proto/ folder (this client is used from the source tree).
const PROTO_ROOT = path.resolve(__dirname, '..', '..', '..', 'proto');
const LOCAL_PROTO = path.resolve(__dirname, '..', 'proto');

const LOADER_OPTIONS = {
  keepCase: true,
  longs: String,
  enums: String,
  bytes: Buffer,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT, LOCAL_PROTO],
};

let loaded = null;
function protos() {
  if (!loaded) {
    const def = protoLoader.loadSync(
      ['mysqlgw/v1/gateway.proto', 'mysqlgw/v1/binlog.proto', 'decoders.proto'],
      LOADER_OPTIONS);
    const pkg = grpc.loadPackageDefinition(def);
    const decoders = def['mysqlgw.node.internal.Decoders'];
    loaded = {
      Gateway: pkg.mysqlgw.v1.Gateway,
      ChangeStream: pkg.mysqlgw.v1.ChangeStream,
      decodeStatus: decoders.Status.responseDeserialize,
      decodeMySqlError: decoders.MySqlError.responseDeserialize,
    };
  }
  return loaded;
}

const CODE_NAMES = Object.fromEntries(
  Object.entries(grpc.status).filter(([, v]) => typeof v === 'number').map(([k, v]) => [v, k]));
const MYSQL_ERROR_TYPE = 'type.googleapis.com/mysqlgw.v1.MySqlError';

/**
 * A failed call as an Error with `code` (gRPC status name, e.g.
 * "ALREADY_EXISTS"), `grpcCode` (its number), and, when the database produced
 * the error, `mysqlErrno` (e.g. 1062) and `sqlState` (e.g. "23000").
 */
class GatewayError extends Error {
  constructor(message, { code, grpcCode, mysqlErrno = null, sqlState = null, cause } = {}) {
    super(message, cause ? { cause } : undefined);
    this.name = 'GatewayError';
    this.code = code;
    this.grpcCode = grpcCode;
    this.mysqlErrno = mysqlErrno;
    this.sqlState = sqlState;
  }
}

/** MySqlError fields from a grpc-status-details-bin trailer value, or null. */
function decodeStatusDetails(buf) {
  if (!buf) return null;
  const { decodeStatus, decodeMySqlError } = protos();
  let status;
  try {
    status = decodeStatus(Buffer.from(buf));
  } catch {
    return null;
  }
  for (const any of status.details || []) {
    if (any.type_url === MYSQL_ERROR_TYPE || any.type_url.endsWith('/mysqlgw.v1.MySqlError')) {
      try {
        return decodeMySqlError(Buffer.from(any.value));
      } catch {
        return null;
      }
    }
  }
  return null;
}

function toGatewayError(err) {
  if (err instanceof GatewayError || typeof err?.code !== 'number') return err;
  const trailer = err.metadata?.get?.('grpc-status-details-bin')?.[0];
  const detail = decodeStatusDetails(trailer);
  return new GatewayError(err.details || err.message, {
    code: CODE_NAMES[err.code] || String(err.code),
    grpcCode: err.code,
    mysqlErrno: detail ? detail.code : null,
    sqlState: detail ? detail.sql_state : null,
    cause: err,
  });
}

function outcomeFromProto(o) {
  o = o || {};
  return {
    affectedRows: toInteger(o.affected_rows || '0'),
    lastInsertId: toInteger(o.last_insert_id || '0'),
    warnings: o.warnings || 0,
    serverStatus: o.server_status || 0,
    info: o.info || '',
  };
}

function columnFromProto(c) {
  return {
    name: c.name, orgName: c.org_name, table: c.table, orgTable: c.org_table,
    schema: c.schema, type: c.type, typeName: c.type_name, nullable: c.nullable,
    unsigned: c.unsigned, binary: c.binary, decimals: c.decimals,
  };
}

function resultSetFromProto(rs) {
  return {
    columns: (rs.columns || []).map(columnFromProto),
    rows: (rs.rows || []).map((r) => (r.values || []).map(fromValue)),
    outcome: outcomeFromProto(rs.outcome),
  };
}

function durationFromMs(ms) {
  const seconds = Math.floor(ms / 1000);
  return { seconds: String(seconds), nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

function timestampToDate(ts) {
  if (!ts) return null;
  return new Date(Number(ts.seconds) * 1000 + Math.floor((ts.nanos || 0) / 1e6));
}

function positionFromProto(p) {
  return p ? { file: p.file, position: toInteger(p.position || '0') } : null;
}

const ISOLATION = {
  'read uncommitted': 'ISOLATION_LEVEL_READ_UNCOMMITTED',
  'read committed': 'ISOLATION_LEVEL_READ_COMMITTED',
  'repeatable read': 'ISOLATION_LEVEL_REPEATABLE_READ',
  serializable: 'ISOLATION_LEVEL_SERIALIZABLE',
};
const KINDS = { insert: 'CHANGE_KIND_INSERT', update: 'CHANGE_KIND_UPDATE', delete: 'CHANGE_KIND_DELETE' };
const KIND_NAMES = {
  CHANGE_KIND_INSERT: 'insert', CHANGE_KIND_UPDATE: 'update', CHANGE_KIND_DELETE: 'delete',
  CHANGE_KIND_SNAPSHOT: 'snapshot',
};
const PHASE_NAMES = {
  PHASE_STARTED: 'started', PHASE_TABLE_STARTED: 'table_started', PHASE_CHUNK: 'chunk',
  PHASE_TABLE_DONE: 'table_done', PHASE_DONE: 'done',
};
const STATE_NAMES = { STATE_RECONNECTING: 'reconnecting', STATE_RESUMED: 'resumed' };

class Client {
  /**
   * @param {string} target host:port of the gateway
   * @param {object} [options]
   * @param {string} [options.token] sent as `authorization: Bearer <token>`
   * @param {grpc.ChannelCredentials} [options.credentials] default: insecure
   * @param {number} [options.timeoutMs] default deadline of every call
   * @param {string} [options.database] default database of every statement
   */
  constructor(target = '127.0.0.1:50051', options = {}) {
    const { Gateway, ChangeStream } = protos();
    const creds = options.credentials || grpc.credentials.createInsecure();
    this._gateway = new Gateway(target, creds);
    this._changes = new ChangeStream(target, creds, { channelOverride: this._gateway.getChannel() });
    this._token = options.token;
    this._timeoutMs = options.timeoutMs;
    this._database = options.database || '';
  }

  _metadata() {
    const md = new grpc.Metadata();
    if (this._token) md.set('authorization', `Bearer ${this._token}`);
    return md;
  }

  _callOptions(opts = {}) {
    const ms = opts.timeoutMs ?? this._timeoutMs;
    return ms ? { deadline: new Date(Date.now() + ms) } : {};
  }

  _unary(method, request, opts) {
    return new Promise((resolve, reject) => {
      this._gateway[method](request, this._metadata(), this._callOptions(opts), (err, res) => {
        if (err) reject(toGatewayError(err));
        else resolve(res);
      });
    });
  }

  _statement(sql, params, opts = {}, transactionId = '') {
    const options = {
      database: opts.database ?? this._database,
      idempotent: !!opts.idempotent,
    };
    if (opts.maxRows) options.max_rows = String(opts.maxRows);
    if (opts.maxBytes) options.max_bytes = String(opts.maxBytes);
    if (opts.statementTimeoutMs) options.timeout = durationFromMs(opts.statementTimeoutMs);
    if (opts.parameterMode) {
      options.parameter_mode = `PARAMETER_MODE_${String(opts.parameterMode).toUpperCase()}`;
    }
    return { sql, ...toParams(params), options, transaction_id: transactionId };
  }

  /** Runs a statement; resolves to {results: [{columns, rows, outcome}]}. */
  async query(sql, params, opts = {}) {
    const res = await this._unary('Query', this._statement(sql, params, opts, opts.transactionId), opts);
    return { results: (res.results || []).map(resultSetFromProto) };
  }

  /** Runs a statement without rows; resolves to its outcome. */
  async execute(sql, params, opts = {}) {
    const res = await this._unary('Execute', this._statement(sql, params, opts, opts.transactionId), opts);
    return outcomeFromProto(res.outcome);
  }

  /**
   * Begins a transaction pinned to one backend connection.
   * @param {object} [opts] isolation ("read committed", ...), readOnly,
   *   database, idleTimeoutMs
   */
  async beginTransaction(opts = {}) {
    const req = {
      isolation: opts.isolation ? ISOLATION[String(opts.isolation).toLowerCase()] : undefined,
      read_only: !!opts.readOnly,
      database: opts.database ?? this._database,
    };
    if (opts.isolation && !req.isolation) throw new TypeError(`unknown isolation ${opts.isolation}`);
    if (opts.idleTimeoutMs) req.idle_timeout = durationFromMs(opts.idleTimeoutMs);
    const res = await this._unary('BeginTransaction', req, opts);
    return new Transaction(this, res.transaction_id);
  }

  /**
   * Streams committed changes from the binlog. Returns a ChangeStream, an
   * async iterable (and iterator) of events:
   *   {type: 'begin', gtid, timestamp}
   *   {type: 'row', kind: 'insert'|'update'|'delete'|'snapshot', schema,
   *    table, before, after, primaryKey}   (before/after: objects keyed by
   *    column name, or null; columns the server did not log are left out;
   *    'snapshot' rows come from a snapshot start, values in `after`)
   *   {type: 'ddl', schema, statement}
   *   {type: 'commit', gtid, timestamp, resumeToken, position: {file, position}}
   *   {type: 'heartbeat', position}
   *   {type: 'snapshot', phase, schema, table, rows, position, gtidState,
   *    resumeToken, restarted}   (snapshot starts only)
   *   {type: 'status', state: 'reconnecting'|'resumed', message, attempt,
   *    position}   (only with statusEvents: true; see onStatus)
   * Start: gtidSet, resumeToken, snapshot (an array of "schema.table" globs,
   * a string, or true for every table; progressRows), start: 'now' (the
   * default) or 'earliest'.
   * untilNow: end at the end of the log as it was when the stream began
   * (otherwise follow forever; `break` out of the loop or cancel() to stop).
   * Filters: includeTables, excludeTables ("schema.table" globs), kinds,
   * includeDdl, omitBeforeImages; heartbeatIntervalMs.
   * onStatus(status): called when the gateway reconnects to the database
   * (state 'reconnecting') and reads again ('resumed').
   */
  changes(opts = {}) {
    const req = { mode: opts.untilNow ? 'MODE_UNTIL_NOW' : 'MODE_FOLLOW' };
    const snapshot = opts.snapshot === false ? undefined : opts.snapshot;
    const starts = ['resumeToken', 'gtidSet', 'snapshot', 'start']
      .filter((k) => (k === 'snapshot' ? snapshot : opts[k]) != null);
    if (snapshot != null && starts.length > 1) throw new TypeError(`give at most one starting point, not ${starts.join(' and ')}`);
    if (opts.progressRows != null && snapshot == null) {
      throw new TypeError('progressRows applies only to a snapshot start');
    }
    const list = (x) => (x == null ? [] : Array.isArray(x) ? x : [x]);
    if (opts.resumeToken) req.resume_token = opts.resumeToken;
    else if (opts.gtidSet != null) req.gtid_set = opts.gtidSet;
    else if (snapshot != null) {
      req.snapshot = { tables: snapshot === true ? [] : list(snapshot).map(String) };
      if (opts.progressRows != null) {
        if (!(opts.progressRows >= 1)) throw new TypeError(`progressRows must be positive, not ${opts.progressRows}`);
        req.snapshot.progress_rows = opts.progressRows;
      }
    } else if (opts.start === 'earliest') req.earliest = true;
    else if (opts.start === undefined || opts.start === 'now') req.now = true;
    else throw new TypeError(`unknown start ${opts.start}`);
    req.filter = {
      include_tables: list(opts.includeTables),
      exclude_tables: list(opts.excludeTables),
      kinds: list(opts.kinds).map((k) => {
        if (!KINDS[k]) throw new TypeError(`unknown change kind ${k}`);
        return KINDS[k];
      }),
      include_ddl: !!opts.includeDdl,
    };
    req.omit_before_images = !!opts.omitBeforeImages;
    if (opts.heartbeatIntervalMs) req.heartbeat_interval = durationFromMs(opts.heartbeatIntervalMs);
    return new ChangeStream(this, req, opts);
  }

  /** Closes the channel. */
  close() {
    this._gateway.close();
  }
}

/**
 * The events of a StreamBinlog call, read lazily. Iterate it with
 * `for await`; it is also its own async iterator (next/return/throw).
 *
 * lastResumeToken: the resume token of the last commit, or of the last
 *   snapshot progress event that carries one, yielded (null before): store
 *   it with the effects applied so far and pass it as `resumeToken` to go on
 *   right after them.
 * status: the last status event (the gateway reconnecting or resumed), or
 *   null. cancel(): ends the call; a pending iteration then finishes.
 */
class ChangeStream {
  constructor(client, req, opts) {
    this.lastResumeToken = null;
    this.status = null;
    this._onStatus = typeof opts.onStatus === 'function' ? opts.onStatus : null;
    this._statusEvents = !!opts.statusEvents;
    this._call = null;
    this._cancelled = false;
    this._gen = this._run(client, req, opts);
  }

  async* _run(client, req, opts) {
    if (this._cancelled) return;
    const call = client._changes.StreamBinlog(req, client._metadata(), client._callOptions(opts));
    this._call = call;
    const schemas = new Map();
    let done = false;
    try {
      for await (const res of call) {
        for (const ev of res.events || []) {
          const out = changeEvent(ev, schemas);
          if (!out) continue;
          if (out.type === 'commit') {
            this.lastResumeToken = out.resumeToken;
          } else if (out.type === 'snapshot') {
            // CHUNK / TABLE_DONE / DONE mark a point to resume from, like a
            // commit; a CHUNK of a table without a key has none.
            if (out.resumeToken) this.lastResumeToken = out.resumeToken;
          } else if (out.type === 'status') {
            this.status = out;
            if (this._onStatus) this._onStatus(out);
            if (!this._statusEvents) continue;
          }
          yield out;
        }
      }
      done = true;
    } catch (err) {
      done = true;
      if (this._cancelled) return;
      throw toGatewayError(err);
    } finally {
      if (!done) call.cancel();
    }
  }

  cancel() {
    this._cancelled = true;
    if (this._call) this._call.cancel();
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  next() {
    return this._gen.next();
  }

  return(value) {
    this.cancel();
    return this._gen.return(value);
  }

  throw(err) {
    return this._gen.throw(err);
  }
}

function rowImage(image, schema) {
  if (!image) return null;
  const absent = new Set(image.absent || []);
  const out = {};
  (image.values || []).forEach((v, i) => {
    if (absent.has(i)) return;
    const col = schema.columns[i];
    out[col ? col.name : `#${i}`] = fromValue(v);
  });
  return out;
}

function changeEvent(ev, schemas) {
  switch (ev.event) {
    case 'table_schema': {
      const t = ev.table_schema;
      schemas.set(t.table_ref, {
        schema: t.schema, table: t.table, columns: t.columns || [],
        primaryKey: (t.primary_key || []).map((i) => t.columns[i].name),
      });
      return null;
    }
    case 'begin':
      return { type: 'begin', gtid: ev.begin.gtid, timestamp: timestampToDate(ev.begin.timestamp) };
    case 'row': {
      const r = ev.row;
      const s = schemas.get(r.table_ref);
      if (!s) throw new Error(`row change for unknown table_ref ${r.table_ref}`);
      return {
        type: 'row', kind: KIND_NAMES[r.kind] || r.kind, schema: s.schema, table: s.table,
        before: rowImage(r.before, s), after: rowImage(r.after, s), primaryKey: s.primaryKey,
      };
    }
    case 'ddl':
      return { type: 'ddl', schema: ev.ddl.schema, statement: ev.ddl.statement };
    case 'commit': {
      const c = ev.commit;
      return {
        type: 'commit', gtid: c.gtid, timestamp: timestampToDate(c.timestamp),
        resumeToken: c.resume_token, position: positionFromProto(c.position),
      };
    }
    case 'heartbeat':
      return { type: 'heartbeat', position: positionFromProto(ev.heartbeat.position) };
    case 'snapshot': {
      const p = ev.snapshot;
      const phase = PHASE_NAMES[p.phase];
      if (!phase) return null; // a phase newer than this client
      return {
        type: 'snapshot', phase, schema: p.schema, table: p.table, rows: toInteger(p.rows || '0'),
        position: positionFromProto(p.position), gtidState: p.gtid_state,
        resumeToken: p.resume_token, restarted: !!p.restarted,
      };
    }
    case 'status': {
      const st = ev.status;
      const state = STATE_NAMES[st.state];
      if (!state) return null;
      return {
        type: 'status', state, message: st.message, attempt: st.attempt,
        position: positionFromProto(st.position),
      };
    }
    default:
      return null;
  }
}

class Transaction {
  constructor(client, id) {
    this._client = client;
    this.id = id;
  }
  query(sql, params, opts = {}) {
    return this._client.query(sql, params, { ...opts, transactionId: this.id });
  }
  execute(sql, params, opts = {}) {
    return this._client.execute(sql, params, { ...opts, transactionId: this.id });
  }
  async commit() {
    await this._client._unary('Commit', { transaction_id: this.id });
  }
  async rollback() {
    await this._client._unary('Rollback', { transaction_id: this.id });
  }
}

module.exports = {
  Client, Transaction, ChangeStream, GatewayError, decodeStatusDetails, toGatewayError, changeEvent,
};
