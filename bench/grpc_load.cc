#include "bench/grpc_load.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grpcpp/generic/generic_stub.h"
#include "mysqlgw/v1/gateway.grpc.pb.h"
#include "tools/cpp/runfiles/runfiles.h"

namespace mysqlgw::bench {

using Clock = std::chrono::steady_clock;
namespace v1 = mysqlgw::v1;


std::shared_ptr<grpc::Channel> NewChannel(const std::string& address) {
  grpc::ChannelArguments args;
  // A channel of its own per client thread: its own HTTP/2 connection.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

void Authorize(grpc::ClientContext* ctx, const std::string& token) {
  ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
}

namespace {

struct UnaryCall {
  int slot = 0;
  grpc::ClientContext ctx;
  v1::QueryRequest request;
  v1::QueryResponse response;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::QueryResponse>> rpc;
  // kGrpcOnly: grpc.health.v1.Health/Check, an empty request.
  grpc::ByteBuffer raw_request, raw_response;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> raw_rpc;
  Clock::time_point t0;
};

// kGrpcOnly measures the floor under any gateway call: the same client,
// channel and server, the gateway's health service, no database.
}  // namespace

LatencyResult RunGatewayLoad(const GatewayLoad& load) {
  const std::string& address = load.address;
  const int concurrency = load.concurrency;
  const Mode mode = load.mode;
  const double seconds = load.seconds;
  const int threads = std::max(1, std::min(load.client_threads, concurrency));
  std::vector<std::vector<double>> latencies(threads);
  std::atomic<int64_t> errors{0};
  std::atomic<bool> reported{false};
  const MeasureWindow window(seconds);
  std::vector<std::thread> runners;
  for (int t = 0; t < threads; ++t) {
    // Calls in flight on this thread: `concurrency` spread over the threads.
    const int slots = concurrency / threads + (t < concurrency % threads ? 1 : 0);
    runners.emplace_back([&, t, slots] {
      auto channel = NewChannel(address);
      auto stub = v1::Gateway::NewStub(channel);
      grpc::GenericStub generic(channel);
      grpc::CompletionQueue cq;
      std::mt19937 rng(t * 7919 + 1);
      std::uniform_int_distribution<int> id(1, kSbtestRows);
      latencies[t].reserve(400000);
      auto start = [&](std::unique_ptr<UnaryCall>& call, int slot) {
        call = std::make_unique<UnaryCall>();
        call->slot = slot;
        Authorize(&call->ctx, load.token);
        const int key = id(rng);
        switch (mode) {
          case Mode::kPrepared:
            call->request.set_sql(kPointSelectSql);
            call->request.add_params()->set_int64(key);
            break;
          case Mode::kText:
            call->request.set_sql(PointSelectTextSql(key));
            break;
          case Mode::kGrpcOnly: {
            grpc::Slice empty;
            call->raw_request = grpc::ByteBuffer(&empty, 1);
            break;
          }
        }
        call->t0 = Clock::now();
        if (mode == Mode::kGrpcOnly) {
          call->raw_rpc = generic.PrepareUnaryCall(&call->ctx, "/grpc.health.v1.Health/Check",
                                                   call->raw_request, &cq);
          call->raw_rpc->StartCall();
          call->raw_rpc->Finish(&call->raw_response, &call->status, call.get());
        } else {
          call->rpc = stub->AsyncQuery(&call->ctx, call->request, &cq);
          call->rpc->Finish(&call->response, &call->status, call.get());
        }
      };
      std::vector<std::unique_ptr<UnaryCall>> calls(slots);
      for (int i = 0; i < slots; ++i) start(calls[i], i);
      int in_flight = slots;
      void* tag = nullptr;
      bool ok = false;
      while (in_flight > 0 && cq.Next(&tag, &ok)) {
        const auto t1 = Clock::now();
        UnaryCall& call = *static_cast<UnaryCall*>(tag);
        const int slot = call.slot;
        const bool good =
            ok && call.status.ok() &&
            (mode == Mode::kGrpcOnly ? call.raw_response.Length() == 2
                                     : call.response.results_size() == 1 &&
                                           call.response.results(0).rows_size() == 1);
        if (!good) {
          ++errors;
          if (!reported.exchange(true)) {
            std::fprintf(stderr, "gateway call failed: %d %s\n",
                         static_cast<int>(call.status.error_code()),
                         call.status.error_message().c_str());
          }
        } else if (window.Measured(call.t0)) {
          latencies[t].push_back(MeasureWindow::Micros(call.t0, t1));
        }
        if (t1 < window.end) {
          start(calls[slot], slot);
        } else {
          calls[slot].reset();
          --in_flight;
        }
      }
      cq.Shutdown();
      while (cq.Next(&tag, &ok)) {
      }
    });
  }
  for (auto& r : runners) r.join();
  return Summarize(latencies, seconds, errors);
}


// Under `bazel run` the runfiles are found from argv[0]; GatewayProcess
// looks for a test's runfiles, or at MYSQLGW_GATEWAY_BINARY.
void LocateGateway(const char* argv0) {
  if (const char* p = std::getenv("MYSQLGW_GATEWAY_BINARY"); p != nullptr && *p) return;
  std::string error;
  std::unique_ptr<bazel::tools::cpp::runfiles::Runfiles> runfiles(
      bazel::tools::cpp::runfiles::Runfiles::Create(argv0, &error));
  if (runfiles == nullptr) return;
  const std::string path = runfiles->Rlocation("mysqlgw/server/gateway/mysqlgw");
  if (!path.empty()) setenv("MYSQLGW_GATEWAY_BINARY", path.c_str(), 1);
}


}  // namespace mysqlgw::bench
