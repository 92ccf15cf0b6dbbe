#include "server/listener/prepared_statements.h"

#include <string>

#include "gtest/gtest.h"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/column_type.h"
#include "mysqlwire/protocol/statement.h"

namespace mysqlgw {
namespace {

using mysqlwire::ColumnType;
using mysqlwire::Value;

std::string U32(uint32_t v) {
  return {static_cast<char>(v & 0xff), static_cast<char>((v >> 8) & 0xff),
          static_cast<char>((v >> 16) & 0xff), static_cast<char>(v >> 24)};
}

// COM_STMT_EXECUTE of statement `id` with a LONGLONG 7 and a second
// parameter of `type` whose value is not inline (sent as long data), as
// libmariadb sends it.
std::string ExecuteWithLongData(uint32_t id, ColumnType type) {
  std::string p = "\x17" + U32(id) + std::string("\x00", 1) + U32(1);
  p += std::string("\x00", 1);  // NULL bitmap: nothing NULL.
  p += "\x01";                  // New parameters bound.
  p += std::string("\x08\x00", 2);
  p += std::string(1, static_cast<char>(type)) + std::string("\x00", 1);
  p += std::string("\x07\x00\x00\x00\x00\x00\x00\x00", 8);
  return p;
}

TEST(PreparedStatementsTest, IdsAreNewAndStatementsCanBeClosed) {
  PreparedStatements statements;
  absl::StatusOr<uint32_t> a = statements.Add("SELECT ?", 1);
  absl::StatusOr<uint32_t> b = statements.Add("SELECT 1", 0);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, 0u);
  EXPECT_NE(*a, *b);
  ASSERT_NE(statements.Find(*a), nullptr);
  EXPECT_EQ(statements.Find(*a)->sql, "SELECT ?");
  EXPECT_EQ(statements.Find(*a)->num_params, 1);
  statements.Close(*a);
  EXPECT_EQ(statements.Find(*a), nullptr);
  // A closed id is not handed out again.
  absl::StatusOr<uint32_t> c = statements.Add("SELECT 2", 0);
  EXPECT_NE(*c, *a);
  EXPECT_EQ(statements.size(), 2u);
  statements.Clear();
  EXPECT_EQ(statements.size(), 0u);
}

TEST(PreparedStatementsTest, TooManyStatements) {
  PreparedStatements statements;
  for (size_t i = 0; i < PreparedStatements::kMaxStatements; ++i) {
    ASSERT_TRUE(statements.Add("SELECT 1", 0).ok());
  }
  EXPECT_EQ(statements.Add("SELECT 1", 0).status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(PreparedStatementsTest, ExecuteParsesParametersAndRemembersTypes) {
  PreparedStatements statements;
  const uint32_t id = *statements.Add("INSERT INTO t VALUES (?, ?)", 2);
  absl::StatusOr<std::string> payload =
      mysqlwire::BuildStmtExecute(id, {Value::Int64(-5), Value::String("héllo")}, 2);
  ASSERT_TRUE(payload.ok());
  absl::StatusOr<mysqlwire::StmtExecuteRequest> request = statements.ParseExecute(*payload);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->statement_id, id);
  ASSERT_EQ(request->params.size(), 2u);
  EXPECT_EQ(request->params[0], Value::Int64(-5));
  EXPECT_EQ(request->params[1], Value::String("héllo"));

  // A later execute may leave the types out (new-params-bound = 0): the
  // bitmap, the flag, then the values alone.
  std::string again = "\x17" + U32(id) + std::string("\x00", 1) + U32(1) +
                      std::string("\x00\x00", 2) +
                      std::string("\x09\x00\x00\x00\x00\x00\x00\x00", 8) + "\x02hi";
  request = statements.ParseExecute(again);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->params[0], Value::Int64(9));
  EXPECT_EQ(request->params[1], Value::String("hi"));
}

TEST(PreparedStatementsTest, UnknownStatementAndMalformedExecute) {
  PreparedStatements statements;
  absl::StatusOr<std::string> payload = mysqlwire::BuildStmtExecute(42, {}, 0);
  EXPECT_EQ(statements.ParseExecute(*payload).status().code(), absl::StatusCode::kNotFound);

  const uint32_t id = *statements.Add("SELECT ?", 1);
  // Without types on a first execute there is nothing to decode with.
  const std::string untyped = "\x17" + U32(id) + std::string("\x00", 1) + U32(1) +
                              std::string("\x00\x00", 2) + std::string(8, '\x01');
  EXPECT_TRUE(mysqlwire::IsProtocolError(statements.ParseExecute(untyped).status()));

  // Every truncation of a valid execute is refused, none crashes.
  absl::StatusOr<std::string> full = mysqlwire::BuildStmtExecute(id, {Value::String("abc")}, 1);
  ASSERT_TRUE(full.ok());
  for (size_t n = 0; n < full->size(); ++n) {
    SCOPED_TRACE(n);
    EXPECT_FALSE(statements.ParseExecute(full->substr(0, n)).ok());
  }
  // Trailing bytes too.
  EXPECT_FALSE(statements.ParseExecute(*full + "x").ok());
  EXPECT_TRUE(statements.ParseExecute(*full).ok());
}

TEST(PreparedStatementsTest, LongDataTakesThePlaceOfTheParameter) {
  PreparedStatements statements;
  const uint32_t id = *statements.Add("INSERT INTO t VALUES (?, ?)", 2);
  statements.AppendLongData(id, 1, "part one, ");
  statements.AppendLongData(id, 1, "part two");
  absl::StatusOr<mysqlwire::StmtExecuteRequest> request =
      statements.ParseExecute(ExecuteWithLongData(id, ColumnType::kString));
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->params[0], Value::Int64(7));
  EXPECT_EQ(request->params[1], Value::String("part one, part two"));

