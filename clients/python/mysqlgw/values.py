"""Conversion between Python values and ``mysqlgw.v1.Value``.

The gateway's value model is lossless (see proto/mysqlgw/v1/value.proto), and
so is this mapping; every result value converts back to a parameter of the
same kind.

=====================  ==========================  ===========================
Value kind             Python result               Python parameter
=====================  ==========================  ===========================
null                   ``None``                    ``None``
int64, uint64          ``int``                     ``int``/``bool`` (int64; uint64
                                                   above 2**63-1, up to 2**64-1)
double, float          ``float``                   ``float`` (always double)
decimal                ``decimal.Decimal``         ``decimal.Decimal``
                       (scale kept: "1.50")
string                 ``str``                     ``str``
bytes                  ``bytes``                   ``bytes``, ``bytearray``,
                                                   ``memoryview``
date                   ``datetime.date``, or       ``datetime.date``,
                       ``InvalidDate`` (below)     ``InvalidDate``
datetime               ``datetime.datetime``       naive ``datetime.datetime``,
                       (naive), or                 ``InvalidDateTime``
                       ``InvalidDateTime``
time                   ``datetime.timedelta``      ``datetime.timedelta``,
                       (may be negative or         naive ``datetime.time``
                       exceed 24 hours)
json                   ``Json`` (the text)         ``Json``
=====================  ==========================  ===========================

Zero and invalid dates: MySQL's zero date '0000-00-00', partial dates such as
'2024-00-00', year 0, and (with ALLOW_INVALID_DATES) '2024-02-30' have no
``datetime.date``. They arrive as ``InvalidDate`` / ``InvalidDateTime``, small
immutable objects holding the raw fields, never as ``None`` (which is SQL
NULL) and never as an exception. ``ZERO_DATE`` and ``ZERO_DATETIME`` are the
zero values; both round-trip as parameters.

JSON: a ``json`` value arrives as ``Json``, a ``str`` subclass holding the
document's exact text (so nothing is lost: key order, duplicate keys, number
precision). ``Json.loads()`` parses it; ``Json.dumps(obj)`` builds one for a
parameter. A plain ``str`` parameter is sent as ``string``; MySQL parses it
either way when it is stored in a JSON column. MariaDB reports JSON columns
as LONGTEXT, so their values arrive as plain ``str``.

Aware datetimes and times are refused (the gateway applies no time zone:
convert to the session's zone and drop tzinfo yourself). NaN and infinities
are refused (MySQL stores neither).
"""

from __future__ import annotations

import datetime
import decimal
import json
import math
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence, Tuple, Union

from ._proto import value_pb2

__all__ = [
    "Json",
    "InvalidDate",
    "InvalidDateTime",
    "ZERO_DATE",
    "ZERO_DATETIME",
    "to_value",
    "from_value",
    "row_from_proto",
    "params_to_proto",
]

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_UINT64_MAX = 2**64 - 1
_UINT32_MAX = 2**32 - 1
_US_PER_SECOND = 1_000_000
_US_PER_MINUTE = 60 * _US_PER_SECOND
_US_PER_HOUR = 60 * _US_PER_MINUTE


class Json(str):
    """The text of a JSON document (the ``json`` value kind).

    A ``str`` subclass, so it compares, hashes and prints as its text.
    """

    __slots__ = ()

    @classmethod
    def dumps(cls, obj: Any, **kwargs: Any) -> "Json":
        """A ``Json`` holding ``json.dumps(obj, **kwargs)``."""
        return cls(json.dumps(obj, **kwargs))

    def loads(self, **kwargs: Any) -> Any:
        """The parsed document (``json.loads``)."""
        return json.loads(str(self), **kwargs)

    def __repr__(self) -> str:
        return f"Json({str.__repr__(self)})"


@dataclass(frozen=True)
class InvalidDate:
    """A DATE that ``datetime.date`` cannot hold: the zero date, a partial
    date (month or day 0), year 0, or an invalid day (ALLOW_INVALID_DATES).
    """

    year: int
    month: int
    day: int

    @property
    def is_zero(self) -> bool:
        return self.year == 0 and self.month == 0 and self.day == 0

    def isoformat(self) -> str:
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def __str__(self) -> str:
        return self.isoformat()


