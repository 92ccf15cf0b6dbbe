#include "bench/point_select.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"

namespace mysqlgw::bench {

std::string PointSelectTextSql(int id) {
  return absl::StrCat("SELECT c FROM sbtest WHERE id = ", id);
}

LatencyResult Summarize(const std::vector<std::vector<double>>& per_worker, double seconds,
                        int64_t errors) {
  std::vector<double> all;
  for (const auto& v : per_worker) all.insert(all.end(), v.begin(), v.end());
  LatencyResult r;
  r.errors = errors;
  if (all.empty()) return r;
  std::sort(all.begin(), all.end());
  r.qps = all.size() / seconds;
  r.p50_us = all[all.size() / 2];
  r.p99_us = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  return r;
}

MeasureWindow::MeasureWindow(double seconds)
    : warmup_end(Clock::now() + std::chrono::milliseconds(500)),
      end(warmup_end +
          std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds))) {}

MYSQL* ConnectLibmariadb(const DirectTarget& target) {
  MYSQL* m = mysql_init(nullptr);
  unsigned int ssl_off = 0;
  mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &ssl_off);
  if (!mysql_real_connect(m, target.host.c_str(), target.user.c_str(), target.password.c_str(),
                          target.database.c_str(), target.port, nullptr, 0)) {
    std::fprintf(stderr, "connect: %s\n", mysql_error(m));
    mysql_close(m);
    return nullptr;
  }
  return m;
}

bool CreateSbtestTable(const DirectTarget& target) {
  MYSQL* m = ConnectLibmariadb(target);
  if (m == nullptr) return false;
  bool ok = true;
  for (const std::string& sql :
       {std::string("DROP TABLE IF EXISTS sbtest"),
        std::string("CREATE TABLE sbtest (id INT PRIMARY KEY, k INT NOT NULL, "
                    "c CHAR(120) NOT NULL, pad CHAR(60) NOT NULL)"),
        absl::StrCat("INSERT INTO sbtest SELECT seq, seq % 1000, "
                     "RPAD(CONCAT('c-', seq), 120, '-'), RPAD('p', 60, '-') "
                     "FROM seq_1_to_",
                     kSbtestRows)}) {
    if (mysql_real_query(m, sql.data(), sql.size()) != 0) {
      std::fprintf(stderr, "%s: %s\n", sql.c_str(), mysql_error(m));
      ok = false;
      break;
    }
  }
  mysql_close(m);
  return ok;
}

namespace {

// One worker's connection and, when prepared, its statement with the id
// parameter and the result column bound.
class PointSelectConnection {
 public:
  PointSelectConnection() = default;
  PointSelectConnection(const PointSelectConnection&) = delete;
  PointSelectConnection& operator=(const PointSelectConnection&) = delete;
  ~PointSelectConnection() {
    if (stmt_ != nullptr) mysql_stmt_close(stmt_);
    if (m_ != nullptr) mysql_close(m_);
  }

  bool Open(const DirectTarget& target, bool prepared) {
    m_ = ConnectLibmariadb(target);
    if (m_ == nullptr) return false;
    if (!prepared) return true;
    stmt_ = mysql_stmt_init(m_);
    if (stmt_ == nullptr ||
        mysql_stmt_prepare(stmt_, kPointSelectSql, sizeof(kPointSelectSql) - 1) != 0) {
      std::fprintf(stderr, "prepare: %s\n", mysql_error(m_));
      return false;
    }
    param_.buffer_type = MYSQL_TYPE_LONG;
    param_.buffer = &key_;
    mysql_stmt_bind_param(stmt_, &param_);
    column_.buffer_type = MYSQL_TYPE_STRING;
    column_.buffer = c_buf_;
    column_.buffer_length = sizeof(c_buf_);
    column_.length = &c_len_;
    mysql_stmt_bind_result(stmt_, &column_);
    return true;
  }

  // Whether the select of `key` returned one row.
  bool Select(int key) {
    if (stmt_ != nullptr) {
      key_ = key;
      int rows = 0;
      if (mysql_stmt_execute(stmt_) != 0) return false;
      while (mysql_stmt_fetch(stmt_) == 0) ++rows;
      return rows == 1;
    }
    sql_ = PointSelectTextSql(key);
    if (mysql_real_query(m_, sql_.data(), sql_.size()) != 0) return false;
    MYSQL_RES* res = mysql_store_result(m_);
    const bool ok = res != nullptr && mysql_num_rows(res) == 1;
    if (res) mysql_free_result(res);
    return ok;
  }

 private:
  MYSQL* m_ = nullptr;
  MYSQL_STMT* stmt_ = nullptr;
  int key_ = 0;
  char c_buf_[256];
  unsigned long c_len_ = 0;
  MYSQL_BIND param_{}, column_{};
  std::string sql_;
};

}  // namespace

LatencyResult RunLibmariadbPointSelects(const DirectTarget& target, int concurrency, bool prepared,
                                        double seconds) {
  std::vector<std::vector<double>> latencies(concurrency);
  std::atomic<int64_t> errors{0};
  const MeasureWindow window(seconds);
  std::vector<std::thread> threads;
  for (int w = 0; w < concurrency; ++w) {
    threads.emplace_back([&, w] {
      mysql_thread_init();
      {
        PointSelectConnection conn;
        if (!conn.Open(target, prepared)) {
          ++errors;
        } else {
          std::mt19937 rng(w * 7919 + 1);
          std::uniform_int_distribution<int> id(1, kSbtestRows);
          latencies[w].reserve(200000);
          while (true) {
            const auto t0 = MeasureWindow::Clock::now();
            if (t0 >= window.end) break;
            const bool ok = conn.Select(id(rng));
            const auto t1 = MeasureWindow::Clock::now();
            if (!ok) {
              ++errors;
              continue;
            }
            if (window.Measured(t0)) latencies[w].push_back(MeasureWindow::Micros(t0, t1));
          }
        }
      }  // Closed before mysql_thread_end.
      mysql_thread_end();
    });
  }
  for (auto& t : threads) t.join();
  return Summarize(latencies, seconds, errors);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n == 0 ? 0 : (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
}

}  // namespace mysqlgw::bench
