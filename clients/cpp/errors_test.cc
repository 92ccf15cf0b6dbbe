#include "clients/cpp/errors.h"

#include <string>

#include "google/protobuf/any.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace mysqlgw::client {
namespace {

v1::MySqlError Duplicate() {
  v1::MySqlError e;
  e.set_code(1062);
  e.set_sql_state("23000");
  e.set_message("Duplicate entry '1' for key 'PRIMARY'");
  return e;
}

// The trailer as the gateway builds it (server/status/grpc_status.cc).
std::string Details(const v1::MySqlError& error) {
  google::rpc::Status rich;
  rich.set_code(6);
  rich.set_message(error.message());
  rich.add_details()->PackFrom(error, "type.googleapis.com");
  return rich.SerializeAsString();
}

TEST(FromGrpcStatusTest, Ok) { EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok()); }

TEST(FromGrpcStatusTest, SameCodeAndMessageForEveryCode) {
  for (int code = 1; code <= 16; ++code) {
    absl::Status s = FromGrpcStatus(grpc::Status(static_cast<grpc::StatusCode>(code), "msg"));
    EXPECT_EQ(static_cast<int>(s.code()), code);
    EXPECT_EQ(s.message(), "msg");
    EXPECT_FALSE(MySqlErrorOf(s).has_value());
  }
}

TEST(FromGrpcStatusTest, MySqlErrorFromDetailsBecomesAPayload) {
  grpc::Status g(grpc::StatusCode::ALREADY_EXISTS, "Duplicate entry '1' for key 'PRIMARY'",
                 Details(Duplicate()));
  absl::Status s = FromGrpcStatus(g);
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  std::optional<v1::MySqlError> e = MySqlErrorOf(s);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code(), 1062u);
  EXPECT_EQ(e->sql_state(), "23000");
  EXPECT_EQ(e->message(), "Duplicate entry '1' for key 'PRIMARY'");
  // The payload survives copies and is visible through the public URL.
  absl::Status copy = s;
  EXPECT_TRUE(MySqlErrorOf(copy).has_value());
  EXPECT_TRUE(s.GetPayload(kMySqlErrorPayloadUrl).has_value());
}

TEST(FromGrpcStatusTest, UnusableDetailsAreIgnored) {
  EXPECT_FALSE(MySqlErrorFromDetails("").has_value());
  EXPECT_FALSE(MySqlErrorFromDetails("\xff\xff garbage").has_value());
  google::rpc::Status other;
  other.add_details()->set_type_url("type.googleapis.com/google.rpc.RetryInfo");
  EXPECT_FALSE(MySqlErrorFromDetails(other.SerializeAsString()).has_value());
  absl::Status s = FromGrpcStatus(grpc::Status(grpc::StatusCode::UNKNOWN, "m", "\xff"));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnknown);
  EXPECT_FALSE(MySqlErrorOf(s).has_value());
}

TEST(FormatErrorTest, LikeTheMysqlClient) {
  absl::Status s = absl::AlreadyExistsError("ignored: the server's own text is used");
  SetMySqlError(s, Duplicate());
  EXPECT_EQ(FormatError(s), "ERROR 1062 (23000): Duplicate entry '1' for key 'PRIMARY'");
  EXPECT_EQ(FormatError(s, " at line 3"),
            "ERROR 1062 (23000) at line 3: Duplicate entry '1' for key 'PRIMARY'");
  EXPECT_EQ(FormatError(absl::NotFoundError("unknown transaction")),
            "ERROR (NOT_FOUND): unknown transaction");
}

TEST(BatchItemStatusTest, EachKind) {
  v1::BatchItemResult ok;
  ok.mutable_outcome()->set_affected_rows(1);
  EXPECT_TRUE(BatchItemStatus(ok).ok());
  v1::BatchItemResult failed;
  *failed.mutable_error() = Duplicate();
  absl::Status s = BatchItemStatus(failed);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(MySqlErrorOf(s)->code(), 1062u);
  v1::BatchItemResult skipped;
  skipped.set_skipped(true);
  EXPECT_EQ(BatchItemStatus(skipped).code(), absl::StatusCode::kAborted);
}

}  // namespace
}  // namespace mysqlgw::client
