#include "clients/cpp/errors.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/types/optional.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/status.pb.h"

namespace mysqlgw::client {

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  // Both enums are the canonical codes 0..16 with the same numbers.
  absl::Status out(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  if (std::optional<v1::MySqlError> error = MySqlErrorFromDetails(status.error_details())) {
    SetMySqlError(out, *error);
  }
  return out;
}

std::optional<v1::MySqlError> MySqlErrorFromDetails(const std::string& details) {
  if (details.empty()) return std::nullopt;
  google::rpc::Status rich;
  if (!rich.ParseFromString(details)) return std::nullopt;
  for (const google::protobuf::Any& any : rich.details()) {
    if (any.type_url() != kMySqlErrorPayloadUrl) continue;
    v1::MySqlError error;
    if (any.UnpackTo(&error)) return error;
  }
  return std::nullopt;
}

std::optional<v1::MySqlError> MySqlErrorOf(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kMySqlErrorPayloadUrl);
  if (!payload.has_value()) return std::nullopt;
  v1::MySqlError error;
  if (!error.ParseFromString(std::string(*payload))) return std::nullopt;
  return error;
}

void SetMySqlError(absl::Status& status, const v1::MySqlError& error) {
  status.SetPayload(kMySqlErrorPayloadUrl, absl::Cord(error.SerializeAsString()));
}

std::string FormatError(const absl::Status& status, absl::string_view where) {
  if (std::optional<v1::MySqlError> e = MySqlErrorOf(status)) {
    return absl::StrCat("ERROR ", e->code(), " (", e->sql_state(), ")", where, ": ", e->message());
  }
  return absl::StrCat("ERROR (", absl::StatusCodeToString(status.code()), ")", where, ": ",
                      status.message());
}

absl::Status BatchItemStatus(const v1::BatchItemResult& item) {
  switch (item.result_case()) {
    case v1::BatchItemResult::kOutcome:
      return absl::OkStatus();
    case v1::BatchItemResult::kError: {
      absl::Status s = absl::UnknownError(item.error().message());
      SetMySqlError(s, item.error());
      return s;
    }
    case v1::BatchItemResult::kSkipped:
      return absl::AbortedError("not run: an earlier item of the batch failed");
    case v1::BatchItemResult::RESULT_NOT_SET:
      break;
  }
  return absl::UnknownError("the gateway sent an empty batch item result");
}

}  // namespace mysqlgw::client
