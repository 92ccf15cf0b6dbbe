// The gRPC face of the gateway: one reactor per call (gRPC's callback API),
// each authenticating the caller and running the call as a coroutine on the
// event loop of its shard. No gRPC thread ever waits for the database.
#ifndef SERVER_GATEWAY_GRPC_SERVICE_H_
#define SERVER_GATEWAY_GRPC_SERVICE_H_

#include <memory>

#include "grpcpp/grpcpp.h"
#include "mysqlgw/v1/gateway.grpc.pb.h"
#include "server/auth/authenticator.h"
#include "server/gateway/gateway.h"

namespace mysqlgw {

class GatewayService final : public v1::Gateway::CallbackService {
 public:
  GatewayService(Gateway& gateway, const Authenticator& authenticator)
      : gateway_(gateway), authenticator_(authenticator) {}

  grpc::ServerUnaryReactor* Query(grpc::CallbackServerContext* context,
                                  const v1::QueryRequest* request,
                                  v1::QueryResponse* response) override;
  grpc::ServerWriteReactor<v1::StreamQueryResponse>* StreamQuery(
      grpc::CallbackServerContext* context, const v1::QueryRequest* request) override;
  grpc::ServerUnaryReactor* Execute(grpc::CallbackServerContext* context,
                                    const v1::ExecuteRequest* request,
                                    v1::ExecuteResponse* response) override;
  grpc::ServerUnaryReactor* ExecuteBatch(grpc::CallbackServerContext* context,
                                         const v1::ExecuteBatchRequest* request,
                                         v1::ExecuteBatchResponse* response) override;
  grpc::ServerUnaryReactor* BeginTransaction(grpc::CallbackServerContext* context,
                                             const v1::BeginTransactionRequest* request,
                                             v1::BeginTransactionResponse* response) override;
  grpc::ServerUnaryReactor* Commit(grpc::CallbackServerContext* context,
                                   const v1::CommitRequest* request,
                                   v1::CommitResponse* response) override;
  grpc::ServerUnaryReactor* Rollback(grpc::CallbackServerContext* context,
                                     const v1::RollbackRequest* request,
                                     v1::RollbackResponse* response) override;

 private:
  template <typename Body>
  grpc::ServerUnaryReactor* ServeUnary(grpc::CallbackServerContext* context,
                                       const std::string& transaction_id, Body body);

  Gateway& gateway_;
  const Authenticator& authenticator_;
};

}  // namespace mysqlgw

#endif  // SERVER_GATEWAY_GRPC_SERVICE_H_
