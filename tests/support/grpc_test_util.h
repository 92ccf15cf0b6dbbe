// Small helpers the end-to-end tests share: the MySQL error detail of a
// gRPC status, and polling for something that happens asynchronously (a
// reload, a health check).
#ifndef TESTS_SUPPORT_GRPC_TEST_UTIL_H_
#define TESTS_SUPPORT_GRPC_TEST_UTIL_H_

#include <chrono>
#include <thread>

#include "google/rpc/status.pb.h"
#include "grpcpp/grpcpp.h"
#include "mysqlgw/v1/gateway.pb.h"

namespace mysqlgw::testing {

// The MySqlError in the status details; empty when there is none.
inline v1::MySqlError DetailOf(const grpc::Status& s) {
  google::rpc::Status rich;
  v1::MySqlError error;
  if (rich.ParseFromString(s.error_details()) && rich.details_size() > 0) {
    rich.details(0).UnpackTo(&error);
  }
  return error;
}

// Polls `pred` every 50 ms until it holds, for up to `limit`.
template <typename Pred>
bool Eventually(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (true) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace mysqlgw::testing

#endif  // TESTS_SUPPORT_GRPC_TEST_UTIL_H_
