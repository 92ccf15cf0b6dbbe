#include "server/status/grpc_status.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/duration.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "mysqlgw/v1/gateway.pb.h"
#include "mysqlwire/error.h"

namespace mysqlgw {
namespace {

using ::testing::HasSubstr;

absl::Status ServerError(uint16_t code, const std::string& sql_state,
                         const std::string& message) {
  return mysqlwire::ServerErrorStatus({code, sql_state, message});
}

// Every row of the table at the top of gateway.proto (and so of
// grpc_status.h), end to end from an ERR packet's errno: this is what
// clients are promised.
struct DocumentedRow {
  uint16_t errno_code;
  grpc::StatusCode expected;
};

class DocumentedTableTest : public testing::TestWithParam<DocumentedRow> {};

TEST_P(DocumentedTableTest, MapsAndAttachesDetails) {
  const DocumentedRow& row = GetParam();
  grpc::Status g = ToGrpcStatus(ServerError(row.errno_code, "HY000", "boom"));
  EXPECT_EQ(g.error_code(), row.expected) << row.errno_code;
  std::optional<v1::MySqlError> e = MySqlErrorFromDetails(g.error_details());
  ASSERT_TRUE(e.has_value()) << row.errno_code;
  EXPECT_EQ(e->code(), row.errno_code);
}

INSTANTIATE_TEST_SUITE_P(
    GatewayProto, DocumentedTableTest,
    testing::Values(
        DocumentedRow{1062, grpc::StatusCode::ALREADY_EXISTS},
        DocumentedRow{1586, grpc::StatusCode::ALREADY_EXISTS},
        DocumentedRow{1050, grpc::StatusCode::ALREADY_EXISTS},
        DocumentedRow{1213, grpc::StatusCode::ABORTED},
        DocumentedRow{1205, grpc::StatusCode::ABORTED},
        DocumentedRow{1064, grpc::StatusCode::INVALID_ARGUMENT},
        DocumentedRow{1366, grpc::StatusCode::INVALID_ARGUMENT},
        DocumentedRow{1406, grpc::StatusCode::INVALID_ARGUMENT},
        DocumentedRow{1044, grpc::StatusCode::PERMISSION_DENIED},
        DocumentedRow{1045, grpc::StatusCode::PERMISSION_DENIED},
        DocumentedRow{1142, grpc::StatusCode::PERMISSION_DENIED},
        DocumentedRow{1049, grpc::StatusCode::NOT_FOUND},
        DocumentedRow{1146, grpc::StatusCode::NOT_FOUND},
        DocumentedRow{1054, grpc::StatusCode::NOT_FOUND},
        DocumentedRow{1290, grpc::StatusCode::FAILED_PRECONDITION},
        DocumentedRow{1451, grpc::StatusCode::FAILED_PRECONDITION},
        DocumentedRow{1452, grpc::StatusCode::FAILED_PRECONDITION},
        DocumentedRow{2006, grpc::StatusCode::UNAVAILABLE},
        DocumentedRow{2013, grpc::StatusCode::UNAVAILABLE},
        DocumentedRow{1927, grpc::StatusCode::UNAVAILABLE},
        DocumentedRow{1053, grpc::StatusCode::UNAVAILABLE},
        DocumentedRow{1969, grpc::StatusCode::DEADLINE_EXCEEDED},
        DocumentedRow{3024, grpc::StatusCode::DEADLINE_EXCEEDED},
        DocumentedRow{1234, grpc::StatusCode::UNKNOWN},  // "anything else"
        DocumentedRow{9999, grpc::StatusCode::UNKNOWN}),
    [](const testing::TestParamInfo<DocumentedRow>& info) {
      return absl::StrCat("Errno", info.param.errno_code);
    });

TEST(ToGrpcStatusTest, DuplicateKeyIsAlreadyExistsWithParseableDetails) {
  const std::string message = "Duplicate entry '1' for key 'PRIMARY'";
  absl::Status s = ServerError(1062, "23000", message);
  grpc::Status g = ToGrpcStatus(s);
  EXPECT_EQ(g.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(g.error_message(), std::string(s.message()));

  // The details are a google.rpc.Status agreeing with the status itself.
  google::rpc::Status rich;
  ASSERT_TRUE(rich.ParseFromString(g.error_details()));
  EXPECT_EQ(rich.code(), static_cast<int>(grpc::StatusCode::ALREADY_EXISTS));
  EXPECT_EQ(rich.message(), g.error_message());
  ASSERT_EQ(rich.details_size(), 1);
  EXPECT_EQ(rich.details(0).type_url(), kMySqlErrorTypeUrl);
  EXPECT_EQ(rich.details(0).type_url(),
            "type.googleapis.com/mysqlgw.v1.MySqlError");
  EXPECT_TRUE(rich.details(0).Is<v1::MySqlError>());

  std::optional<v1::MySqlError> e = MySqlErrorFromDetails(g.error_details());
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code(), 1062u);
  EXPECT_EQ(e->sql_state(), "23000");
  EXPECT_EQ(e->message(), message);
}

TEST(ToGrpcStatusTest, DeadlockIsAborted) {
  grpc::Status g = ToGrpcStatus(ServerError(
      1213, "40001",
      "Deadlock found when trying to get lock; try restarting transaction"));
  EXPECT_EQ(g.error_code(), grpc::StatusCode::ABORTED);
  std::optional<v1::MySqlError> e = MySqlErrorFromDetails(g.error_details());
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code(), 1213u);
  EXPECT_EQ(e->sql_state(), "40001");
}

TEST(ToGrpcStatusTest, SyntaxErrorIsInvalidArgument) {
  grpc::Status g = ToGrpcStatus(ServerError(
      1064, "42000",
      "You have an error in your SQL syntax; check the manual near 'SELEC 1'"));
  EXPECT_EQ(g.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(g.error_message(), HasSubstr("SQL syntax"));
  ASSERT_TRUE(MySqlErrorFromDetails(g.error_details()).has_value());
}

TEST(ToGrpcStatusTest, AccessDeniedIsPermissionDeniedAndHoldsNoPassword) {
  grpc::Status g = ToGrpcStatus(ServerError(
      1045, "28000",
      "Access denied for user 'app'@'10.0.0.1' (using password: YES)"));
  EXPECT_EQ(g.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(MySqlErrorFromDetails(g.error_details())->code(), 1045u);
}

TEST(ToGrpcStatusTest, UnknownDatabaseIsNotFound) {
  grpc::Status g =
      ToGrpcStatus(ServerError(1049, "42000", "Unknown database 'nope'"));
  EXPECT_EQ(g.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(MySqlErrorFromDetails(g.error_details())->sql_state(), "42000");
}

TEST(ToGrpcStatusTest, ServerGoneIsUnavailable) {
  grpc::Status g =
      ToGrpcStatus(ServerError(2006, "HY000", "MySQL server has gone away"));
  EXPECT_EQ(g.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(MySqlErrorFromDetails(g.error_details())->code(), 2006u);
}

TEST(ToGrpcStatusTest, ProtocolErrorIsUnavailableNotInternal) {
  absl::Status s = mysqlwire::ProtocolError("truncated OK packet");
  ASSERT_EQ(s.code(), absl::StatusCode::kInternal);
  grpc::Status g = ToGrpcStatus(s);
  EXPECT_EQ(g.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(g.error_message(), HasSubstr("backend connection broke"));
  EXPECT_THAT(g.error_message(), HasSubstr("truncated OK packet"));
  EXPECT_THAT(g.error_message(), HasSubstr("retried"));
  EXPECT_TRUE(g.error_details().empty());
}

TEST(ToGrpcStatusTest, ServerMessageKeepsNewlines) {
  // mysqlwire's payload is newline-separated; the message's own newlines
  // must survive.
  grpc::Status g = ToGrpcStatus(ServerError(1644, "45000", "line 1\nline 2"));
  EXPECT_EQ(g.error_code(), grpc::StatusCode::UNKNOWN);
  EXPECT_EQ(MySqlErrorFromDetails(g.error_details())->message(),
            "line 1\nline 2");
}

TEST(ToGrpcStatusTest, GatewayMayOverrideTheCodeOfAServerError) {
  // E.g. a statement the gateway killed: CANCELLED, details still attached.
  absl::Status server = ServerError(1317, "70100", "Query execution was interrupted");
  absl::Status s(absl::StatusCode::kCancelled, "cancelled by the client");
  server.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
    s.SetPayload(url, payload);
  });
  grpc::Status g = ToGrpcStatus(s);
  EXPECT_EQ(g.error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_EQ(g.error_message(), "cancelled by the client");
  google::rpc::Status rich;
  ASSERT_TRUE(rich.ParseFromString(g.error_details()));
  EXPECT_EQ(rich.code(), static_cast<int>(grpc::StatusCode::CANCELLED));
  EXPECT_EQ(MySqlErrorFromDetails(g.error_details())->code(), 1317u);
}

TEST(ToGrpcStatusTest, PlainStatusesMapOneToOneWithoutDetails) {
  for (int code = 1; code <= 16; ++code) {
    absl::Status s(static_cast<absl::StatusCode>(code), "gateway says no");
    grpc::Status g = ToGrpcStatus(s);
    EXPECT_EQ(static_cast<int>(g.error_code()), code);
    EXPECT_EQ(g.error_message(), "gateway says no");
    EXPECT_TRUE(g.error_details().empty()) << code;
  }
  EXPECT_EQ(ToGrpcStatus(absl::ResourceExhaustedError("max_rows")).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(ToGrpcStatus(absl::UnauthenticatedError("no token")).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST(ToGrpcStatusTest, OkIsOk) {
  grpc::Status g = ToGrpcStatus(absl::OkStatus());
  EXPECT_TRUE(g.ok());
  EXPECT_TRUE(g.error_message().empty());
  EXPECT_TRUE(g.error_details().empty());
}

TEST(ToGrpcStatusTest, NonCanonicalCodeIsUnknown) {
  grpc::Status g =
      ToGrpcStatus(absl::Status(static_cast<absl::StatusCode>(42), "odd"));
  EXPECT_EQ(g.error_code(), grpc::StatusCode::UNKNOWN);
  EXPECT_EQ(g.error_message(), "odd");
}

TEST(MySqlErrorFromDetailsTest, NothingUsable) {
  EXPECT_FALSE(MySqlErrorFromDetails("").has_value());
  EXPECT_FALSE(MySqlErrorFromDetails("\xff\xff\xff garbage").has_value());

  google::rpc::Status other;
  other.set_code(5);
  google::protobuf::Duration d;
  d.set_seconds(1);
  other.add_details()->PackFrom(d);
  EXPECT_FALSE(MySqlErrorFromDetails(other.SerializeAsString()).has_value());
}

TEST(MySqlErrorFromDetailsTest, FindsTheErrorAmongOtherDetails) {
  google::rpc::Status rich;
  google::protobuf::Duration d;
  rich.add_details()->PackFrom(d);
  v1::MySqlError e;
  e.set_code(1205);
  e.set_sql_state("HY000");
  rich.add_details()->PackFrom(e);
  std::optional<v1::MySqlError> got =
      MySqlErrorFromDetails(rich.SerializeAsString());
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->code(), 1205u);
}

TEST(MySqlErrorOfTest, OnlyForServerErrors) {
  std::optional<v1::MySqlError> e =
      MySqlErrorOf(ServerError(1452, "23000", "Cannot add or update a child row"));
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code(), 1452u);
  EXPECT_EQ(e->sql_state(), "23000");
  EXPECT_EQ(e->message(), "Cannot add or update a child row");
  EXPECT_FALSE(MySqlErrorOf(absl::InvalidArgumentError("bad")).has_value());
  EXPECT_FALSE(MySqlErrorOf(absl::OkStatus()).has_value());
}

}  // namespace
}  // namespace mysqlgw
