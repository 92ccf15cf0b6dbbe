#include "mysqlwire/protocol/statement.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "mysqlwire/error.h"
#include "mysqlwire/value.h"

namespace mysqlwire {
namespace {

using std::string_literals::operator""s;

TEST(StmtPrepareTest, BuildsCommand) {
  EXPECT_EQ(BuildStmtPrepare("SELECT ?"), "\x16SELECT ?"s);
  EXPECT_EQ(BuildStmtPrepare(""), "\x16"s);
}

struct PrepareOkCase {
  std::string name;
  std::string bytes;
  PrepareOk expected;
};

TEST(PrepareOkTest, ParsesBothForms) {
  const PrepareOkCase cases[] = {
      // MariaDB 10.11, COM_STMT_PREPARE "SELECT * FROM test.t ORDER BY id".
      {"captured",
       "\x00\x01\x00\x00\x00\x18\x00\x00\x00\x00\x00\x00"s,
       {1, 24, 0, 0}},
      {"params_and_warnings",
       "\x00\xff\xff\xff\xff\x0c\x00\x0d\x00\x00\x03\x01"s,
       {0xffffffff, 12, 13, 0x103}},
      {"pre_4_1_1", "\x00\x05\x00\x00\x00\x00\x00\x02\x00"s, {5, 0, 2, 0}},
  };
  for (const PrepareOkCase& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<PrepareOk> ok = ParsePrepareOk(c.bytes);
    ASSERT_TRUE(ok.ok()) << ok.status();
    EXPECT_EQ(*ok, c.expected);
    for (size_t n = 0; n < c.bytes.size(); ++n) {
      if (n == 9) continue;  // The short form is a valid message by itself.
      EXPECT_TRUE(IsProtocolError(
          ParsePrepareOk(absl::string_view(c.bytes).substr(0, n)).status()))
          << "prefix " << n;
    }
  }
}

TEST(PrepareOkTest, RejectsOtherLengthsAndStatuses) {
  const std::string good = "\x00\x01\x00\x00\x00\x18\x00\x00\x00\x00\x00\x00"s;
  EXPECT_TRUE(IsProtocolError(ParsePrepareOk(good + "\x00"s).status()));
  EXPECT_TRUE(IsProtocolError(ParsePrepareOk(good + "\x01"s).status()));
  EXPECT_TRUE(IsProtocolError(ParsePrepareOk(good.substr(0, 10)).status()));
  EXPECT_TRUE(IsProtocolError(ParsePrepareOk(good.substr(0, 11)).status()));
  for (char status : {'\x01', '\xfe', '\xff'}) {
    std::string bad = good;
    bad[0] = status;
    EXPECT_TRUE(IsProtocolError(ParsePrepareOk(bad).status()));
  }
}

// The twelve parameters that cap.c bound through libmariadb 3.3 (see
// LibmariadbExecute below), as Values.
std::vector<Value> TwelveParams() {
  return {
      Value::Int64(std::numeric_limits<int64_t>::min()),
      Value::Uint64(std::numeric_limits<uint64_t>::max()),
      Value::Double(-0.0),
      Value::Float(3.5f),
      Value::String("h\0i"s),
      Value::BytesOf("\x00\xff"s),
      Value::Null(),
      Value::DecimalText("-12.340"),
      Value::Of(Date{2024, 2, 29}),
      Value::Of(DateTime{9999, 12, 31, 23, 59, 59, 999999}),
      Value::Of(Time{true, 838, 59, 59, 0}),
      Value::Null(),
  };
}

// COM_STMT_EXECUTE as libmariadb 3.3 sent it for those parameters (captured
// between the client and MariaDB 10.11). It differs from what we build in two
// places: the last NULL keeps its bound type STRING (0xfe), and TIME
// -838:59:59 is sent with days = 0 and hour = 838 & 0xff = 70.
const std::string kLibmariadbExecute =
    "\x17\x02\x00\x00\x00\x00\x01\x00\x00\x00\x40\x08\x01\x08\x00\x08\x80\x05"
    "\x00\x04\x00\xfe\x00\xfc\x00\x06\x00\xf6\x00\x0a\x00\x0c\x00\x0b\x00\xfe"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x80\xff\xff\xff\xff\xff\xff\xff\xff\x00"
    "\x00\x00\x00\x00\x00\x00\x80\x00\x00\x60\x40\x03\x68\x00\x69\x02\x00\xff"
    "\x07\x2d\x31\x32\x2e\x33\x34\x30\x04\xe8\x07\x02\x1d\x0b\x0f\x27\x0c\x1f"
    "\x17\x3b\x3b\x3f\x42\x0f\x00\x08\x01\x00\x00\x00\x00\x46\x3b\x3b"s;

// What BuildStmtExecute must produce, written out field by field.
const std::string kOurExecute =
    "\x17"              // COM_STMT_EXECUTE
    "\x02\x00\x00\x00"  // statement_id 2
    "\x00"              // CURSOR_TYPE_NO_CURSOR
    "\x01\x00\x00\x00"  // iteration_count 1
    "\x40\x08"          // NULL bitmap: parameters 6 and 11
    "\x01"              // new_params_bound_flag
    // Types: LONGLONG, LONGLONG unsigned, DOUBLE, FLOAT, STRING, BLOB, NULL,
    // NEWDECIMAL, DATE, DATETIME, TIME, NULL.
    "\x08\x00"
    "\x08\x80"
    "\x05\x00"
    "\x04\x00"
    "\xfe\x00"
    "\xfc\x00"
    "\x06\x00"
    "\xf6\x00"
    "\x0a\x00"
    "\x0c\x00"
    "\x0b\x00"
    "\x06\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x80"  // INT64_MIN
    "\xff\xff\xff\xff\xff\xff\xff\xff"  // UINT64_MAX
    "\x00\x00\x00\x00\x00\x00\x00\x80"  // -0.0
    "\x00\x00\x60\x40"                  // 3.5f
    // Values of the non-NULL parameters.
    "\x03"
    "h\x00i"
    "\x02"
    "\x00\xff"
    "\x07"
    "-12.340"
    "\x04"
    "\xe8\x07\x02\x1d"
    "\x0b"
    "\x0f\x27\x0c\x1f\x17\x3b\x3b"
    "\x3f\x42\x0f\x00"
    "\x08"
    "\x01"
    "\x22\x00\x00\x00"
    "\x16\x3b\x3b"s;  // 34 days 22 h

TEST(StmtExecuteTest, BuildsHandWrittenBytes) {
  absl::StatusOr<std::string> bytes = BuildStmtExecute(2, TwelveParams(), 12);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(absl::CHexEscape(*bytes), absl::CHexEscape(kOurExecute));
}

TEST(StmtExecuteTest, AgreesWithLibmariadbWhereTheEncodingIsTheSame) {
  absl::StatusOr<std::string> ours = BuildStmtExecute(2, TwelveParams(), 12);
  ASSERT_TRUE(ours.ok());
  // Header, bitmap, flag and the first eleven types are identical.
  EXPECT_EQ(ours->substr(0, 35), kLibmariadbExecute.substr(0, 35));
  // So are all values but the TIME at the end.
  const size_t values_at = 13 + 24;
  const size_t time_size = 9;
  EXPECT_EQ(ours->substr(values_at, ours->size() - values_at - time_size),
            kLibmariadbExecute.substr(
                values_at, kLibmariadbExecute.size() - values_at - time_size));
}

TEST(StmtExecuteTest, ParsesLibmariadbRequest) {
  absl::StatusOr<StmtExecuteRequest> req =
      ParseStmtExecute(kLibmariadbExecute, 12, {});
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->statement_id, 2u);
  EXPECT_EQ(req->flags, kCursorTypeNoCursor);
  EXPECT_EQ(req->param_types,
            (std::vector<uint16_t>{0x08, 0x8008, 0x05, 0x04, 0xfe, 0xfc, 0x06,
                                   0xf6, 0x0a, 0x0c, 0x0b, 0xfe}));
  std::vector<Value> expected = TwelveParams();
  expected[10] = Value::Of(Time{true, 70, 59, 59, 0});  // libmariadb's loss.
  ASSERT_EQ(req->params.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(req->params[i], expected[i])
        << i << ": " << req->params[i].DebugString();
  }
  EXPECT_TRUE(std::signbit(req->params[2].as_double()));
}

TEST(StmtExecuteTest, RoundTripsEveryKind) {
  absl::StatusOr<std::string> bytes = BuildStmtExecute(2, TwelveParams(), 12);
  ASSERT_TRUE(bytes.ok());
  absl::StatusOr<StmtExecuteRequest> req = ParseStmtExecute(*bytes, 12, {});
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->params, TwelveParams());
  EXPECT_EQ(req->param_types[1], 0x08 | kParamUnsignedFlag);
  EXPECT_EQ(req->param_types[11], 0x06);
}

