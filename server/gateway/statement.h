// A call's SQL and parameters, validated and converted once, before any
// backend work: bad input is rejected here with INVALID_ARGUMENT and never
// reaches the database.
#ifndef SERVER_GATEWAY_STATEMENT_H_
#define SERVER_GATEWAY_STATEMENT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/map.h"
#include "google/protobuf/repeated_field.h"
#include "mysqlgw/v1/gateway.pb.h"
#include "mysqlwire/value.h"

namespace mysqlgw {

struct Statement {
  std::string sql;  // Named placeholders already rewritten to '?'.
  std::vector<mysqlwire::Value> params;
  bool has_params = false;  // False: plain text protocol, no placeholders.
  v1::ParameterMode mode = v1::PARAMETER_MODE_PREPARED;
};

// Limits a request must respect before it is run.
inline constexpr size_t kMaxSqlBytes = 16 * 1024 * 1024;

absl::StatusOr<Statement> BuildStatement(
    const std::string& sql,
    const google::protobuf::RepeatedPtrField<v1::Value>& params,
    const google::protobuf::Map<std::string, v1::Value>& named_params,
    v1::ParameterMode mode);

}  // namespace mysqlgw

#endif  // SERVER_GATEWAY_STATEMENT_H_
