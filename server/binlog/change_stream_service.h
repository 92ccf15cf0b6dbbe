// The gRPC face of change data capture: mysqlgw.v1.ChangeStream.
#ifndef SERVER_BINLOG_CHANGE_STREAM_SERVICE_H_
#define SERVER_BINLOG_CHANGE_STREAM_SERVICE_H_

#include "grpcpp/grpcpp.h"
#include "mysqlgw/v1/binlog.grpc.pb.h"
#include "mysqlwire/connect_options.h"
#include "server/binlog/change_stream.h"
#include "server/binlog/stream_registry.h"
#include "server/auth/authenticator.h"
#include "server/gateway/event_loops.h"
#include "server/gateway/gateway_metrics.h"
#include "server/log/access_log.h"

namespace mysqlgw {

class ChangeStreamService final
    : public v1::ChangeStream::WithRawCallbackMethod_StreamBinlog<v1::ChangeStream::Service> {
 public:
  // `metrics` may be null; so may `streams` (where open streams are listed
  // for /statusz; must outlive the service).
  ChangeStreamService(EventLoops& loops, const Authenticator& authenticator,
                      mysqlwire::ConnectOptions backend, GatewayMetrics* metrics = nullptr,
                      ChangeStreamLimits limits = {}, StreamRegistry* streams = nullptr)
      : loops_(loops),
        authenticator_(authenticator),
        backend_(std::move(backend)),
        metrics_(metrics),
        limits_(std::move(limits)),
        streams_(streams) {}

  // Each stream's end is written here (may be null: not logged). Set
  // before serving.
  void set_access_log(AccessLog* log) { access_log_ = log; }

  grpc::ServerWriteReactor<grpc::ByteBuffer>* StreamBinlog(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request) override;

 private:
  EventLoops& loops_;
  const Authenticator& authenticator_;
  mysqlwire::ConnectOptions backend_;
  GatewayMetrics* metrics_;
  ChangeStreamLimits limits_;
  StreamRegistry* streams_;  // May be null: open streams are not listed.
  AccessLog* access_log_ = nullptr;
};

}  // namespace mysqlgw

#endif  // SERVER_BINLOG_CHANGE_STREAM_SERVICE_H_
