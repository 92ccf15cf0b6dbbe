#include "clients/cpp/caller.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "clients/cpp/errors.h"

namespace mysqlgw::client::internal {

Caller::Caller(std::shared_ptr<grpc::Channel> channel, ClientOptions options)
    : channel_(std::move(channel)),
      stub_(v1::Gateway::NewStub(channel_)),
      changes_stub_(v1::ChangeStream::NewStub(channel_)),
      options_(std::move(options)) {}

void Caller::Prepare(grpc::ClientContext* context, absl::Duration timeout) const {
  if (!options_.token.empty()) {
    context->AddMetadata("authorization", absl::StrCat("Bearer ", options_.token));
  }
  if (timeout <= absl::ZeroDuration()) timeout = options_.default_timeout;
  if (timeout != absl::InfiniteDuration()) {
    context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  }
}

absl::StatusOr<QueryResult> Caller::Query(absl::string_view tx, absl::string_view sql,
                                          const Params& params, const CallOptions& options) const {
  grpc::ClientContext context;
  Prepare(&context, options.timeout);
  v1::QueryResponse response;
  grpc::Status s = stub_->Query(&context, MakeQueryRequest(tx, sql, params, options), &response);
  if (!s.ok()) return FromGrpcStatus(s);
  return FromProto(std::move(response));
}

absl::Status Caller::Stream(absl::string_view tx, absl::string_view sql, const Params& params,
                            const CallOptions& options, const RowCallback& on_row,
                            const HeaderCallback& on_header,
                            const FooterCallback& on_footer) const {
  if (!on_row) return absl::InvalidArgumentError("Stream needs a row callback");
  grpc::ClientContext context;
  Prepare(&context, options.timeout);
  std::unique_ptr<grpc::ClientReader<v1::StreamQueryResponse>> reader =
      stub_->StreamQuery(&context, MakeQueryRequest(tx, sql, params, options));
  // One chunk at a time: each is handed to the callbacks and overwritten by
  // the next, so memory stays at one chunk whatever the result's size.
  v1::StreamQueryResponse chunk;
  std::vector<v1::Column> columns;
  absl::Status stopped;
  while (stopped.ok() && reader->Read(&chunk)) {
    switch (chunk.chunk_case()) {
      case v1::StreamQueryResponse::kHeader:
        columns.assign(chunk.header().columns().begin(), chunk.header().columns().end());
        if (on_header) on_header(columns);
        break;
      case v1::StreamQueryResponse::kRows:
        for (const v1::Row& row : chunk.rows().rows()) {
          stopped = on_row(row);
          if (!stopped.ok()) break;
        }
        break;
      case v1::StreamQueryResponse::kFooter:
        if (on_footer) on_footer(chunk.footer());
        break;
      case v1::StreamQueryResponse::CHUNK_NOT_SET:
        break;
    }
  }
  if (!stopped.ok()) {
    // The caller stopped early: cancelling makes the gateway kill the
    // statement rather than produce rows nobody reads.
    context.TryCancel();
    while (reader->Read(&chunk)) {
    }
    (void)reader->Finish();
    return stopped;
  }
  return FromGrpcStatus(reader->Finish());
}

absl::StatusOr<v1::StatementOutcome> Caller::Execute(absl::string_view tx, absl::string_view sql,
                                                     const Params& params,
                                                     const CallOptions& options) const {
  grpc::ClientContext context;
  Prepare(&context, options.timeout);
  v1::ExecuteResponse response;
  grpc::Status s =
      stub_->Execute(&context, MakeExecuteRequest(tx, sql, params, options), &response);
  if (!s.ok()) return FromGrpcStatus(s);
  return std::move(*response.mutable_outcome());
}

absl::StatusOr<std::vector<v1::BatchItemResult>> Caller::Batch(v1::ExecuteBatchRequest request,
                                                               const CallOptions& options) const {
  grpc::ClientContext context;
  Prepare(&context, options.timeout);
  v1::ExecuteBatchResponse response;
  grpc::Status s = stub_->ExecuteBatch(&context, request, &response);
  if (!s.ok()) return FromGrpcStatus(s);
  std::vector<v1::BatchItemResult> out;
  out.reserve(response.results_size());
  for (v1::BatchItemResult& item : *response.mutable_results()) out.push_back(std::move(item));
  return out;
}

absl::StatusOr<std::string> Caller::Begin(const TransactionOptions& options) const {
  grpc::ClientContext context;
  Prepare(&context, options.timeout);
  v1::BeginTransactionResponse response;
  grpc::Status s = stub_->BeginTransaction(&context, MakeBeginRequest(options), &response);
  if (!s.ok()) return FromGrpcStatus(s);
  return std::move(*response.mutable_transaction_id());
}

absl::Status Caller::End(const std::string& tx, bool commit, absl::Duration timeout) const {
  grpc::ClientContext context;
  Prepare(&context, timeout);
  grpc::Status s;
  if (commit) {
    v1::CommitRequest req;
    req.set_transaction_id(tx);
    v1::CommitResponse resp;
    s = stub_->Commit(&context, req, &resp);
  } else {
    v1::RollbackRequest req;
    req.set_transaction_id(tx);
    v1::RollbackResponse resp;
    s = stub_->Rollback(&context, req, &resp);
  }
  return FromGrpcStatus(s);
}

std::unique_ptr<grpc::ClientReader<v1::StreamBinlogResponse>> Caller::StreamBinlog(
    grpc::ClientContext* context, const v1::StreamBinlogRequest& request,
    absl::Duration timeout) const {
  if (!options_.token.empty()) {
    context->AddMetadata("authorization", absl::StrCat("Bearer ", options_.token));
  }
  if (timeout > absl::ZeroDuration() && timeout != absl::InfiniteDuration()) {
    context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  }
  return changes_stub_->StreamBinlog(context, request);
}

}  // namespace mysqlgw::client::internal
