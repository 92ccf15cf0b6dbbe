// Building the gateway's request messages from the client's arguments: pure
// functions, kept apart from the calls so they can be tested without a
// server.
#ifndef CLIENTS_CPP_REQUESTS_H_
#define CLIENTS_CPP_REQUESTS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "clients/cpp/options.h"
#include "clients/cpp/params.h"
#include "google/protobuf/duration.pb.h"
#include "mysqlgw/v1/gateway.pb.h"

namespace mysqlgw::client {

// One statement of ExecuteStatements.
struct Statement {
  std::string sql;
  Params params;
};

namespace internal {

google::protobuf::Duration ToProtoDuration(absl::Duration d);
v1::CallOptions ToProto(const CallOptions& options);

v1::QueryRequest MakeQueryRequest(absl::string_view transaction_id, absl::string_view sql,
                                  const Params& params, const CallOptions& options);
v1::ExecuteRequest MakeExecuteRequest(absl::string_view transaction_id, absl::string_view sql,
                                      const Params& params, const CallOptions& options);
v1::ExecuteBatchRequest MakeBatchRequest(absl::string_view transaction_id, absl::string_view sql,
                                         const std::vector<Params>& param_sets,
                                         const CallOptions& options, bool stop_on_error);
v1::ExecuteBatchRequest MakeStatementsRequest(absl::string_view transaction_id,
                                              const std::vector<Statement>& statements,
                                              const CallOptions& options, bool stop_on_error);
v1::BeginTransactionRequest MakeBeginRequest(const TransactionOptions& options);

}  // namespace internal
}  // namespace mysqlgw::client

#endif  // CLIENTS_CPP_REQUESTS_H_
