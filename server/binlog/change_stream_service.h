// The gRPC face of change data capture: mysqlgw.v1.ChangeStream.
#ifndef SERVER_BINLOG_CHANGE_STREAM_SERVICE_H_
#define SERVER_BINLOG_CHANGE_STREAM_SERVICE_H_

#include "grpcpp/grpcpp.h"
#include "mysqlgw/v1/binlog.grpc.pb.h"
#include "mysqlwire/connect_options.h"
#include "server/auth/authenticator.h"
#include "server/gateway/event_loops.h"
#include "server/gateway/gateway_metrics.h"

namespace mysqlgw {

class ChangeStreamService final
    : public v1::ChangeStream::WithRawCallbackMethod_StreamBinlog<v1::ChangeStream::Service> {
 public:
  // `metrics` may be null.
  ChangeStreamService(EventLoops& loops, const Authenticator& authenticator,
                      mysqlwire::ConnectOptions backend, GatewayMetrics* metrics = nullptr)
      : loops_(loops),
        authenticator_(authenticator),
        backend_(std::move(backend)),
        metrics_(metrics) {}

  grpc::ServerWriteReactor<grpc::ByteBuffer>* StreamBinlog(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request) override;

 private:
  EventLoops& loops_;
  const Authenticator& authenticator_;
  mysqlwire::ConnectOptions backend_;
  GatewayMetrics* metrics_;
};

}  // namespace mysqlgw

#endif  // SERVER_BINLOG_CHANGE_STREAM_SERVICE_H_
