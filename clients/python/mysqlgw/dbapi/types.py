"""PEP 249 type objects and constructors for mysqlgw.dbapi.

A cursor's ``description[i][1]`` (type_code) is a ``TypeCode``: an int equal
to the MySQL column type (mysqlgw.v1.ColumnType, e.g. 8 for LONGLONG) that
also knows whether the column has a binary collation. MySQL reports TEXT
and BLOB with the same type codes (and VARCHAR and VARBINARY too), so the
type objects look at that flag: ``STRING`` matches text columns and
``BINARY`` binary ones, whatever the code.
"""

from __future__ import annotations

import datetime
import time
from typing import Any, FrozenSet

from .._proto import value_pb2

__all__ = [
    "TypeCode",
    "DBAPITypeObject",
    "STRING",
    "BINARY",
    "NUMBER",
    "DATETIME",
    "ROWID",
    "Date",
    "Time",
    "Timestamp",
    "DateFromTicks",
    "TimeFromTicks",
    "TimestampFromTicks",
    "Binary",
]


class TypeCode(int):
    """A column's MySQL type code with its name ("LONGLONG") and whether the
    column holds bytes (``binary``)."""

    binary: bool

    def __new__(cls, code: int, binary: bool = False) -> "TypeCode":
        self = super().__new__(cls, code)
        self.binary = bool(binary)
        return self

    @property
    def name(self) -> str:
        try:
            return value_pb2.ColumnType.Name(int(self))[len("COLUMN_TYPE_"):]
        except ValueError:
            return str(int(self))

    def __repr__(self) -> str:
        return f"TypeCode({self.name}{', binary' if self.binary else ''})"


def _codes(*names: str) -> FrozenSet[int]:
    return frozenset(value_pb2.ColumnType.Value("COLUMN_TYPE_" + n) for n in names)


# Codes whose meaning (text or bytes) depends on the column's collation.
_CHARACTER = _codes("VARCHAR", "VAR_STRING", "STRING", "TINY_BLOB", "MEDIUM_BLOB",
                    "LONG_BLOB", "BLOB")


class DBAPITypeObject:
    """Compares equal to every type code it covers (PEP 249 type object).

    ``binary`` None: the collation does not matter; True/False: a code in
    the character group matches only with that binary flag."""

    def __init__(self, name: str, codes: FrozenSet[int], binary: Any = None) -> None:
        self.name = name
        self.codes = codes
        self.binary = binary

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, DBAPITypeObject):
            return self is other
        if not isinstance(other, int) or isinstance(other, bool):
            return NotImplemented
        code = int(other)
        if code in _CHARACTER and self.binary is not None:
            return bool(getattr(other, "binary", False)) == self.binary and code in self.codes
        return code in self.codes

    def __ne__(self, other: Any) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"mysqlgw.dbapi.{self.name}"


STRING = DBAPITypeObject("STRING", _CHARACTER | _codes("ENUM", "SET", "JSON"), binary=False)
BINARY = DBAPITypeObject("BINARY", _CHARACTER | _codes("GEOMETRY", "VECTOR"), binary=True)
NUMBER = DBAPITypeObject("NUMBER", _codes("DECIMAL", "NEWDECIMAL", "TINY", "SHORT", "LONG",
                                          "INT24", "LONGLONG", "FLOAT", "DOUBLE", "YEAR",
                                          "BIT"))
DATETIME = DBAPITypeObject("DATETIME", _codes("DATE", "NEWDATE", "TIME", "TIME2", "DATETIME",
                                              "DATETIME2", "TIMESTAMP", "TIMESTAMP2"))
# MySQL has no row-id column type: ROWID matches nothing.
ROWID = DBAPITypeObject("ROWID", frozenset())

# Constructors. TIME columns come back as datetime.timedelta (they may be
# negative or exceed 24 hours); datetime.time is accepted as a parameter.
Date = datetime.date
Time = datetime.time
Timestamp = datetime.datetime
Binary = bytes


def DateFromTicks(ticks: float) -> datetime.date:
    return Date(*time.localtime(ticks)[:3])


def TimeFromTicks(ticks: float) -> datetime.time:
    return Time(*time.localtime(ticks)[3:6])


def TimestampFromTicks(ticks: float) -> datetime.datetime:
    return Timestamp(*time.localtime(ticks)[:6])
