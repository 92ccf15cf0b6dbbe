// The gRPC face of the gateway: one reactor per call (gRPC's callback API),
// each authenticating the caller and running the call as a coroutine on the
// event loop of its shard. No gRPC thread ever waits for the database.
//
// Methods are registered "raw" (ByteBuffer in, ByteBuffer out) and parse
// their own requests: gRPC 1.51 answers UNIMPLEMENTED for a request it
// cannot deserialize (e.g. invalid UTF-8 in a string field), where callers
// are owed INVALID_ARGUMENT and a reason.
#ifndef SERVER_GATEWAY_GRPC_SERVICE_H_
#define SERVER_GATEWAY_GRPC_SERVICE_H_

#include <atomic>
#include <memory>

#include "grpcpp/grpcpp.h"
#include "mysqlgw/v1/gateway.grpc.pb.h"
#include "server/auth/authenticator.h"
#include "server/gateway/gateway.h"
#include "server/gateway/gateway_metrics.h"

namespace mysqlgw {

using RawGatewayService = v1::Gateway::WithRawCallbackMethod_Query<
    v1::Gateway::WithRawCallbackMethod_StreamQuery<
        v1::Gateway::WithRawCallbackMethod_Execute<
            v1::Gateway::WithRawCallbackMethod_ExecuteBatch<
                v1::Gateway::WithRawCallbackMethod_BeginTransaction<
                    v1::Gateway::WithRawCallbackMethod_Commit<
                        v1::Gateway::WithRawCallbackMethod_Rollback<v1::Gateway::Service>>>>>>>;

class GatewayService final : public RawGatewayService {
 public:
  // `metrics` may be null (no metrics recorded).
  GatewayService(Gateway& gateway, const Authenticator& authenticator,
                 GatewayMetrics* metrics = nullptr)
      : gateway_(gateway), authenticator_(authenticator), metrics_(metrics) {}

  // Shutdown, first step: calls from now on fail with UNAVAILABLE (clients
  // retry elsewhere) while those in flight finish.
  void BeginDrain() { draining_.store(true); }
  // Calls started and not yet finished.
  int64_t in_flight() const { return in_flight_.load(); }

  using Raw = grpc::ByteBuffer;
  grpc::ServerUnaryReactor* Query(grpc::CallbackServerContext* context, const Raw* request,
                                  Raw* response) override;
  grpc::ServerWriteReactor<Raw>* StreamQuery(grpc::CallbackServerContext* context,
                                             const Raw* request) override;
  grpc::ServerUnaryReactor* Execute(grpc::CallbackServerContext* context, const Raw* request,
                                    Raw* response) override;
  grpc::ServerUnaryReactor* ExecuteBatch(grpc::CallbackServerContext* context,
                                         const Raw* request, Raw* response) override;
  grpc::ServerUnaryReactor* BeginTransaction(grpc::CallbackServerContext* context,
                                             const Raw* request, Raw* response) override;
  grpc::ServerUnaryReactor* Commit(grpc::CallbackServerContext* context, const Raw* request,
                                   Raw* response) override;
  grpc::ServerUnaryReactor* Rollback(grpc::CallbackServerContext* context, const Raw* request,
                                     Raw* response) override;

 private:
  // Parses the request, authenticates, and runs
  // body(call, control, request, response) on the call's event loop.
  template <typename Request, typename Response, typename Body>
  grpc::ServerUnaryReactor* ServeUnary(RpcMethod method, grpc::CallbackServerContext* context,
                                       const Raw* raw_request, Raw* raw_response, Body body);
  // Converts, records and finishes.
  template <typename Reactor>
  void Finish(Reactor* reactor, RpcMethod method, std::chrono::steady_clock::time_point start,
              const absl::Status& status);

  // Counts a new call; false when draining (the caller then finishes it).
  bool Admit() {
    in_flight_.fetch_add(1);
    return !draining_.load();
  }

  Gateway& gateway_;
  const Authenticator& authenticator_;
  GatewayMetrics* metrics_;
  std::atomic<bool> draining_{false};
  std::atomic<int64_t> in_flight_{0};
};

}  // namespace mysqlgw

#endif  // SERVER_GATEWAY_GRPC_SERVICE_H_
