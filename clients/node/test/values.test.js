'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const protoLoader = require('@grpc/proto-loader');
const { Decimal, Json, fromValue, toValue, decodeStatusDetails } = require('../lib');

test('integers: Number when safe, BigInt beyond', () => {
  assert.equal(fromValue({ kind: 'int64', int64: '42' }), 42);
  assert.equal(fromValue({ kind: 'int64', int64: '-9007199254740991' }), -9007199254740991);
  assert.equal(fromValue({ kind: 'int64', int64: '-9223372036854775808' }), -9223372036854775808n);
  assert.equal(fromValue({ kind: 'uint64', uint64: '9007199254740992' }), 9007199254740992n);
  assert.equal(fromValue({ kind: 'uint64', uint64: '18446744073709551615' }), 18446744073709551615n);
});

test('other kinds', () => {
  assert.equal(fromValue({ kind: 'null', null: 'NULL_VALUE' }), null);
  assert.equal(fromValue({ kind: 'double', double: 1.5 }), 1.5);
  assert.equal(fromValue({ kind: 'decimal', decimal: '-12.3400' }), '-12.3400');
  assert.equal(fromValue({ kind: 'string', string: 'hé' }), 'hé');
  assert.equal(fromValue({ kind: 'json', json: '{"a":1}' }), '{"a":1}');
  const b = fromValue({ kind: 'bytes', bytes: Buffer.from([0, 255]) });
  assert.ok(Buffer.isBuffer(b));
  assert.deepEqual([...b], [0, 255]);
});

test('dates and times as strings', () => {
  assert.equal(fromValue({ kind: 'date', date: { year: 2024, month: 2, day: 29 } }), '2024-02-29');
  assert.equal(fromValue({ kind: 'date', date: { year: 0, month: 0, day: 0 } }), '0000-00-00');
  assert.equal(fromValue({
    kind: 'datetime',
    datetime: { year: 2024, month: 2, day: 29, hour: 13, minute: 4, second: 5, microsecond: 0 },
  }), '2024-02-29 13:04:05');
  assert.equal(fromValue({
    kind: 'datetime',
    datetime: { year: 2024, month: 2, day: 29, hour: 13, minute: 4, second: 5, microsecond: 120 },
  }), '2024-02-29 13:04:05.000120');
  assert.equal(fromValue({
    kind: 'time', time: { negative: true, hours: 838, minute: 59, second: 59, microsecond: 0 },
  }), '-838:59:59');
  assert.equal(fromValue({
    kind: 'time', time: { negative: false, hours: 1, minute: 2, second: 3, microsecond: 500000 },
  }), '01:02:03.500000');
});

test('parameters', () => {
  assert.deepEqual(toValue(null), { null: 'NULL_VALUE' });
  assert.deepEqual(toValue(undefined), { null: 'NULL_VALUE' });
  assert.deepEqual(toValue(true), { int64: '1' });
  assert.deepEqual(toValue(7), { int64: '7' });
  assert.deepEqual(toValue(-1.25), { double: -1.25 });
  assert.deepEqual(toValue(-(2n ** 63n)), { int64: '-9223372036854775808' });
  assert.deepEqual(toValue(2n ** 64n - 1n), { uint64: '18446744073709551615' });
  assert.throws(() => toValue(2n ** 64n), RangeError);
  assert.throws(() => toValue(2 ** 60), RangeError);
  assert.throws(() => toValue(NaN), RangeError);
  assert.deepEqual(toValue('x'), { string: 'x' });
  assert.deepEqual(toValue(new Decimal('12.50')), { decimal: '12.50' });
  assert.throws(() => new Decimal('1e5'), TypeError);
  assert.deepEqual(toValue(new Json({ a: 1 })), { json: '{"a":1}' });
  assert.deepEqual(toValue(new Uint8Array([1, 2])), { bytes: Buffer.from([1, 2]) });
  assert.deepEqual(toValue(new Date(Date.UTC(2024, 1, 29, 13, 14, 15, 123))), {
    datetime: { year: 2024, month: 2, day: 29, hour: 13, minute: 14, second: 15, microsecond: 123000 },
  });
  assert.throws(() => toValue({}), TypeError);
});

test('error details decode from a google.rpc.Status trailer', () => {
  const def = protoLoader.loadSync('decoders.proto', {
    keepCase: true, longs: String, defaults: true, oneofs: true,
    includeDirs: [path.resolve(__dirname, '..', '..', '..', 'proto'), path.resolve(__dirname, '..', 'proto')],
  });
  const d = def['mysqlgw.node.internal.Decoders'];
  const detail = d.MySqlError.requestSerialize({ code: 1062, sql_state: '23000', message: 'Duplicate entry' });
  const status = d.Status.requestSerialize({
    code: 6, message: 'dup',
    details: [{ type_url: 'type.googleapis.com/mysqlgw.v1.MySqlError', value: detail }],
  });
  const got = decodeStatusDetails(status);
  assert.equal(got.code, 1062);
  assert.equal(got.sql_state, '23000');
  assert.equal(decodeStatusDetails(Buffer.from([0xff, 0xff])), null);
  assert.equal(decodeStatusDetails(undefined), null);
});