TEST(StmtExecuteTest, EveryPrefixAndAnExtraByteIsAProtocolError) {
  for (const std::string& bytes : {kLibmariadbExecute, kOurExecute}) {
    for (size_t n = 0; n < bytes.size(); ++n) {
      EXPECT_TRUE(IsProtocolError(
          ParseStmtExecute(absl::string_view(bytes).substr(0, n), 12, {})
              .status()))
          << "prefix " << n;
    }
    EXPECT_TRUE(
        IsProtocolError(ParseStmtExecute(bytes + "\x00"s, 12, {}).status()));
  }
}

TEST(StmtExecuteTest, NoParameters) {
  absl::StatusOr<std::string> bytes = BuildStmtExecute(7, {}, 0);
  ASSERT_TRUE(bytes.ok());
  const std::string expected = "\x17\x07\x00\x00\x00\x00\x01\x00\x00\x00"s;
  EXPECT_EQ(*bytes, expected);
  absl::StatusOr<StmtExecuteRequest> req = ParseStmtExecute(expected, 0, {});
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->statement_id, 7u);
  EXPECT_TRUE(req->params.empty());
  EXPECT_TRUE(req->param_types.empty());
  EXPECT_TRUE(
      IsProtocolError(ParseStmtExecute(expected + "\x00"s, 0, {}).status()));
}

