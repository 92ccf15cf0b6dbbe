#include "server/gateway/grpc_service.h"

#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "boost/asio/as_tuple.hpp"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "server/gateway/access_logging.h"
#include "server/gateway/call_control.h"
#include "server/gateway/grpc_call.h"
#include "server/gateway/stream_chunker.h"
#include "server/status/grpc_status.h"

namespace mysqlgw {
namespace asio = boost::asio;

namespace {

// Who called and what the call did, for its access log line; filled only
// while the access log is on.
struct CallAccess {
  std::string principal;
  std::string peer;
  CallStats stats;
};

// The transaction a request belongs to (it decides the call's event loop).
template <typename Request>
const std::string& TransactionIdOf(const Request& request) {
  return request.transaction_id();
}
inline const std::string& TransactionIdOf(const v1::BeginTransactionRequest&) {
  static const std::string kNone;
  return kNone;
}

// A unary call's reactor, owning its typed request and response.
template <typename Request, typename Response>
class UnaryCall : public grpc::ServerUnaryReactor {
 public:
  explicit UnaryCall(grpc::CallbackServerContext* context) : context_(context) {}
  void set_control(std::shared_ptr<CallControl> control) { control_ = std::move(control); }
  void OnCancel() override {
    if (control_) control_->Cancel(CancelReason(context_));
  }
  void OnDone() override { delete this; }

  Request request;
  Response response;
  CallAccess access;

 private:
  grpc::CallbackServerContext* context_;
  std::shared_ptr<CallControl> control_;
};

// StreamQuery: a write reactor that is also the ResultSink the gateway
// feeds. Rows accumulate, serialized, into a chunk; a full chunk is written
// and the executor waits for the write to complete before reading on, so
// memory stays at about two chunks however large the result.
class StreamCall : public AwaitableWriteReactor, public ResultSink {
 public:
  StreamCall(grpc::CallbackServerContext* context, asio::io_context& loop, size_t chunk_bytes)
      : AwaitableWriteReactor(context, loop), chunker_(chunk_bytes) {}

  v1::QueryRequest request;
  CallAccess access;

  absl::Status BeginResult(const std::vector<mysqlwire::ColumnDefinition>& columns) override {
    chunker_.BeginResult(columns);
    return absl::OkStatus();
  }
  absl::Status AddRow(std::vector<mysqlwire::Value>& row) override {
    chunker_.AddRow(row);
    return absl::OkStatus();
  }
  absl::Status EndResult(const mysqlwire::OkPacket& ok) override {
    chunker_.EndResult(ok);
    return absl::OkStatus();
  }
  bool WantsFlush() const override { return chunker_.HasMessage(); }
  asio::awaitable<absl::Status> Flush() override {
    while (chunker_.HasMessage()) {
      absl::Status s = co_await WriteMessage(chunker_.TakeMessage());
      if (!s.ok()) co_return s;
    }
    co_return absl::OkStatus();
  }
  bool Rewind() override {
    if (wrote_any()) return false;
    chunker_.Clear();
    return true;
  }

