#include "server/binlog/change_stream_service.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "boost/asio/co_spawn.hpp"
#include "server/binlog/change_stream.h"
#include "server/gateway/access_logging.h"
#include "server/gateway/call_control.h"
#include "server/gateway/grpc_call.h"
#include "server/intercept/client_address.h"
#include "server/status/grpc_status.h"

namespace mysqlgw {
namespace asio = boost::asio;

namespace {

class BinlogCall : public AwaitableWriteReactor, public ChangeSink {
 public:
  using AwaitableWriteReactor::AwaitableWriteReactor;
  v1::StreamBinlogRequest request;

  asio::awaitable<absl::Status> Write(const std::string& response) override {
    ++access.stats.rows;  // For the access log: messages sent, and bytes.
    access.stats.bytes += response.size();
    co_return co_await WriteMessage(response);
  }

  struct {
    std::string principal;
    std::string peer;
    CallStats stats;
  } access;
};

}  // namespace

grpc::ServerWriteReactor<grpc::ByteBuffer>* ChangeStreamService::StreamBinlog(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request) {
  const auto start = std::chrono::steady_clock::now();
  GatewayMetrics* metrics = metrics_;
  AccessLog* access_log = access_log_;
  auto finish = [metrics, access_log, start](BinlogCall* call, const absl::Status& status) {
    grpc::Status g = ToGrpcStatus(status);
    if (metrics != nullptr) {
      metrics->RecordRpc(RpcMethod::kStreamBinlog, static_cast<absl::StatusCode>(g.error_code()),
                         std::chrono::steady_clock::now() - start);
    }
    if (access_log != nullptr) {
      access_log->Write(MakeAccessRecord(
          "grpc", RpcMethodName(RpcMethod::kStreamBinlog), std::move(call->access.principal),
          std::move(call->access.peer), std::move(call->access.stats), status,
          std::chrono::steady_clock::now() - start));
    }
    call->Finish(g);
  };
  const size_t shard = loops_.Next();
  asio::io_context& loop = loops_.loop(shard);
  auto* call = new BinlogCall(context, loop);
  if (access_log != nullptr) {
    call->access.peer = ClientAddress::FromGrpcPeer(context->peer()).ToString();
  }
  if (absl::Status s = ParseRequest(raw_request, &call->request); !s.ok()) {
    finish(call, s);
    return call;
  }
  absl::StatusOr<std::shared_ptr<const Principal>> principal =
      authenticator_.Authenticate(AuthorizationHeader(context));
  if (!principal.ok()) {
    finish(call, principal.status());
    return call;
  }
  call->access.principal = (*principal)->name;
  if (!(*principal)->Allows(v1::OPERATION_BINLOG)) {
    finish(call, absl::PermissionDeniedError(absl::StrCat(
                     "principal '", (*principal)->name, "' may not read the binlog")));
    return call;
  }
  auto control = std::make_shared<CallControl>(loop);
  call->set_control(control);
  asio::co_spawn(
      loop,
      [this, call, control, principal = *std::move(principal),
       peer = context->peer()]() -> asio::awaitable<absl::Status> {
        const uint32_t server_id = AcquireReplicaServerId();
        if (metrics_ != nullptr) metrics_->StreamOpened();
        ChangeStreamLimits limits = limits_;
        if (streams_ != nullptr) {
          StreamRegistry* streams = streams_;
          limits.on_reconnect = [streams] { streams->CountReconnect(); };
          if (call->request.has_resume_token()) streams->CountResume();
        }
        ChangeStream stream(backend_, call->request, principal, server_id, std::move(limits));
        std::unique_ptr<StreamHandle> listed;
        if (streams_ != nullptr) {
          StreamIdentity identity;
          identity.principal = principal->name;
          identity.peer = peer;
          identity.mode = call->request.mode() == v1::StreamBinlogRequest::MODE_UNTIL_NOW
                              ? "until_now"
                              : "follow";
          identity.replica_server_id = server_id;
          listed = streams_->Open(std::move(identity));
          stream.set_progress(listed.get());
        }
        absl::Status s = co_await stream.Run(*call, *control);
        if (metrics_ != nullptr) metrics_->StreamClosed();
        ReleaseReplicaServerId(server_id);
        co_return s;
      },
      [call, finish](std::exception_ptr e, absl::Status status) {
        if (e) status = absl::InternalError("internal error serving the stream");
        finish(call, status);
      });
  return call;
}

}  // namespace mysqlgw