TEST(StmtExecuteTest, BuilderRejectsBadParameters) {
  EXPECT_EQ(BuildStmtExecute(1, {Value::Int64(1)}, 2).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BuildStmtExecute(1, {Value::Int64(1)}, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  const Value bad[] = {
      Value::Double(std::nan("")),
      Value::Double(std::numeric_limits<double>::infinity()),
      Value::Float(-std::numeric_limits<float>::infinity()),
      Value::DecimalText("1e5"),
      Value::DecimalText(""),
      Value::Of(Date{2024, 13, 1}),
      Value::Of(DateTime{2024, 1, 1, 0, 0, 0, 1000000}),
      Value::Of(Time{false, 0, 60, 0, 0}),
  };
  for (const Value& v : bad) {
    EXPECT_EQ(BuildStmtExecute(1, {v}, 1).status().code(),
              absl::StatusCode::kInvalidArgument)
        << v.DebugString();
  }
}

TEST(StmtExecuteTest, ReusesPreviousTypesWhenNotRebound) {
  // One LONGLONG parameter, new_params_bound_flag = 0.
  const std::string bytes =
      "\x17\x01\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00"
      "\x2a\x00\x00\x00\x00\x00\x00\x00"s;
  const uint16_t types[] = {0x08};
  absl::StatusOr<StmtExecuteRequest> req = ParseStmtExecute(bytes, 1, types);
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->params, std::vector<Value>{Value::Int64(42)});
  EXPECT_EQ(req->param_types, std::vector<uint16_t>{0x08});
  // Without types from an earlier execute there is nothing to decode with.
  EXPECT_TRUE(IsProtocolError(ParseStmtExecute(bytes, 1, {}).status()));
  const uint16_t unsigned_types[] = {0x8008};
  req = ParseStmtExecute(bytes, 1, unsigned_types);
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->params, std::vector<Value>{Value::Uint64(42)});
}