 private:
  StreamChunker chunker_;
};

}  // namespace

template <typename Reactor>
void GatewayService::Finish(Reactor* reactor, RpcMethod method,
                            std::chrono::steady_clock::time_point start,
                            const absl::Status& status) {
  grpc::Status g = ToGrpcStatus(status);
  if (metrics_ != nullptr) {
    metrics_->RecordRpc(method, static_cast<absl::StatusCode>(g.error_code()),
                        std::chrono::steady_clock::now() - start);
  }
  if (AccessLog* log = gateway_.access_log()) {
    CallAccess& a = reactor->access;
    log->Write(MakeAccessRecord("grpc", RpcMethodName(method), std::move(a.principal),
                                std::move(a.peer), std::move(a.stats), status,
                                std::chrono::steady_clock::now() - start));
  }
  reactor->Finish(g);
  in_flight_.fetch_sub(1);
}

template <typename Request, typename Response, typename Body>
grpc::ServerUnaryReactor* GatewayService::ServeUnary(RpcMethod method,
                                                     grpc::CallbackServerContext* context,
                                                     const Raw* raw_request, Raw* raw_response,
                                                     Body body) {
  const auto start = std::chrono::steady_clock::now();
  auto* reactor = new UnaryCall<Request, Response>(context);
  AccessLog* access_log = gateway_.access_log();
  if (access_log != nullptr) {
    reactor->access.peer = ClientAddress::FromGrpcPeer(context->peer()).ToString();
  }
  if (!Admit()) {
    Finish(reactor, method, start, absl::UnavailableError("the gateway is shutting down"));
    return reactor;
  }
  if (absl::Status parsed = ParseRequest(raw_request, &reactor->request); !parsed.ok()) {
    Finish(reactor, method, start, parsed);
    return reactor;
  }
  absl::StatusOr<std::shared_ptr<const Principal>> principal =
      authenticator_.Authenticate(AuthorizationHeader(context));
  if (!principal.ok()) {
    Finish(reactor, method, start, principal.status());
    return reactor;
  }
  absl::StatusOr<size_t> shard = gateway_.ShardFor(TransactionIdOf(reactor->request));
  if (!shard.ok()) {
    Finish(reactor, method, start, shard.status());
    return reactor;
  }
  auto control = std::make_shared<CallControl>(gateway_.loop(*shard));
  reactor->set_control(control);
  CallInfo info;
  info.principal = *std::move(principal);
  info.shard = *shard;
  info.deadline = SteadyDeadline(context);
  info.client.principal = info.principal->name;
  info.client.address = ClientAddress::FromGrpcPeer(context->peer());
  if (access_log != nullptr) {
    reactor->access.principal = info.principal->name;
    reactor->access.stats.collect_params = access_log->log_parameter_values();
    info.stats = &reactor->access.stats;
  }
  asio::co_spawn(
      gateway_.loop(*shard),
      [body = std::move(body), info = std::move(info), control,
       reactor]() mutable -> asio::awaitable<absl::Status> {
        co_return co_await body(info, *control, reactor->request, &reactor->response);
      },
      [this, reactor, raw_response, method, start](std::exception_ptr e, absl::Status status) {
        if (e) status = absl::InternalError("internal error serving the call");
        if (status.ok()) SerializeResponse(reactor->response, raw_response);
        Finish(reactor, method, start, status);
      });
  return reactor;
}

grpc::ServerUnaryReactor* GatewayService::Query(grpc::CallbackServerContext* context,
                                                const Raw* request, Raw* response) {
  const v1::LimitsConfig& limits = gateway_.limits();
  return ServeUnary<v1::QueryRequest, v1::QueryResponse>(
      RpcMethod::kQuery, context, request, response,
      [this, &limits](const CallInfo& call, CallControl& control, const v1::QueryRequest& req,
                      v1::QueryResponse* resp) -> asio::awaitable<absl::Status> {
        const uint64_t max_rows =
            req.options().max_rows() > 0 ? req.options().max_rows() : limits.default_max_rows();
        const uint64_t max_bytes = req.options().max_bytes() > 0 ? req.options().max_bytes()
                                                                 : limits.default_max_bytes();
        BufferedSink sink(resp, max_rows, max_bytes);
        co_return co_await gateway_.Query(call, req, sink, control);
      });
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* GatewayService::StreamQuery(
    grpc::CallbackServerContext* context, const Raw* raw_request) {
  const auto start = std::chrono::steady_clock::now();
  constexpr RpcMethod kMethod = RpcMethod::kStreamQuery;
  v1::QueryRequest request;
  absl::Status parsed = ParseRequest(raw_request, &request);
  absl::StatusOr<size_t> shard = gateway_.ShardFor(request.transaction_id());
  asio::io_context& loop = gateway_.loop(shard.ok() ? *shard : 0);
  auto* reactor = new StreamCall(context, loop, gateway_.limits().stream_chunk_bytes());
  AccessLog* access_log = gateway_.access_log();
  if (access_log != nullptr) {
    reactor->access.peer = ClientAddress::FromGrpcPeer(context->peer()).ToString();
  }
  if (!Admit()) {
    Finish(reactor, kMethod, start, absl::UnavailableError("the gateway is shutting down"));
    return reactor;
  }
  if (!parsed.ok()) {
    Finish(reactor, kMethod, start, parsed);
    return reactor;
  }
  if (!shard.ok()) {
    Finish(reactor, kMethod, start, shard.status());
    return reactor;
  }
  absl::StatusOr<std::shared_ptr<const Principal>> principal =
      authenticator_.Authenticate(AuthorizationHeader(context));
  if (!principal.ok()) {
    Finish(reactor, kMethod, start, principal.status());
    return reactor;
  }
  reactor->request = std::move(request);
  auto control = std::make_shared<CallControl>(loop);
  reactor->set_control(control);
  CallInfo info;
  info.principal = *std::move(principal);
  info.shard = *shard;
  info.deadline = SteadyDeadline(context);
  info.client.principal = info.principal->name;
  info.client.address = ClientAddress::FromGrpcPeer(context->peer());
  if (access_log != nullptr) {
    reactor->access.principal = info.principal->name;
    reactor->access.stats.collect_params = access_log->log_parameter_values();
    info.stats = &reactor->access.stats;
  }
  asio::co_spawn(
      loop,
      [this, reactor, info = std::move(info), control]() -> asio::awaitable<absl::Status> {
        co_return co_await gateway_.Query(info, reactor->request, *reactor, *control);
      },
      [this, reactor, start](std::exception_ptr e, absl::Status status) {
        if (e) status = absl::InternalError("internal error serving the call");
        Finish(reactor, kMethod, start, status);
      });
  return reactor;
}

grpc::ServerUnaryReactor* GatewayService::Execute(grpc::CallbackServerContext* context,
                                                  const Raw* request, Raw* response) {
  return ServeUnary<v1::ExecuteRequest, v1::ExecuteResponse>(
      RpcMethod::kExecute, context, request, response,
      [this](const CallInfo& call, CallControl& control, const v1::ExecuteRequest& req,
             v1::ExecuteResponse* resp) -> asio::awaitable<absl::Status> {
        co_return co_await gateway_.Execute(call, req, resp, control);
      });
}

grpc::ServerUnaryReactor* GatewayService::ExecuteBatch(grpc::CallbackServerContext* context,
                                                       const Raw* request, Raw* response) {
  return ServeUnary<v1::ExecuteBatchRequest, v1::ExecuteBatchResponse>(
      RpcMethod::kExecuteBatch, context, request, response,
      [this](const CallInfo& call, CallControl& control, const v1::ExecuteBatchRequest& req,
             v1::ExecuteBatchResponse* resp) -> asio::awaitable<absl::Status> {
        co_return co_await gateway_.ExecuteBatch(call, req, resp, control);
      });
}

grpc::ServerUnaryReactor* GatewayService::BeginTransaction(grpc::CallbackServerContext* context,
                                                           const Raw* request, Raw* response) {
  return ServeUnary<v1::BeginTransactionRequest, v1::BeginTransactionResponse>(
      RpcMethod::kBeginTransaction, context, request, response,
      [this](const CallInfo& call, CallControl& control, const v1::BeginTransactionRequest& req,
             v1::BeginTransactionResponse* resp) -> asio::awaitable<absl::Status> {
        co_return co_await gateway_.BeginTransaction(call, req, resp, control);
      });
}

grpc::ServerUnaryReactor* GatewayService::Commit(grpc::CallbackServerContext* context,
                                                 const Raw* request, Raw* response) {
  return ServeUnary<v1::CommitRequest, v1::CommitResponse>(
      RpcMethod::kCommit, context, request, response,
      [this](const CallInfo& call, CallControl& control, const v1::CommitRequest& req,
             v1::CommitResponse*) -> asio::awaitable<absl::Status> {
        co_return co_await gateway_.EndTransaction(call, req.transaction_id(), /*commit=*/true,
                                                   control);
      });
}

grpc::ServerUnaryReactor* GatewayService::Rollback(grpc::CallbackServerContext* context,
                                                   const Raw* request, Raw* response) {
  return ServeUnary<v1::RollbackRequest, v1::RollbackResponse>(
      RpcMethod::kRollback, context, request, response,
      [this](const CallInfo& call, CallControl& control, const v1::RollbackRequest& req,
             v1::RollbackResponse*) -> asio::awaitable<absl::Status> {
        co_return co_await gateway_.EndTransaction(call, req.transaction_id(), /*commit=*/false,
                                                   control);
      });
}

}  // namespace mysqlgw
