// The load generator the gateway benchmarks share: an asynchronous gRPC
// client (CompletionQueue API) keeping `concurrency` point-select Query
// calls in flight on up to `client_threads` threads, each with its own
// channel (own HTTP/2 connection).
#ifndef MYSQLGW_BENCH_GRPC_LOAD_H_
#define MYSQLGW_BENCH_GRPC_LOAD_H_

#include <memory>
#include <string>

#include "bench/point_select.h"
#include "grpcpp/grpcpp.h"

namespace mysqlgw::bench {

enum class Mode {
  kPrepared,  // The SQL with `?` and one int64 parameter.
  kText,      // The id inlined, no parameters.
  kGrpcOnly,  // grpc.health.v1 Check: the gRPC round trip alone.
};

struct GatewayLoad {
  std::string address;
  std::string token;
  int concurrency = 1;
  Mode mode = Mode::kPrepared;
  double seconds = 5;
  int client_threads = 2;
};

LatencyResult RunGatewayLoad(const GatewayLoad& load);

std::shared_ptr<grpc::Channel> NewChannel(const std::string& address);
void Authorize(grpc::ClientContext* ctx, const std::string& token);

// Under `bazel run` the gateway binary is found in the runfiles from
// argv[0]; GatewayProcess looks for it at MYSQLGW_GATEWAY_BINARY.
void LocateGateway(const char* argv0);

}  // namespace mysqlgw::bench

#endif  // MYSQLGW_BENCH_GRPC_LOAD_H_