TEST(StmtExecuteTest, ParserRejectsMalformedRequests) {
  // One TINY parameter with value 5.
  const std::string good =
      "\x17\x01\x00\x00\x00\x00\x01\x00\x00\x00\x00\x01\x01\x00\x05"s;
  ASSERT_TRUE(ParseStmtExecute(good, 1, {}).ok());
  std::string wrong_command = good;
  wrong_command[0] = '\x16';
  EXPECT_TRUE(IsProtocolError(ParseStmtExecute(wrong_command, 1, {}).status()));
  std::string bad_flag = good;
  bad_flag[11] = '\x02';  // new_params_bound_flag
  EXPECT_TRUE(IsProtocolError(ParseStmtExecute(bad_flag, 1, {}).status()));
  for (char type : {'\x20', '\x14', '\xf0'}) {  // Unknown, TYPED_ARRAY.
    std::string bad_type = good;
    bad_type[12] = type;
    EXPECT_TRUE(IsProtocolError(ParseStmtExecute(bad_type, 1, {}).status()))
        << int{type};
  }
  // More parameters announced than sent.
  EXPECT_TRUE(IsProtocolError(ParseStmtExecute(good, 2, {}).status()));
}

TEST(StmtExecuteTest, NullTypedParameterCarriesNoBytes) {
  // Two parameters: NULL type with a clear bitmap bit, then TINY 5.
  const std::string bytes =
      "\x17\x01\x00\x00\x00\x00\x01\x00\x00\x00\x00\x01\x06\x00\x01\x00\x05"s;
  absl::StatusOr<StmtExecuteRequest> req = ParseStmtExecute(bytes, 2, {});
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->params, (std::vector<Value>{Value::Null(), Value::Int64(5)}));
}

TEST(StmtExecuteTest, BlobTypesAreBytesOtherStringsText) {
  // VAR_STRING "a", BLOB "b", with the cursor flag set.
  const std::string bytes =
      "\x17\x09\x00\x00\x00\x01\x01\x00\x00\x00\x00\x01\xfd\x00\xfc\x00"
      "\x01"
      "a"
      "\x01"
      "b"s;
  absl::StatusOr<StmtExecuteRequest> req = ParseStmtExecute(bytes, 2, {});
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->flags, kCursorTypeReadOnly);
  EXPECT_EQ(req->params,
            (std::vector<Value>{Value::String("a"), Value::BytesOf("b")}));
}

TEST(StmtCommandsTest, BuildsFixedLayouts) {
  // libmariadb's COM_STMT_CLOSE for statement 2, captured.
  EXPECT_EQ(BuildStmtClose(2), "\x19\x02\x00\x00\x00"s);
  EXPECT_EQ(BuildStmtClose(0x01020304), "\x19\x04\x03\x02\x01"s);
  EXPECT_EQ(BuildStmtReset(0xffffffff), "\x1a\xff\xff\xff\xff"s);
  EXPECT_EQ(BuildStmtSendLongData(1, 2, "ab\0c"s),
            "\x18\x01\x00\x00\x00\x02\x00"
            "ab\0c"s);
  EXPECT_EQ(BuildStmtSendLongData(1, 0xffff, ""),
            "\x18\x01\x00\x00\x00\xff\xff"s);
}

}  // namespace
}  // namespace mysqlwire