@dataclass(frozen=True)
class InvalidDateTime:
    """A DATETIME/TIMESTAMP whose date part ``datetime.date`` cannot hold
    (see ``InvalidDate``), e.g. '0000-00-00 00:00:00'."""

    year: int
    month: int
    day: int
    hour: int = 0
    minute: int = 0
    second: int = 0
    microsecond: int = 0

    @property
    def is_zero(self) -> bool:
        return (self.year, self.month, self.day, self.hour, self.minute,
                self.second, self.microsecond) == (0, 0, 0, 0, 0, 0, 0)

    def date(self) -> Union[datetime.date, InvalidDate]:
        return _make_date(self.year, self.month, self.day)

    def isoformat(self, sep: str = " ") -> str:
        text = (f"{self.year:04d}-{self.month:02d}-{self.day:02d}{sep}"
                f"{self.hour:02d}:{self.minute:02d}:{self.second:02d}")
        if self.microsecond:
            text += f".{self.microsecond:06d}"
        return text

    def __str__(self) -> str:
        return self.isoformat()


ZERO_DATE = InvalidDate(0, 0, 0)
ZERO_DATETIME = InvalidDateTime(0, 0, 0, 0, 0, 0, 0)


# ---------------------------------------------------------------------------
# Python -> Value


def _check_naive(obj: Union[datetime.datetime, datetime.time]) -> None:
    if obj.tzinfo is not None and obj.utcoffset() is not None:
        raise ValueError(
            f"{obj!r} is time-zone aware; the gateway applies no time zone, so "
            "convert it to the session's zone and drop tzinfo (e.g. "
            "dt.astimezone(datetime.timezone.utc).replace(tzinfo=None))")


def _set_time_from_micros(out: value_pb2.Time, micros: int) -> None:
    out.SetInParent()  # selects it even for a zero duration
    out.negative = micros < 0
    micros = abs(micros)
    hours, rest = divmod(micros, _US_PER_HOUR)
    if hours > _UINT32_MAX:
        raise ValueError(f"a duration of {hours} hours is out of TIME range")
    minute, rest = divmod(rest, _US_PER_MINUTE)
    second, microsecond = divmod(rest, _US_PER_SECOND)
    out.hours = hours
    out.minute = minute
    out.second = second
    out.microsecond = microsecond


def to_value(obj: Any, out: Optional[value_pb2.Value] = None) -> value_pb2.Value:
    """Converts a Python value to a ``mysqlgw.v1.Value`` (into ``out`` when
    given). Raises TypeError for an unsupported type and ValueError for a
    value the model cannot carry (out of range, NaN, aware datetime)."""
    v = value_pb2.Value() if out is None else out
    # Order matters: bool is an int, datetime is a date, Json is a str.
    if obj is None:
        v.null = 0  # google.protobuf.NULL_VALUE
    elif isinstance(obj, int):
        n = int(obj)
        if _INT64_MIN <= n <= _INT64_MAX:
            v.int64 = n
        elif _INT64_MAX < n <= _UINT64_MAX:
            v.uint64 = n
        else:
            raise ValueError(f"integer {n} is outside the int64 and uint64 ranges")
    elif isinstance(obj, float):
        if not math.isfinite(obj):
            raise ValueError(f"{obj!r} cannot be stored by MySQL (NaN or infinite)")
        v.double = obj
    elif isinstance(obj, decimal.Decimal):
        if not obj.is_finite():
            raise ValueError(f"{obj!r} cannot be stored by MySQL (NaN or infinite)")
        # 'f' never uses an exponent: Decimal('1E+2') -> '100',
        # Decimal('1E-7') -> '0.0000001'.
        v.decimal = format(obj, "f")
    elif isinstance(obj, Json):
        v.json = str(obj)
    elif isinstance(obj, str):
        v.string = obj
    elif isinstance(obj, (bytes, bytearray, memoryview)):
        v.bytes = bytes(obj)
    elif isinstance(obj, datetime.datetime):
        _check_naive(obj)
        d = v.datetime
        d.SetInParent()  # selects it even when every field is 0
        d.year, d.month, d.day = obj.year, obj.month, obj.day
        d.hour, d.minute, d.second = obj.hour, obj.minute, obj.second
        d.microsecond = obj.microsecond
    elif isinstance(obj, datetime.date):
        d = v.date
        d.SetInParent()
        d.year, d.month, d.day = obj.year, obj.month, obj.day
    elif isinstance(obj, datetime.timedelta):
        micros = (obj.days * 86400 + obj.seconds) * _US_PER_SECOND + obj.microseconds
        _set_time_from_micros(v.time, micros)
    elif isinstance(obj, datetime.time):
        _check_naive(obj)
        t = v.time
        t.SetInParent()
        t.negative = False
        t.hours, t.minute, t.second = obj.hour, obj.minute, obj.second
        t.microsecond = obj.microsecond
    elif isinstance(obj, InvalidDateTime):
        d = v.datetime
        d.SetInParent()  # selects it even when every field is 0
        d.year, d.month, d.day = obj.year, obj.month, obj.day
        d.hour, d.minute, d.second = obj.hour, obj.minute, obj.second
        d.microsecond = obj.microsecond
    elif isinstance(obj, InvalidDate):
        d = v.date
        d.SetInParent()
        d.year, d.month, d.day = obj.year, obj.month, obj.day
    else:
        raise TypeError(
            f"cannot send a {type(obj).__name__} as a parameter (supported: None, "
            "bool, int, float, Decimal, str, Json, bytes, date, datetime, "
            "timedelta, time, InvalidDate, InvalidDateTime)")
    return v


