// Digest cost on the statements the gateway sees most. Run with
//   bazel run -c opt //server/sql:digest_benchmark
#include <string>

#include "benchmark/benchmark.h"
#include "server/sql/digest.h"

namespace mysqlgw {
namespace {

void Run(benchmark::State& state, const std::string& sql) {
  for (auto _ : state) {
    StatementDigest d = DigestStatement(sql);
    benchmark::DoNotOptimize(d);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * sql.size()));
}

// About 100 bytes, the typical hot-path statement.
void BM_PointSelect(benchmark::State& state) {
  Run(state, "SELECT id, name, email, created_at FROM users WHERE id = 12345 AND tenant_id = 42 "
             "LIMIT 1");
}
BENCHMARK(BM_PointSelect);

void BM_JoinWithSubquery(benchmark::State& state) {
  Run(state,
      "SELECT o.id, c.name, SUM(i.price * i.qty) AS total FROM orders o "
      "JOIN customers c ON c.id = o.customer_id LEFT JOIN items i ON i.order_id = o.id "
      "WHERE o.status IN ('new', 'paid', 'shipped') AND o.created_at > '2024-01-01' "
      "AND c.id NOT IN (SELECT customer_id FROM blocked WHERE reason <> 'test') "
      "GROUP BY o.id, c.name HAVING total > 100.5 ORDER BY total DESC LIMIT 50");
}
BENCHMARK(BM_JoinWithSubquery);

void BM_InsertManyRows(benchmark::State& state) {
  std::string sql = "INSERT INTO events (id, kind, payload) VALUES ";
  for (int i = 0; i < 1000; ++i) {
    if (i > 0) sql += ", ";
    sql += "(" + std::to_string(i) + ", 'click', '{\"x\": " + std::to_string(i * 7) + "}')";
  }
  Run(state, sql);
}
BENCHMARK(BM_InsertManyRows);

}  // namespace
}  // namespace mysqlgw

BENCHMARK_MAIN();
