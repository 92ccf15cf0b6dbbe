// The calls themselves, shared by Client and Transaction (which add only a
// transaction id). Immutable after construction, so one Caller serves any
// number of threads, and a Transaction keeps it alive after its Client is
// gone.
#ifndef CLIENTS_CPP_CALLER_H_
#define CLIENTS_CPP_CALLER_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "clients/cpp/options.h"
#include "clients/cpp/params.h"
#include "clients/cpp/requests.h"
#include "clients/cpp/result.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "mysqlgw/v1/binlog.grpc.pb.h"
#include "mysqlgw/v1/gateway.grpc.pb.h"

namespace mysqlgw::client {

using RowCallback = std::function<absl::Status(const v1::Row&)>;
using HeaderCallback = std::function<void(const std::vector<v1::Column>&)>;
using FooterCallback = std::function<void(const v1::StreamQueryResponse::Footer&)>;

namespace internal {

class Caller {
 public:
  Caller(std::shared_ptr<grpc::Channel> channel, ClientOptions options);

  absl::StatusOr<QueryResult> Query(absl::string_view tx, absl::string_view sql,
                                    const Params& params, const CallOptions& options) const;
  absl::Status Stream(absl::string_view tx, absl::string_view sql, const Params& params,
                      const CallOptions& options, const RowCallback& on_row,
                      const HeaderCallback& on_header, const FooterCallback& on_footer) const;
  absl::StatusOr<v1::StatementOutcome> Execute(absl::string_view tx, absl::string_view sql,
                                               const Params& params,
                                               const CallOptions& options) const;
  absl::StatusOr<std::vector<v1::BatchItemResult>> Batch(v1::ExecuteBatchRequest request,
                                                         const CallOptions& options) const;
  absl::StatusOr<std::string> Begin(const TransactionOptions& options) const;
  absl::Status End(const std::string& tx, bool commit, absl::Duration timeout) const;
  // Starts StreamBinlog on `context` (authorization; the deadline `timeout`
  // if positive, else none: the default timeout does not apply to a stream
  // that follows the binlog for as long as it runs).
  std::unique_ptr<grpc::ClientReader<v1::StreamBinlogResponse>> StreamBinlog(
      grpc::ClientContext* context, const v1::StreamBinlogRequest& request,
      absl::Duration timeout) const;

  const ClientOptions& options() const { return options_; }

 private:
  // Authorization and deadline: `timeout` if positive, else the default.
  void Prepare(grpc::ClientContext* context, absl::Duration timeout) const;

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Gateway::Stub> stub_;
  std::unique_ptr<v1::ChangeStream::Stub> changes_stub_;
  ClientOptions options_;
};

}  // namespace internal
}  // namespace mysqlgw::client

#endif  // CLIENTS_CPP_CALLER_H_
