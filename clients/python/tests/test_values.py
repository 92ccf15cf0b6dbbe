"""Unit tests of mysqlgw.values: Python <-> mysqlgw.v1.Value, both ways."""

import datetime
import decimal
import math
import unittest

import mysqlgw
from mysqlgw import values
from mysqlgw._proto import gateway_pb2, value_pb2

D = decimal.Decimal
TD = datetime.timedelta


def wire(v: value_pb2.Value) -> value_pb2.Value:
    """The value after a trip through its serialized form."""
    return value_pb2.Value.FromString(v.SerializeToString())


class ToValueTest(unittest.TestCase):
    def kind(self, obj):
        v = wire(values.to_value(obj))
        return v.WhichOneof("kind"), v

    def test_null(self):
        kind, _ = self.kind(None)
        self.assertEqual(kind, "null")

    def test_bool_is_int64(self):
        self.assertEqual(self.kind(True)[1].int64, 1)
        self.assertEqual(self.kind(False)[0], "int64")
        self.assertEqual(self.kind(False)[1].int64, 0)

    def test_int_extremes(self):
        for n in (0, 1, -1, 2**63 - 1, -(2**63)):
            kind, v = self.kind(n)
            self.assertEqual((kind, v.int64), ("int64", n))
        for n in (2**63, 2**64 - 1):
            kind, v = self.kind(n)
            self.assertEqual((kind, v.uint64), ("uint64", n))

    def test_int_out_of_range(self):
        for n in (2**64, -(2**63) - 1, 10**30):
            with self.assertRaises(ValueError):
                values.to_value(n)

    def test_float_is_double(self):
        for f in (0.0, -0.0, 1.5, 1e308, -2.2250738585072014e-308, 5e-324):
            kind, v = self.kind(f)
            self.assertEqual(kind, "double")
            self.assertEqual(v.double, f)
        self.assertEqual(math.copysign(1, self.kind(-0.0)[1].double), -1)

    def test_float_nan_inf_refused(self):
        for f in (float("nan"), float("inf"), float("-inf")):
            with self.assertRaises(ValueError):
                values.to_value(f)

    def test_decimal_plain_text(self):
        cases = [  # a list: Decimal("-0") == Decimal("0") as dict keys
            (D("-0.000001"), "-0.000001"),
            (D("12.3400"), "12.3400"),
            (D("1E+2"), "100"),
            (D("1E-7"), "0.0000001"),
            (D("-0"), "-0"),
            (D("0"), "0"),
            (D("99999999999999999999999999999999999.999999999999999999999999999999"),
             "99999999999999999999999999999999999.999999999999999999999999999999"),
        ]
        for d, text in cases:
            kind, v = self.kind(d)
            self.assertEqual((kind, v.decimal), ("decimal", text))

    def test_decimal_nan_refused(self):
        for d in (D("NaN"), D("Infinity"), D("-Infinity"), D("sNaN")):
            with self.assertRaises(ValueError):
                values.to_value(d)

    def test_string_and_json(self):
        self.assertEqual(self.kind("héllo 😀"), ("string", value_pb2.Value(string="héllo 😀")))
        self.assertEqual(self.kind(""), ("string", value_pb2.Value(string="")))
        self.assertEqual(self.kind(mysqlgw.Json('{"a": 1}'))[1].json, '{"a": 1}')
        self.assertEqual(self.kind(mysqlgw.Json(""))[0], "json")

    def test_bytes_like(self):
        for b in (b"", b"\x00\xff", bytearray(b"\x01\x02"), memoryview(b"abc")):
            kind, v = self.kind(b)
            self.assertEqual((kind, v.bytes), ("bytes", bytes(b)))

    def test_date(self):
        for d in (datetime.date(1, 1, 1), datetime.date(9999, 12, 31),
                  datetime.date(2024, 2, 29)):
            kind, v = self.kind(d)
            self.assertEqual(kind, "date")
            self.assertEqual((v.date.year, v.date.month, v.date.day), (d.year, d.month, d.day))

    def test_zero_and_invalid_dates(self):
        kind, v = self.kind(mysqlgw.ZERO_DATE)
        self.assertEqual(kind, "date")  # present, with every field 0
        self.assertEqual((v.date.year, v.date.month, v.date.day), (0, 0, 0))
        kind, v = self.kind(mysqlgw.InvalidDate(2024, 0, 0))
        self.assertEqual((kind, v.date.year, v.date.month), ("date", 2024, 0))
        kind, v = self.kind(mysqlgw.ZERO_DATETIME)
        self.assertEqual(kind, "datetime")
        kind, v = self.kind(mysqlgw.InvalidDateTime(0, 0, 0, 12, 30, 1, 5))
        self.assertEqual((kind, v.datetime.hour, v.datetime.microsecond), ("datetime", 12, 5))

    def test_datetime_microseconds(self):
        dt = datetime.datetime(2024, 12, 31, 23, 59, 59, 999999)
        kind, v = self.kind(dt)
        self.assertEqual(kind, "datetime")
        d = v.datetime
        self.assertEqual((d.year, d.month, d.day, d.hour, d.minute, d.second, d.microsecond),
                         (2024, 12, 31, 23, 59, 59, 999999))

    def test_aware_refused(self):
        aware = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
        with self.assertRaises(ValueError):
            values.to_value(aware)
        with self.assertRaises(ValueError):
            values.to_value(datetime.time(1, tzinfo=datetime.timezone.utc))

    def test_timedelta(self):
        cases = [
            (TD(hours=-838), (True, 838, 0, 0, 0)),
            (TD(hours=838, minutes=59, seconds=59), (False, 838, 59, 59, 0)),
            (-TD(hours=838, minutes=59, seconds=59, microseconds=999999),
             (True, 838, 59, 59, 999999)),
            (TD(0), (False, 0, 0, 0, 0)),
            (TD(microseconds=-1), (True, 0, 0, 0, 1)),
            (TD(days=2, seconds=3), (False, 48, 0, 3, 0)),
        ]
        for td, fields in cases:
            kind, v = self.kind(td)
            self.assertEqual(kind, "time", td)
            t = v.time
            self.assertEqual((t.negative, t.hours, t.minute, t.second, t.microsecond), fields, td)

    def test_timedelta_beyond_uint32_hours(self):
        with self.assertRaises(ValueError):
            values.to_value(TD(days=999999999))

    def test_time_of_day(self):
        kind, v = self.kind(datetime.time(23, 59, 58, 7))
        t = v.time
        self.assertEqual((kind, t.negative, t.hours, t.minute, t.second, t.microsecond),
                         ("time", False, 23, 59, 58, 7))

    def test_unsupported(self):
        for obj in (object(), [1], {"a": 1}, {1}, 1j):
            with self.assertRaises(TypeError):
                values.to_value(obj)


