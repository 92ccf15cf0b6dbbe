"""Unit tests of mysqlgw.errors: status details decoding and class choice."""

import unittest

import grpc
from google.protobuf import any_pb2, descriptor_pb2, descriptor_pool

try:
    from google.protobuf import message_factory
except ImportError:  # pragma: no cover
    message_factory = None

import mysqlgw
from mysqlgw import errors
from mysqlgw._proto import gateway_pb2

SC = grpc.StatusCode


def status_class():
    """google.rpc.Status built in a private descriptor pool (the test must
    not register google/rpc/status.proto in the default pool either)."""
    pool = descriptor_pool.DescriptorPool()
    any_file = descriptor_pb2.FileDescriptorProto()
    any_pb2.DESCRIPTOR.CopyToProto(any_file)
    pool.Add(any_file)
    f = descriptor_pb2.FileDescriptorProto(
        name="google/rpc/status.proto", package="google.rpc", syntax="proto3",
        dependency=["google/protobuf/any.proto"])
    m = f.message_type.add(name="Status")
    F = descriptor_pb2.FieldDescriptorProto
    m.field.add(name="code", number=1, type=F.TYPE_INT32, label=F.LABEL_OPTIONAL)
    m.field.add(name="message", number=2, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    m.field.add(name="details", number=3, type=F.TYPE_MESSAGE, label=F.LABEL_REPEATED,
                type_name=".google.protobuf.Any")
    pool.Add(f)
    desc = pool.FindMessageTypeByName("google.rpc.Status")
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(desc)
    return message_factory.MessageFactory(pool).GetPrototype(desc)


Status = status_class()


def details_bytes(code, message, mysql_error=None, extra_first=None):
    s = Status(code=code, message=message)
    if extra_first is not None:
        a = s.details.add()
        a.type_url = "type.googleapis.com/google.rpc.ErrorInfo"
        a.value = extra_first
    if mysql_error is not None:
        s.details.add().Pack(mysql_error)
    return s.SerializeToString()


class FakeRpcError(grpc.RpcError):
    def __init__(self, code, details, trailers=()):
        super().__init__()
        self._code, self._details, self._trailers = code, details, tuple(trailers)

    def code(self):
        return self._code

    def details(self):
        return self._details

    def trailing_metadata(self):
        return self._trailers


class ParseStatusDetailsTest(unittest.TestCase):
    def test_mysql_error(self):
        e = gateway_pb2.MySqlError(code=1062, sql_state="23000",
                                   message="Duplicate entry '1' for key 'PRIMARY'")
        code, message, mysql_error = errors.parse_status_details(
            details_bytes(6, "duplicate key", e, extra_first=b"\x0a\x01x"))
        self.assertEqual((code, message), (6, "duplicate key"))
        self.assertEqual(mysql_error, e)

    def test_type_url_is_the_documented_one(self):
        a = any_pb2.Any()
        a.Pack(gateway_pb2.MySqlError(code=1))
        self.assertEqual(a.type_url, errors.MYSQL_ERROR_TYPE_URL)

    def test_negative_code_and_no_details(self):
        code, message, mysql_error = errors.parse_status_details(details_bytes(-5, "ü"))
        self.assertEqual((code, message, mysql_error), (-5, "ü", None))
        self.assertEqual(errors.parse_status_details(b""), (None, "", None))

    def test_malformed(self):
        for bad in (b"\x08", b"\x12\x05ab", b"\x0f", b"\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"):
            with self.assertRaises(ValueError, msg=bad):
                errors.parse_status_details(bad)


class ErrorFromRpcTest(unittest.TestCase):
    def rpc(self, code, errno=None, sqlstate="", message="db says", status="gw says"):
        trailers = [("x-other", "1")]
        if errno is not None:
            e = gateway_pb2.MySqlError(code=errno, sql_state=sqlstate, message=message)
            trailers.append(("grpc-status-details-bin", details_bytes(code.value[0], status, e)))
        return errors.error_from_rpc(FakeRpcError(code, status, trailers))

    def test_duplicate(self):
        err = self.rpc(SC.ALREADY_EXISTS, 1062, "23000", "Duplicate entry")
        self.assertIsInstance(err, mysqlgw.IntegrityError)
        self.assertIsInstance(err, mysqlgw.DatabaseError)
        self.assertIsInstance(err, mysqlgw.Error)
        self.assertEqual((err.code, err.mysql_errno, err.sqlstate, err.message),
                         (SC.ALREADY_EXISTS, 1062, "23000", "Duplicate entry"))
        self.assertEqual(err.status_message, "gw says")
        self.assertEqual(str(err), "ALREADY_EXISTS (1062/23000): Duplicate entry")

    def test_without_details(self):
        err = self.rpc(SC.UNAUTHENTICATED)
        self.assertIsInstance(err, mysqlgw.NotAuthorizedError)
        self.assertEqual((err.mysql_errno, err.sqlstate, err.message), (None, None, "gw says"))
        self.assertEqual(str(err), "UNAUTHENTICATED: gw says")

    def test_garbage_details_keep_the_status(self):
        err = errors.error_from_rpc(FakeRpcError(
            SC.INVALID_ARGUMENT, "bad", [("grpc-status-details-bin", b"\xff\xff")]))
        self.assertIsInstance(err, mysqlgw.ProgrammingError)
        self.assertIsNone(err.mysql_errno)

    def test_classes(self):
        cases = [
            (SC.ALREADY_EXISTS, 1062, mysqlgw.IntegrityError),
            (SC.ALREADY_EXISTS, 1586, mysqlgw.IntegrityError),
            (SC.ALREADY_EXISTS, None, mysqlgw.IntegrityError),
            (SC.ALREADY_EXISTS, 1050, mysqlgw.ProgrammingError),
            (SC.FAILED_PRECONDITION, 1451, mysqlgw.IntegrityError),
            (SC.FAILED_PRECONDITION, 1452, mysqlgw.IntegrityError),
            (SC.FAILED_PRECONDITION, 1290, mysqlgw.OperationalError),
            (SC.INVALID_ARGUMENT, 1064, mysqlgw.ProgrammingError),
            (SC.INVALID_ARGUMENT, None, mysqlgw.ProgrammingError),
            (SC.INVALID_ARGUMENT, 1406, mysqlgw.DataError),
            (SC.INVALID_ARGUMENT, 1366, mysqlgw.DataError),
            (SC.NOT_FOUND, 1146, mysqlgw.ProgrammingError),
            (SC.NOT_FOUND, None, mysqlgw.ProgrammingError),
            (SC.UNAVAILABLE, 2013, mysqlgw.OperationalError),
            (SC.UNAVAILABLE, None, mysqlgw.OperationalError),
            (SC.DEADLINE_EXCEEDED, 1969, mysqlgw.OperationalError),
            (SC.ABORTED, 1213, mysqlgw.OperationalError),
            (SC.RESOURCE_EXHAUSTED, None, mysqlgw.OperationalError),
            (SC.CANCELLED, None, mysqlgw.OperationalError),
            (SC.UNAUTHENTICATED, None, mysqlgw.NotAuthorizedError),
            (SC.PERMISSION_DENIED, 1142, mysqlgw.NotAuthorizedError),
            (SC.INTERNAL, None, mysqlgw.InternalError),
            (SC.UNIMPLEMENTED, None, mysqlgw.NotSupportedError),
            (SC.UNKNOWN, 1048, mysqlgw.IntegrityError),
            (SC.UNKNOWN, 4025, mysqlgw.IntegrityError),
            (SC.UNKNOWN, 1235, mysqlgw.NotSupportedError),
            (SC.UNKNOWN, 9999, mysqlgw.DatabaseError),
            (SC.UNKNOWN, None, mysqlgw.DatabaseError),
        ]
        for code, errno, cls in cases:
            err = self.rpc(code, errno)
            self.assertIs(type(err), cls, (code, errno))
            self.assertEqual(err.code, code)

    def test_batch_item_errors_by_errno(self):
        cases = [(1062, mysqlgw.IntegrityError), (1064, mysqlgw.ProgrammingError),
                 (1213, mysqlgw.OperationalError), (1142, mysqlgw.NotAuthorizedError),
                 (1366, mysqlgw.DataError), (1, mysqlgw.DatabaseError)]
        for errno, cls in cases:
            e = gateway_pb2.MySqlError(code=errno, sql_state="HY000", message="m")
            err = errors.error_for(None, "m", e)
            self.assertIs(type(err), cls, errno)
            self.assertIsNone(err.code)
            self.assertEqual(str(err), f"({errno}/HY000): m")

    def test_pep249_shape(self):
        for cls in (mysqlgw.DataError, mysqlgw.OperationalError, mysqlgw.IntegrityError,
                    mysqlgw.InternalError, mysqlgw.ProgrammingError, mysqlgw.NotSupportedError,
                    mysqlgw.NotAuthorizedError):
            self.assertTrue(issubclass(cls, mysqlgw.DatabaseError))
        self.assertTrue(issubclass(mysqlgw.InterfaceError, mysqlgw.Error))
        self.assertFalse(issubclass(mysqlgw.InterfaceError, mysqlgw.DatabaseError))
        self.assertTrue(issubclass(mysqlgw.Error, Exception))
        self.assertTrue(issubclass(mysqlgw.Warning, Exception))


if __name__ == "__main__":
    unittest.main()
