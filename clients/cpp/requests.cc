#include "clients/cpp/requests.h"

namespace mysqlgw::client::internal {
namespace {

template <typename Message>
void FillParams(const Params& params, Message* out) {
  for (const v1::Value& v : params.positional) *out->add_params() = v;
  for (const auto& [name, v] : params.named) (*out->mutable_named_params())[name] = v;
}

}  // namespace

google::protobuf::Duration ToProtoDuration(absl::Duration d) {
  google::protobuf::Duration out;
  const int64_t seconds = absl::IDivDuration(d, absl::Seconds(1), &d);
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(d)));
  return out;
}

v1::CallOptions ToProto(const CallOptions& options) {
  v1::CallOptions out;
  out.set_database(options.database);
  out.set_max_rows(options.max_rows);
  out.set_max_bytes(options.max_bytes);
  if (options.statement_timeout > absl::ZeroDuration()) {
    *out.mutable_timeout() = ToProtoDuration(options.statement_timeout);
  }
  out.set_idempotent(options.idempotent);
  out.set_parameter_mode(options.parameter_mode);
  return out;
}

v1::QueryRequest MakeQueryRequest(absl::string_view transaction_id, absl::string_view sql,
                                  const Params& params, const CallOptions& options) {
  v1::QueryRequest req;
  req.set_sql(std::string(sql));
  FillParams(params, &req);
  *req.mutable_options() = ToProto(options);
  req.set_transaction_id(std::string(transaction_id));
  return req;
}

v1::ExecuteRequest MakeExecuteRequest(absl::string_view transaction_id, absl::string_view sql,
                                      const Params& params, const CallOptions& options) {
  v1::ExecuteRequest req;
  req.set_sql(std::string(sql));
  FillParams(params, &req);
  *req.mutable_options() = ToProto(options);
  req.set_transaction_id(std::string(transaction_id));
  return req;
}

v1::ExecuteBatchRequest MakeBatchRequest(absl::string_view transaction_id, absl::string_view sql,
                                         const std::vector<Params>& param_sets,
                                         const CallOptions& options, bool stop_on_error) {
  v1::ExecuteBatchRequest req;
  req.set_sql(std::string(sql));
  for (const Params& p : param_sets) FillParams(p, req.add_parameter_sets());
  *req.mutable_options() = ToProto(options);
  req.set_transaction_id(std::string(transaction_id));
  req.set_stop_on_error(stop_on_error);
  return req;
}

v1::ExecuteBatchRequest MakeStatementsRequest(absl::string_view transaction_id,
                                              const std::vector<Statement>& statements,
                                              const CallOptions& options, bool stop_on_error) {
  v1::ExecuteBatchRequest req;
  for (const Statement& s : statements) {
    v1::ExecuteBatchRequest::Statement* out = req.add_statements();
    out->set_sql(s.sql);
    FillParams(s.params, out);
  }
  *req.mutable_options() = ToProto(options);
  req.set_transaction_id(std::string(transaction_id));
  req.set_stop_on_error(stop_on_error);
  return req;
}

v1::BeginTransactionRequest MakeBeginRequest(const TransactionOptions& options) {
  v1::BeginTransactionRequest req;
  req.set_isolation(options.isolation);
  req.set_read_only(options.read_only);
  req.set_database(options.database);
  if (options.idle_timeout > absl::ZeroDuration()) {
    *req.mutable_idle_timeout() = ToProtoDuration(options.idle_timeout);
  }
  return req;
}

}  // namespace mysqlgw::client::internal