class FromValueTest(unittest.TestCase):
    def test_scalars(self):
        V = value_pb2.Value
        self.assertIsNone(values.from_value(V(null=0)))
        self.assertEqual(values.from_value(V(int64=-(2**63))), -(2**63))
        self.assertEqual(values.from_value(V(uint64=2**64 - 1)), 2**64 - 1)
        self.assertEqual(values.from_value(V(double=1e308)), 1e308)
        f = values.from_value(V(float=1.5))
        self.assertIsInstance(f, float)
        self.assertEqual(f, 1.5)
        self.assertAlmostEqual(values.from_value(V(float=0.1)), 0.1, places=6)
        d = values.from_value(V(decimal="-12.3400"))
        self.assertEqual(d, D("-12.34"))
        self.assertEqual(str(d), "-12.3400")  # scale kept
        self.assertEqual(values.from_value(V(string="x")), "x")
        self.assertEqual(values.from_value(V(bytes=b"\x00")), b"\x00")
        j = values.from_value(V(json='{"b": [1, 2.50]}'))
        self.assertIsInstance(j, mysqlgw.Json)
        self.assertEqual(j, '{"b": [1, 2.50]}')
        self.assertEqual(j.loads(), {"b": [1, 2.5]})

    def test_null_is_not_empty(self):
        self.assertIsNone(values.from_value(wire(values.to_value(None))))
        self.assertEqual(values.from_value(value_pb2.Value(string="")), "")
        self.assertEqual(values.from_value(value_pb2.Value(int64=0)), 0)

    def test_dates(self):
        V = value_pb2.Value
        self.assertEqual(values.from_value(V(date=value_pb2.Date(year=2024, month=2, day=29))),
                         datetime.date(2024, 2, 29))
        zero = values.from_value(V(date=value_pb2.Date()))
        self.assertIs(type(zero), mysqlgw.InvalidDate)
        self.assertEqual(zero, mysqlgw.ZERO_DATE)
        self.assertTrue(zero.is_zero)
        self.assertEqual(str(zero), "0000-00-00")
        partial = values.from_value(V(date=value_pb2.Date(year=2024, month=2, day=0)))
        self.assertEqual(partial, mysqlgw.InvalidDate(2024, 2, 0))
        self.assertFalse(partial.is_zero)
        self.assertEqual(values.from_value(V(date=value_pb2.Date(year=2023, month=2, day=30))),
                         mysqlgw.InvalidDate(2023, 2, 30))

    def test_datetimes(self):
        V = value_pb2.Value
        dt = values.from_value(V(datetime=value_pb2.DateTime(
            year=2024, month=1, day=2, hour=3, minute=4, second=5, microsecond=123456)))
        self.assertEqual(dt, datetime.datetime(2024, 1, 2, 3, 4, 5, 123456))
        self.assertIsNone(dt.tzinfo)
        zero = values.from_value(V(datetime=value_pb2.DateTime()))
        self.assertEqual(zero, mysqlgw.ZERO_DATETIME)
        self.assertEqual(str(zero), "0000-00-00 00:00:00")
        self.assertEqual(zero.date(), mysqlgw.ZERO_DATE)
        partial = values.from_value(V(datetime=value_pb2.DateTime(
            year=2024, month=0, day=0, hour=1, microsecond=10)))
        self.assertEqual(str(partial), "2024-00-00 01:00:00.000010")

    def test_times(self):
        V = value_pb2.Value
        T = value_pb2.Time
        self.assertEqual(values.from_value(V(time=T(negative=True, hours=838))), TD(hours=-838))
        self.assertEqual(values.from_value(V(time=T(hours=838, minute=59, second=59))),
                         TD(hours=838, minutes=59, seconds=59))
        self.assertEqual(values.from_value(V(time=T(negative=True, microsecond=1))),
                         TD(microseconds=-1))
        self.assertEqual(values.from_value(V(time=T())), TD(0))

    def test_unset_kind(self):
        with self.assertRaises(ValueError):
            values.from_value(value_pb2.Value())