  // Consumed: the next execute has no long data, so the same bytes now lack
  // the second value.
  EXPECT_FALSE(statements.ParseExecute(ExecuteWithLongData(id, ColumnType::kString)).ok());

  // Binary types get bytes.
  statements.AppendLongData(id, 1, std::string("\x00\xff", 2));
  request = statements.ParseExecute(ExecuteWithLongData(id, ColumnType::kBlob));
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->params[1], Value::BytesOf(std::string("\x00\xff", 2)));
}

TEST(PreparedStatementsTest, ResetForgetsLongData) {
  PreparedStatements statements;
  const uint32_t id = *statements.Add("SELECT ?, ?", 2);
  statements.AppendLongData(id, 1, "stale");
  EXPECT_TRUE(statements.Reset(id));
  EXPECT_FALSE(statements.Reset(id + 1));
  absl::StatusOr<std::string> payload =
      mysqlwire::BuildStmtExecute(id, {Value::Int64(1), Value::String("fresh")}, 2);
  absl::StatusOr<mysqlwire::StmtExecuteRequest> request = statements.ParseExecute(*payload);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->params[1], Value::String("fresh"));
}

TEST(PreparedStatementsTest, LongDataErrorsAreReportedByTheNextExecute) {
  PreparedStatements statements;
  const uint32_t id = *statements.Add("SELECT ?", 1);
  statements.AppendLongData(id, 3, "no such parameter");
  absl::StatusOr<std::string> payload = mysqlwire::BuildStmtExecute(id, {Value::Int64(1)}, 1);
  EXPECT_EQ(statements.ParseExecute(*payload).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Reported once.
  EXPECT_TRUE(statements.ParseExecute(*payload).ok());
  // Long data for an unknown statement is dropped silently (its execute
  // will fail as unknown anyway).
  statements.AppendLongData(id + 100, 0, "x");
  EXPECT_TRUE(statements.ParseExecute(*payload).ok());
}

}  // namespace
}  // namespace mysqlgw