def params_to_proto(
    params: Union[None, Sequence[Any], Mapping[str, Any]],
    positional: Any,
    named: Any,
) -> None:
    """Adds ``params`` to a request's repeated ``params`` field (a list or
    tuple) or its ``named_params`` map (a mapping; a leading ':' on a key is
    dropped). Errors name the parameter: "parameter 2: ..." / "parameter
    :id: ...", raised as the same TypeError/ValueError type."""
    if params is None:
        return
    if isinstance(params, Mapping):
        for key, obj in params.items():
            if not isinstance(key, str):
                raise TypeError(f"named parameter keys must be str, not {type(key).__name__}")
            name = key[1:] if key.startswith(":") else key
            try:
                to_value(obj, named[name])
            except (TypeError, ValueError) as e:
                raise type(e)(f"parameter :{name}: {e}") from None
        return
    if isinstance(params, (str, bytes, bytearray, memoryview)) or not isinstance(
            params, (list, tuple, Sequence)):
        raise TypeError(
            "params must be a list or tuple (for ? placeholders) or a dict (for "
            f":name placeholders), not {type(params).__name__}")
    for i, obj in enumerate(params, 1):
        try:
            to_value(obj, positional.add())
        except (TypeError, ValueError) as e:
            raise type(e)(f"parameter {i}: {e}") from None


# ---------------------------------------------------------------------------
# Value -> Python


def _make_date(year: int, month: int, day: int) -> Union[datetime.date, InvalidDate]:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return InvalidDate(year, month, day)


def _date(v: value_pb2.Value) -> Union[datetime.date, InvalidDate]:
    d = v.date
    return _make_date(d.year, d.month, d.day)


def _datetime(v: value_pb2.Value) -> Union[datetime.datetime, InvalidDateTime]:
    d = v.datetime
    try:
        return datetime.datetime(d.year, d.month, d.day, d.hour, d.minute, d.second,
                                 d.microsecond)
    except ValueError:
        return InvalidDateTime(d.year, d.month, d.day, d.hour, d.minute, d.second,
                               d.microsecond)


def _time(v: value_pb2.Value) -> datetime.timedelta:
    t = v.time
    micros = (t.hours * _US_PER_HOUR + t.minute * _US_PER_MINUTE +
              t.second * _US_PER_SECOND + t.microsecond)
    return datetime.timedelta(microseconds=-micros if t.negative else micros)


def _unset(v: value_pb2.Value) -> Any:
    raise ValueError("received a Value with no kind set")


_FROM = {
    "null": lambda v: None,
    "int64": lambda v: v.int64,
    "uint64": lambda v: v.uint64,
    "double": lambda v: v.double,
    "float": lambda v: v.float,
    "decimal": lambda v: decimal.Decimal(v.decimal),
    "string": lambda v: v.string,
    "bytes": lambda v: v.bytes,
    "date": _date,
    "datetime": _datetime,
    "time": _time,
    "json": lambda v: Json(v.json),
    None: _unset,
}


def from_value(v: value_pb2.Value) -> Any:
    """Converts a ``mysqlgw.v1.Value`` to its Python value (table above)."""
    return _FROM[v.WhichOneof("kind")](v)


def row_from_proto(row: value_pb2.Row) -> Tuple[Any, ...]:
    """A result row as a tuple of Python values."""
    f = _FROM
    return tuple([f[v.WhichOneof("kind")](v) for v in row.values])
