#include "bench/bench_server.h"

namespace mysqlgw::bench {

absl::StatusOr<BenchServer> ServerForBench(const std::string& dsn) {
  BenchServer out;
  if (!dsn.empty()) {
    absl::StatusOr<testing::ServerInfo> parsed = testing::ParseDsn(dsn);
    if (!parsed.ok()) return parsed.status();
    out.info = *std::move(parsed);
    return out;
  }
  absl::StatusOr<std::unique_ptr<testing::Sandbox>> started = testing::Sandbox::Start();
  if (!started.ok()) return started.status();
  out.sandbox = *std::move(started);
  out.info = out.sandbox->info();
  return out;
}

}  // namespace mysqlgw::bench
