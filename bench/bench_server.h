// The MariaDB server a benchmark measures against: the one named by --dsn,
// or a private sandbox started for the run (and stopped with it).
#ifndef MYSQLGW_BENCH_BENCH_SERVER_H_
#define MYSQLGW_BENCH_BENCH_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "testing/sandbox.h"

namespace mysqlgw::bench {

struct BenchServer {
  std::unique_ptr<testing::Sandbox> sandbox;  // Null for a --dsn server.
  testing::ServerInfo info;
};

// `dsn` empty: a sandbox.
absl::StatusOr<BenchServer> ServerForBench(const std::string& dsn);

}  // namespace mysqlgw::bench

#endif  // MYSQLGW_BENCH_BENCH_SERVER_H_