class RoundTripTest(unittest.TestCase):
    """Every supported Python value survives to_value -> wire -> from_value."""

    SAMPLES = [
        None, 0, 1, -1, 2**63 - 1, -(2**63), 2**63, 2**64 - 1,
        0.0, -1.25, 1e-300, 1.7976931348623157e308,
        D("-0.000001"), D("0.00"), D("123456789012345678901234567890.123456789"),
        D("-99999999999999999999999999999999999.999999999999999999999999999999"),
        "", "text", "😀 ünïcödé", "a\x00b",
        b"", b"\x00\x01\xfe\xff", bytes(range(256)),
        datetime.date(1, 1, 1), datetime.date(9999, 12, 31), datetime.date(2000, 2, 29),
        datetime.datetime(1000, 1, 1), datetime.datetime(9999, 12, 31, 23, 59, 59, 999999),
        datetime.datetime(2024, 6, 1, 12, 0, 0, 1),
        TD(hours=-838), TD(hours=838, minutes=59, seconds=59, microseconds=999999),
        -TD(hours=838, minutes=59, seconds=59), TD(0), TD(microseconds=1),
        TD(hours=-1, microseconds=1), TD(days=30, seconds=1),
        mysqlgw.ZERO_DATE, mysqlgw.ZERO_DATETIME, mysqlgw.InvalidDate(2024, 0, 15),
        mysqlgw.InvalidDateTime(0, 1, 1, 23, 0, 0, 999999),
        mysqlgw.Json("{}"), mysqlgw.Json('{"k": [1, 2.000, null, "x"]}'),
        mysqlgw.Json("123456789012345678901234567890"),
    ]

    def test_round_trip(self):
        for obj in self.SAMPLES:
            back = values.from_value(wire(values.to_value(obj)))
            self.assertEqual(back, obj, repr(obj))
            self.assertIs(type(back), type(obj), repr(obj))
            if isinstance(obj, D):
                self.assertEqual(str(back), str(obj))

    def test_conversions_that_change_type(self):
        self.assertEqual(values.from_value(wire(values.to_value(True))), 1)
        self.assertEqual(values.from_value(wire(values.to_value(bytearray(b"x")))), b"x")
        self.assertEqual(values.from_value(wire(values.to_value(datetime.time(1, 2, 3, 4)))),
                         TD(hours=1, minutes=2, seconds=3, microseconds=4))

    def test_row(self):
        row = value_pb2.Row()
        for obj in (1, None, "x", D("1.0")):
            values.to_value(obj, row.values.add())
        self.assertEqual(values.row_from_proto(row), (1, None, "x", D("1.0")))


class ParamsTest(unittest.TestCase):
    def test_positional(self):
        r = gateway_pb2.QueryRequest()
        values.params_to_proto([1, None, "a"], r.params, r.named_params)
        self.assertEqual([p.WhichOneof("kind") for p in r.params], ["int64", "null", "string"])
        self.assertEqual(len(r.named_params), 0)
        values.params_to_proto((2,), r.params, r.named_params)
        self.assertEqual(len(r.params), 4)

    def test_named(self):
        r = gateway_pb2.QueryRequest()
        values.params_to_proto({"a": 1, ":b": None}, r.params, r.named_params)
        self.assertEqual(sorted(r.named_params), ["a", "b"])
        self.assertEqual(r.named_params["b"].WhichOneof("kind"), "null")
        self.assertEqual(len(r.params), 0)

    def test_none(self):
        r = gateway_pb2.QueryRequest()
        values.params_to_proto(None, r.params, r.named_params)
        self.assertEqual(r.ByteSize(), 0)

    def test_errors_name_the_parameter(self):
        r = gateway_pb2.QueryRequest()
        with self.assertRaisesRegex(ValueError, r"^parameter 2: integer"):
            values.params_to_proto([1, 2**64], r.params, r.named_params)
        with self.assertRaisesRegex(TypeError, r"^parameter :x: cannot send a object"):
            values.params_to_proto({"x": object()}, r.params, r.named_params)
        for bad in ("abc", b"abc", 5, {1, 2}):
            with self.assertRaises(TypeError):
                values.params_to_proto(bad, r.params, r.named_params)


class JsonTest(unittest.TestCase):
    def test_dumps_loads(self):
        j = mysqlgw.Json.dumps({"a": [1, None]})
        self.assertIsInstance(j, mysqlgw.Json)
        self.assertEqual(j.loads(), {"a": [1, None]})
        self.assertEqual(repr(mysqlgw.Json("1")), "Json('1')")


if __name__ == "__main__":
    unittest.main()
