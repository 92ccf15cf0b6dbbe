'use strict';
// Conversion between JS values and mysqlgw.v1.Value (proto/mysqlgw/v1/value.proto).
//
// Results (fromValue):
//   NULL                    -> null
//   int64 / uint64          -> Number when within Number.MIN/MAX_SAFE_INTEGER,
//                              else BigInt (so no integer ever loses precision)
//   double / float          -> Number
//   decimal                 -> string, the exact text ("-12.3400")
//   string                  -> string
//   bytes                   -> Buffer
//   json                    -> string (the document's text; JSON.parse it)
//   date                    -> "YYYY-MM-DD"
//   datetime / timestamp    -> "YYYY-MM-DD HH:MM:SS" plus ".ffffff" when the
//                              microseconds are not zero
//   time                    -> "[-]HH:MM:SS[.ffffff]" (hours may exceed 23)
// Zero dates stay strings of zeros ("0000-00-00"), distinct from null.
//
// Parameters (toValue):
//   null / undefined -> NULL; boolean -> 1 / 0; integer Number -> int64;
//   other finite Number -> double; BigInt -> int64, or uint64 above int64;
//   string -> string; Buffer / Uint8Array -> bytes; Date -> datetime (its
//   UTC fields); new Decimal("1.50") -> decimal; new Json("{...}") -> json.

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);
const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);

/** A DECIMAL parameter, sent as its exact text. */
class Decimal {
  constructor(text) {
    text = String(text);
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text)) {
      throw new TypeError(`not a decimal number: ${JSON.stringify(text)}`);
    }
    this.text = text;
  }
  toString() { return this.text; }
}

/** A JSON parameter: a document's text (or any value, serialized). */
class Json {
  constructor(textOrValue) {
    this.text = typeof textOrValue === 'string' ? textOrValue : JSON.stringify(textOrValue);
  }
  toString() { return this.text; }
}

/** A 64-bit integer (decimal string, BigInt, Long or Number) as Number or BigInt. */
function toInteger(x) {
  const n = BigInt(typeof x === 'object' && x !== null ? x.toString() : x);
  return n <= SAFE_MAX && n >= SAFE_MIN ? Number(n) : n;
}

const pad = (n, w = 2) => String(n).padStart(w, '0');
const frac = (us) => (us ? '.' + pad(us, 6) : '');

function formatDate(d) {
  return `${pad(d.year || 0, 4)}-${pad(d.month || 0)}-${pad(d.day || 0)}`;
}
function formatDateTime(d) {
  return `${formatDate(d)} ${pad(d.hour || 0)}:${pad(d.minute || 0)}:${pad(d.second || 0)}` +
    frac(d.microsecond || 0);
}
function formatTime(t) {
  return `${t.negative ? '-' : ''}${pad(t.hours || 0)}:${pad(t.minute || 0)}:` +
    `${pad(t.second || 0)}${frac(t.microsecond || 0)}`;
}

/** A decoded mysqlgw.v1.Value (proto-loader object, oneofs: true) as a JS value. */
function fromValue(v) {
  if (v == null) return null;
  switch (v.kind) {
    case undefined:
    case null:
    case 'null': return null;
    case 'int64':
    case 'uint64': return toInteger(v[v.kind]);
    case 'double':
    case 'float': return Number(v[v.kind]);
    case 'decimal':
    case 'string':
    case 'json': return v[v.kind];
    case 'bytes': return Buffer.from(v.bytes);
    case 'date': return formatDate(v.date);
    case 'datetime': return formatDateTime(v.datetime);
    case 'time': return formatTime(v.time);
    default: throw new Error(`unknown mysqlgw value kind ${v.kind}`);
  }
}

/** A JS value as a mysqlgw.v1.Value object for proto-loader to encode. */
function toValue(x) {
  if (x === null || x === undefined) return { null: 'NULL_VALUE' };
  switch (typeof x) {
    case 'boolean': return { int64: x ? '1' : '0' };
    case 'number':
      if (!Number.isFinite(x)) throw new RangeError(`${x} cannot be stored by MySQL`);
      if (Number.isInteger(x)) {
        if (!Number.isSafeInteger(x)) {
          throw new RangeError(`${x} is not a safe integer; pass a BigInt`);
        }
        return { int64: String(x) };
      }
      return { double: x };
    case 'bigint':
      if (x >= INT64_MIN && x <= INT64_MAX) return { int64: x.toString() };
      if (x > INT64_MAX && x <= UINT64_MAX) return { uint64: x.toString() };
      throw new RangeError(`${x} is outside the int64 and uint64 ranges`);
    case 'string': return { string: x };
    default: break;
  }
  if (x instanceof Decimal) return { decimal: x.text };
  if (x instanceof Json) return { json: x.text };
  if (Buffer.isBuffer(x) || x instanceof Uint8Array) return { bytes: Buffer.from(x) };
  if (x instanceof Date) {
    if (Number.isNaN(x.getTime())) throw new RangeError('invalid Date');
    return {
      datetime: {
        year: x.getUTCFullYear(), month: x.getUTCMonth() + 1, day: x.getUTCDate(),
        hour: x.getUTCHours(), minute: x.getUTCMinutes(), second: x.getUTCSeconds(),
        microsecond: x.getUTCMilliseconds() * 1000,
      },
    };
  }
  throw new TypeError(`unsupported parameter type: ${Object.prototype.toString.call(x)}`);
}

/** Positional (array) or named (plain object) parameters as request fields. */
function toParams(params) {
  if (params == null) return {};
  if (Array.isArray(params)) return { params: params.map(toValue) };
  if (typeof params === 'object') {
    const named = {};
    for (const [k, v] of Object.entries(params)) named[k.replace(/^:/, '')] = toValue(v);
    return { named_params: named };
  }
  throw new TypeError('params must be an array or a plain object');
}

module.exports = { Decimal, Json, fromValue, toValue, toParams, toInteger };
