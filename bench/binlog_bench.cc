// Change data capture throughput: row changes per second delivered by the
// gateway's ChangeStream.StreamBinlog (the real mysqlgw binary, gRPC over
// loopback) against MariaDB's own binlog decoder, `mariadb-binlog
// --base64-output=decode-rows -vv`, over the same binlog in the same run.
// The last line is
//   BENCH binlog_bench ratio=<gateway/mariadb-binlog median rows/s> ...
//
// Workload, generated once in a private sandbox MariaDB (binlog ROW/FULL,
// GTID, CRC32 checksums): a table bench_binlog(id INT PRIMARY KEY, k INT,
// c VARCHAR(60), d DECIMAL(12,2), t DATETIME(6)); the binlog is flushed and
// the GTID state recorded; then --rows rows are inserted with
// INSERT ... SELECT FROM seq_1_to_N and every row is updated, both in
// transactions of --chunk rows; then FLUSH BINARY LOGS, so all the changes
// (2 x --rows, counted exactly from the affected-row counts) sit in closed
// binlog files.
//
//   gateway        StreamBinlog from gtid_set = the recorded state, in
//                  MODE_UNTIL_NOW (the stream ends at the end of the log), on
//                  one synchronous gRPC reader that parses every response
//                  and counts the row events. Timed from the call's start to
//                  Finish(); the channel is connected beforehand. Checked:
//                  the counts of inserts and updates, and every value of
//                  the first insert and the last update against the table.
//   mariadb-binlog `mariadb-binlog --no-defaults --base64-output=decode-rows
//                  -vv FILE...` on the binlog files holding the changes (read
//                  from the sandbox's datadir). Timed from spawn to exit. Its
//                  output goes to a pipe read by this process, which counts
//                  the `### INSERT INTO` and `### UPDATE` lines as the check
//                  (--mariadb_binlog_output=devnull: to /dev/null, unchecked).
//
// Each is measured --repeats times, alternating which goes first; medians
// are reported. CPU time of each process (gateway, mariadbd, this client,
// mariadb-binlog) is read per measurement from /proc and wait4.
//
// Usage: binlog_bench [--rows=200000] [--chunk=10000] [--repeats=3]
#include <fcntl.h>
#include <mariadb/mysql.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "bench/point_select.h"
#include "grpcpp/grpcpp.h"
#include "mysqlgw/v1/binlog.grpc.pb.h"
#include "testing/sandbox.h"
#include "tests/support/gateway_process.h"
#include "tools/cpp/runfiles/runfiles.h"

ABSL_FLAG(int, rows, 200000, "rows inserted, then each updated: 2x this many row changes");
ABSL_FLAG(int, chunk, 10000, "rows per transaction when generating");
ABSL_FLAG(int, repeats, 3, "measurements of each path");
ABSL_FLAG(int, io_threads, 2, "the gateway's io_threads");
ABSL_FLAG(std::string, mariadb_binlog, "mariadb-binlog", "the mariadb-binlog binary");
ABSL_FLAG(std::string, mariadb_binlog_output, "count",
          "count: read its output and count the row lines; devnull: discard it");
ABSL_FLAG(std::string, paths, "gateway,mariadb-binlog",
          "which paths to measure (one alone: for profiling; the ratio is then 0)");
ABSL_FLAG(double, pause_before_gateway, 0,
          "seconds to sleep before each gateway measurement (to attach a profiler)");

namespace {

namespace v1 = mysqlgw::v1;
using Clock = std::chrono::steady_clock;

constexpr char kToken[] = "binlog-bench-token-0123456789";
constexpr char kPasswordEnv[] = "MYSQLGW_BENCH_BACKEND_PASSWORD";
constexpr char kTable[] = "bench_binlog";

double Seconds(Clock::time_point t0, Clock::time_point t1) {
  return std::chrono::duration<double>(t1 - t0).count();
}

using mysqlgw::bench::Median;

// ---- CPU time of processes ----

// utime + stime of a process (all its threads), in seconds; -1 if unknown.
double ProcessCpuSeconds(pid_t pid) {
  if (pid <= 0) return -1;
  std::ifstream f(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::vector<std::string> fields = absl::StrSplit(stat.substr(close + 2), ' ');
  // After "pid (comm) ": state is field 3, utime 14, stime 15 (1-based).
  if (fields.size() < 13) return -1;
  double utime = 0, stime = 0;
  if (!absl::SimpleAtod(fields[11], &utime) || !absl::SimpleAtod(fields[12], &stime)) return -1;
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double SelfCpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec / 1e6;
}

pid_t MariadbdPid(const mysqlgw::testing::ServerInfo& server) {
  if (server.sandbox_dir.empty()) return -1;
  std::ifstream f(server.sandbox_dir + "/mariadbd.pid");
  int pid = -1;
  f >> pid;
  return pid;
}

// The 1-minute load average.
double LoadAverage() {
  double l = -1;
  std::ifstream f("/proc/loadavg");
  f >> l;
  return l;
}

// ---- libmariadb: generating the changes ----

mysqlgw::bench::DirectTarget Direct(const mysqlgw::testing::ServerInfo& s) {
  return {s.host, s.port, s.user, s.password, s.database};
}

// Runs `sql`; returns its affected rows, or nullopt (error printed).
std::optional<int64_t> Exec(MYSQL* m, const std::string& sql) {
  if (mysql_real_query(m, sql.data(), sql.size()) != 0) {
    std::fprintf(stderr, "%s: %s\n", sql.c_str(), mysql_error(m));
    return std::nullopt;
  }
  int64_t affected = static_cast<int64_t>(mysql_affected_rows(m));
  if (MYSQL_RES* res = mysql_store_result(m)) {
    mysql_free_result(res);
    affected = 0;
  }
  return affected;
}

// Every row of `sql`'s result, each column as text ("NULL" for NULL).
std::optional<std::vector<std::vector<std::string>>> Rows(MYSQL* m, const std::string& sql) {
  if (mysql_real_query(m, sql.data(), sql.size()) != 0) {
    std::fprintf(stderr, "%s: %s\n", sql.c_str(), mysql_error(m));
    return std::nullopt;
  }
  std::vector<std::vector<std::string>> out;
  MYSQL_RES* res = mysql_store_result(m);
  if (res == nullptr) return out;
  const unsigned n = mysql_num_fields(res);
  while (MYSQL_ROW row = mysql_fetch_row(res)) {
    std::vector<std::string> r;
    for (unsigned i = 0; i < n; ++i) r.push_back(row[i] != nullptr ? row[i] : "NULL");
    out.push_back(std::move(r));
  }
  mysql_free_result(res);
  return out;
}

// A row as the check compares it: the table's values in the binlog's terms.
struct ExpectedRow {
  int64_t id = 0, k = 0;
  std::string c, d;
  // DATETIME(6) fields.
  uint32_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, micro = 0;
};

struct Workload {
  int64_t inserts = 0;
  int64_t updates = 0;
  int64_t transactions = 0;
  std::string gtid_state;                 // Before the changes.
  std::string first_file, end_file;       // SHOW MASTER STATUS before / after.
  uint64_t first_position = 0;
  std::vector<std::string> files;         // Closed files holding the changes.
  uint64_t bytes = 0;                     // Their total size.
  ExpectedRow first_insert, last_update;  // From the table, for the check.
  double seconds = 0;
};

// `source`: a table expression with columns id, k, c, d, t.
std::optional<ExpectedRow> ReadExpected(MYSQL* m, const std::string& source) {
  auto rows = Rows(m, absl::StrCat("SELECT id, k, c, d, YEAR(t), MONTH(t), DAY(t), HOUR(t), "
                                   "MINUTE(t), SECOND(t), MICROSECOND(t) FROM ",
                                   source));
  if (!rows.has_value() || rows->size() != 1) return std::nullopt;
  const auto& r = (*rows)[0];
  ExpectedRow e;
  bool ok = absl::SimpleAtoi(r[0], &e.id) && absl::SimpleAtoi(r[1], &e.k);
  e.c = r[2];
  e.d = r[3];
  ok = ok && absl::SimpleAtoi(r[4], &e.year) && absl::SimpleAtoi(r[5], &e.month) &&
       absl::SimpleAtoi(r[6], &e.day) && absl::SimpleAtoi(r[7], &e.hour) &&
       absl::SimpleAtoi(r[8], &e.minute) && absl::SimpleAtoi(r[9], &e.second) &&
       absl::SimpleAtoi(r[10], &e.micro);
  if (!ok) return std::nullopt;
  return e;
}

// The inserted rows as expressions of seq (the updates change all but id).
std::string InsertSelect(int64_t from, int64_t to) {
  return absl::StrCat("SELECT seq AS id, seq * 7 % 100003 AS k, "
                      "CONCAT('row-', seq, '-', REPEAT(CHAR(97 + seq % 26), 40)) AS c, "
                      "CAST(seq * 1.37 AS DECIMAL(12,2)) AS d, "
                      "CAST(TIMESTAMPADD(MICROSECOND, seq * 1000003, '2024-01-01 00:00:00') "
                      "AS DATETIME(6)) AS t FROM seq_",
                      from, "_to_", to);
}

std::string InsertSql(int64_t from, int64_t to) {
  return absl::StrCat("INSERT INTO ", kTable, " ", InsertSelect(from, to));
}

std::string UpdateSql(int64_t from, int64_t to) {
  return absl::StrCat("UPDATE ", kTable,
                      " SET k = k + 1, c = CONCAT('upd-', id, '-', REPEAT('z', 30)), "
                      "d = d + 0.01, t = TIMESTAMPADD(SECOND, 1, t) WHERE id BETWEEN ",
                      from, " AND ", to);
}

std::optional<Workload> Generate(const mysqlgw::testing::ServerInfo& server, int rows,
                                 int chunk) {
  MYSQL* m = mysqlgw::bench::ConnectLibmariadb(Direct(server));
  if (m == nullptr) return std::nullopt;
  std::unique_ptr<MYSQL, decltype(&mysql_close)> closer(m, &mysql_close);
  Workload w;
  for (const std::string& sql :
       {absl::StrCat("DROP TABLE IF EXISTS ", kTable),
        absl::StrCat("CREATE TABLE ", kTable,
                     " (id INT PRIMARY KEY, k INT, c VARCHAR(60), d DECIMAL(12,2), "
                     "t DATETIME(6))"),
        std::string("FLUSH BINARY LOGS")}) {
    if (!Exec(m, sql).has_value()) return std::nullopt;
  }
  // Where the changes begin: the GTID state (the gateway's start) and the
  // binlog file (mariadb-binlog's first file, fresh from the flush).
  auto gtid = Rows(m, "SELECT @@GLOBAL.gtid_binlog_pos");
  auto status = Rows(m, "SHOW MASTER STATUS");
  if (!gtid.has_value() || gtid->size() != 1 || !status.has_value() || status->size() != 1) {
    return std::nullopt;
  }
  w.gtid_state = std::string(absl::StripAsciiWhitespace((*gtid)[0][0]));
  w.first_file = (*status)[0][0];
  (void)absl::SimpleAtoi((*status)[0][1], &w.first_position);

  const auto t0 = Clock::now();
  for (int64_t from = 1; from <= rows; from += chunk) {
    const int64_t to = std::min<int64_t>(rows, from + chunk - 1);
    auto n = Exec(m, InsertSql(from, to));  // Autocommit: one transaction each.
    if (!n.has_value()) return std::nullopt;
    w.inserts += *n;
    ++w.transactions;
  }
  for (int64_t from = 1; from <= rows; from += chunk) {
    const int64_t to = std::min<int64_t>(rows, from + chunk - 1);
    auto n = Exec(m, UpdateSql(from, to));  // Affected = changed = logged rows.
    if (!n.has_value()) return std::nullopt;
    w.updates += *n;
    ++w.transactions;
  }
  w.seconds = Seconds(t0, Clock::now());
  if (!Exec(m, "FLUSH BINARY LOGS").has_value()) return std::nullopt;
  auto after = Rows(m, "SHOW MASTER STATUS");
  auto logs = Rows(m, "SHOW BINARY LOGS");
  if (!after.has_value() || after->size() != 1 || !logs.has_value()) return std::nullopt;
  w.end_file = (*after)[0][0];
  for (const auto& log : *logs) {
    // Names sort by their sequence number suffix.
    if (log[0] >= w.first_file && log[0] < w.end_file) {
      w.files.push_back(log[0]);
      uint64_t size = 0;
      if (log.size() > 1 && absl::SimpleAtoi(log[1], &size)) w.bytes += size;
    }
  }
  // The first insert's values (the row before its update) and the last
  // update's (the table now).
  auto first = ReadExpected(m, absl::StrCat("(", InsertSelect(1, 1), ") AS first_insert"));
  auto last = ReadExpected(m, absl::StrCat(kTable, " WHERE id = ", rows));
  if (!first.has_value() || !last.has_value()) return std::nullopt;
  w.first_insert = *first;
  w.last_update = *last;
  return w;
}

// ---- gateway: StreamBinlog through the real mysqlgw ----

std::string GatewayConfig(const mysqlgw::testing::ServerInfo& s) {
  return absl::StrReplaceAll(R"(
listen:
  address: "127.0.0.1:0"
io_threads: IO_THREADS
backends:
  - name: primary
    dsn: "mysql://USER@HOST:PORT/DATABASE?ssl-mode=disabled"
    password_env: PASSWORD_ENV
auth:
  principals:
    - name: cdc
      token_sha256: ["TOKEN_HASH"]
      databases: ["*"]
      operations: [read, binlog]
)",
                             {{"IO_THREADS", absl::StrCat(absl::GetFlag(FLAGS_io_threads))},
                              {"USER", s.user},
                              {"HOST", s.host},
                              {"PORT", absl::StrCat(s.port)},
                              {"DATABASE", s.database},
                              {"PASSWORD_ENV", kPasswordEnv},
                              {"TOKEN_HASH", mysqlgw::testing::Sha256Hex(kToken)}});
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

struct Measurement {
  bool ok = false;
  int64_t rows = 0;
  double seconds = 0;
  double rows_per_s = 0;
  std::string error;
  // CPU seconds used during the measurement, by process; -1: unknown.
  double cpu_gateway = -1, cpu_mariadbd = -1, cpu_client = -1, cpu_tool = -1;
  int64_t messages = 0;
  uint64_t payload_bytes = 0;  // gateway: serialized responses; tool: output bytes
};

std::string CheckRow(const char* what, const v1::RowImage& img, const ExpectedRow& e) {
  if (img.values_size() != 5) return absl::StrCat(what, ": ", img.values_size(), " values");
  const auto& v = img.values();
  const auto& t = v[4].datetime();
  const bool ok = v[0].int64() == e.id && v[1].int64() == e.k && v[2].string() == e.c &&
                  v[3].decimal() == e.d && v[4].has_datetime() && t.year() == e.year &&
                  t.month() == e.month && t.day() == e.day && t.hour() == e.hour &&
                  t.minute() == e.minute && t.second() == e.second &&
                  t.microsecond() == e.micro;
  if (ok) return "";
  return absl::StrFormat(
      "%s: got (%d, %d, '%s', %s, %d-%d-%d %d:%d:%d.%06d), expected (%d, %d, '%s', %s, "
      "%d-%d-%d %d:%d:%d.%06d)",
      what, v[0].int64(), v[1].int64(), v[2].string(), v[3].decimal(), t.year(), t.month(),
      t.day(), t.hour(), t.minute(), t.second(), t.microsecond(), e.id, e.k, e.c, e.d, e.year,
      e.month, e.day, e.hour, e.minute, e.second, e.micro);
}

Measurement MeasureGateway(v1::ChangeStream::Stub& stub, const Workload& w, pid_t gateway_pid,
                           pid_t mariadbd_pid) {
  Measurement out;
  v1::StreamBinlogRequest req;
  req.set_gtid_set(w.gtid_state);
  req.set_mode(v1::StreamBinlogRequest::MODE_UNTIL_NOW);
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(10));

  const double gw0 = ProcessCpuSeconds(gateway_pid);
  const double db0 = ProcessCpuSeconds(mariadbd_pid);
  const double me0 = SelfCpuSeconds();
  const auto t0 = Clock::now();
  auto reader = stub.StreamBinlog(&ctx, req);
  v1::StreamBinlogResponse resp;
  int64_t inserts = 0, updates = 0, others = 0, schemas = 0, commits = 0;
  std::string check;
  bool first_insert_seen = false;
  v1::RowImage last_after;
  while (reader->Read(&resp)) {
    ++out.messages;
    for (const v1::ChangeEvent& e : resp.events()) {
      switch (e.event_case()) {
        case v1::ChangeEvent::kRow: {
          const v1::RowChange& row = e.row();
          if (row.kind() == v1::CHANGE_KIND_INSERT) {
            ++inserts;
            if (!first_insert_seen) {
              first_insert_seen = true;
              check += CheckRow("first insert", row.after(), w.first_insert);
            }
          } else if (row.kind() == v1::CHANGE_KIND_UPDATE) {
            ++updates;
            if (updates == w.updates) last_after = row.after();
          } else {
            ++others;
          }
          break;
        }
        case v1::ChangeEvent::kTableSchema:
          ++schemas;
          break;
        case v1::ChangeEvent::kCommit:
          ++commits;
          break;
        default:
          break;
      }
    }
  }
  grpc::Status status = reader->Finish();
  const auto t1 = Clock::now();
  out.cpu_client = SelfCpuSeconds() - me0;
  if (gw0 >= 0) out.cpu_gateway = ProcessCpuSeconds(gateway_pid) - gw0;
  if (db0 >= 0) out.cpu_mariadbd = ProcessCpuSeconds(mariadbd_pid) - db0;
  out.seconds = Seconds(t0, t1);
  out.rows = inserts + updates + others;
  out.rows_per_s = out.rows / out.seconds;
  if (!status.ok()) {
    out.error = absl::StrCat("StreamBinlog: ", status.error_code(), " ", status.error_message());
    return out;
  }
  if (inserts != w.inserts || updates != w.updates || others != 0) {
    out.error = absl::StrCat("row events: ", inserts, " inserts, ", updates, " updates, ", others,
                             " other; generated ", w.inserts, " and ", w.updates);
    return out;
  }
  if (commits != w.transactions) {
    out.error = absl::StrCat(commits, " commits, expected ", w.transactions);
    return out;
  }
  check += CheckRow("last update", last_after, w.last_update);
  if (!check.empty()) {
    out.error = check;
    return out;
  }
  out.ok = true;
  return out;
}

// ---- mariadb-binlog ----

Measurement MeasureMariadbBinlog(const std::string& datadir, const Workload& w, bool count) {
  Measurement out;
  std::vector<std::string> args = {absl::GetFlag(FLAGS_mariadb_binlog), "--no-defaults",
                                   "--base64-output=decode-rows", "-vv"};
  for (const auto& f : w.files) args.push_back(absl::StrCat(datadir, "/", f));
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int fds[2] = {-1, -1};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (count) {
    if (pipe2(fds, O_CLOEXEC) != 0) {
      out.error = "pipe";
      return out;
    }
    fcntl(fds[0], F_SETPIPE_SZ, 1 << 20);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  }
  const double me0 = SelfCpuSeconds();
  const auto t0 = Clock::now();
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (count) close(fds[1]);
  if (rc != 0) {
    if (count) close(fds[0]);
    out.error = absl::StrCat("spawn ", argv[0], ": ", std::strerror(rc));
    return out;
  }
  int64_t inserts = 0, updates = 0;
  if (count) {
    // Counts lines starting with "### INSERT INTO" / "### UPDATE ".
    std::vector<char> buf(1 << 20);
    size_t have = 0;
    while (true) {
      const ssize_t n = read(fds[0], buf.data() + have, buf.size() - have);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      out.payload_bytes += n;
      have += n;
      const char* p = buf.data();
      const char* end = buf.data() + have;
      while (true) {
        const char* nl = static_cast<const char*>(memchr(p, '\n', end - p));
        if (nl == nullptr) break;
        if (nl - p >= 11 && p[0] == '#' && p[1] == '#' && p[2] == '#' && p[3] == ' ') {
          if (memcmp(p + 4, "INSERT ", 7) == 0) {
            ++inserts;
          } else if (memcmp(p + 4, "UPDATE ", 7) == 0) {
            ++updates;
          }
        }
        p = nl + 1;
      }
      have = end - p;
      std::memmove(buf.data(), p, have);
      if (have == buf.size()) have = 0;  // An absurdly long line: drop it.
    }
    close(fds[0]);
  }
  int wstatus = 0;
  rusage ru{};
  while (wait4(pid, &wstatus, 0, &ru) < 0 && errno == EINTR) {
  }
  const auto t1 = Clock::now();
  out.cpu_client = SelfCpuSeconds() - me0;
  out.cpu_tool = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
                 ru.ru_stime.tv_usec / 1e6;
  out.seconds = Seconds(t0, t1);
  out.rows = w.inserts + w.updates;  // Unchecked without count.
  if (count) out.rows = inserts + updates;
  out.rows_per_s = out.rows / out.seconds;
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    out.error = absl::StrCat("mariadb-binlog exited with status ", wstatus);
    return out;
  }
  if (count && (inserts != w.inserts || updates != w.updates)) {
    out.error = absl::StrCat("mariadb-binlog printed ", inserts, " inserts and ", updates,
                             " updates; generated ", w.inserts, " and ", w.updates);
    return out;
  }
  out.ok = true;
  return out;
}

std::string Cpu(double seconds, int64_t rows) {
  if (seconds < 0 || rows <= 0) return "-";
  return absl::StrFormat("%.2f", seconds * 1e6 / rows);
}

void PrintMeasurement(const char* path, int repeat, const Measurement& m) {
  std::printf("%-15s %3d %9lld %8.3f %12.0f %9s %9s %9s %9s  %s\n", path, repeat,
              static_cast<long long>(m.rows), m.seconds, m.rows_per_s,
              Cpu(m.cpu_gateway, m.rows).c_str(), Cpu(m.cpu_mariadbd, m.rows).c_str(),
              Cpu(m.cpu_client, m.rows).c_str(), Cpu(m.cpu_tool, m.rows).c_str(),
              m.ok ? "ok" : m.error.c_str());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  LocateGateway(argv[0]);
  const int rows = absl::GetFlag(FLAGS_rows);
  const int chunk = std::max(1, absl::GetFlag(FLAGS_chunk));
  const int repeats = std::max(1, absl::GetFlag(FLAGS_repeats));
  const std::string paths = absl::GetFlag(FLAGS_paths);
  const bool run_gateway = absl::StrContains(paths, "gateway");
  const bool run_tool = absl::StrContains(paths, "mariadb-binlog");
  const bool count = absl::GetFlag(FLAGS_mariadb_binlog_output) != "devnull";
  if (rows < 1) return 1;

  auto sandbox = mysqlgw::testing::Sandbox::Start();
  if (!sandbox.ok()) {
    std::fprintf(stderr, "sandbox: %s\n", sandbox.status().ToString().c_str());
    return 1;
  }
  const mysqlgw::testing::ServerInfo server = (*sandbox)->info();
  const pid_t mariadbd_pid = MariadbdPid(server);

  std::optional<Workload> w = Generate(server, rows, chunk);
  if (!w.has_value() || w->files.empty()) {
    std::fprintf(stderr, "generating the changes failed\n");
    return 1;
  }
  std::printf(
      "binlog_bench: %lld row changes (%lld inserts, %lld updates) in %lld transactions of "
      "<= %d rows, generated in %.1f s; from GTID state '%s' (%s:%llu); files %s (%.1f MB); "
      "load average %.2f\n",
      static_cast<long long>(w->inserts + w->updates), static_cast<long long>(w->inserts),
      static_cast<long long>(w->updates), static_cast<long long>(w->transactions), chunk,
      w->seconds, w->gtid_state.c_str(), w->first_file.c_str(),
      static_cast<unsigned long long>(w->first_position),
      absl::StrJoin(w->files, ",").c_str(), w->bytes / 1e6, LoadAverage());

  auto gw = mysqlgw::testing::GatewayProcess::Start(
      {GatewayConfig(server), {}, {{kPasswordEnv, server.password}}});
  if (!gw.ok()) {
    std::fprintf(stderr, "gateway: %s\n", gw.status().ToString().c_str());
    return 1;
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  auto channel =
      grpc::CreateCustomChannel((*gw)->address(), grpc::InsecureChannelCredentials(), args);
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
    std::fprintf(stderr, "could not connect to the gateway\n%s\n", (*gw)->Log().c_str());
    return 1;
  }
  auto stub = v1::ChangeStream::NewStub(channel);
  const pid_t gateway_pid = (*gw)->pid();

  std::printf("%-15s %3s %9s %8s %12s %9s %9s %9s %9s  %s\n", "path", "run", "rows", "seconds",
              "rows/s", "gw_us/row", "db_us/row", "cli_us/row", "mbl_us/row", "check");
  std::vector<double> gateway_rates, tool_rates;
  std::vector<Measurement> gateway_runs, tool_runs;
  int errors = 0;
  for (int i = 0; i < repeats; ++i) {
    auto gateway = [&] {
      if (!run_gateway) return;
      if (double p = absl::GetFlag(FLAGS_pause_before_gateway); p > 0) {
        std::printf("gateway pid %d: measuring in %.0f s\n", gateway_pid, p);
        std::fflush(stdout);
        std::this_thread::sleep_for(std::chrono::duration<double>(p));
      }
      Measurement m = MeasureGateway(*stub, *w, gateway_pid, mariadbd_pid);
      PrintMeasurement("gateway", i + 1, m);
      errors += m.ok ? 0 : 1;
      gateway_rates.push_back(m.rows_per_s);
      gateway_runs.push_back(m);
    };
    auto tool = [&] {
      if (!run_tool) return;
      Measurement m = MeasureMariadbBinlog(server.datadir, *w, count);
      PrintMeasurement("mariadb-binlog", i + 1, m);
      errors += m.ok ? 0 : 1;
      tool_rates.push_back(m.rows_per_s);
      tool_runs.push_back(m);
    };
    if (i % 2 == 0) {
      gateway();
      tool();
    } else {
      tool();
      gateway();
    }
  }
  const double gateway_median = Median(gateway_rates);
  const double tool_median = Median(tool_rates);
  const double ratio = tool_median > 0 ? gateway_median / tool_median : 0;
  auto median_of = [](const std::vector<Measurement>& runs, double Measurement::*field) {
    std::vector<double> v;
    for (const auto& m : runs) {
      if (m.*field >= 0 && m.rows > 0) v.push_back(m.*field * 1e6 / m.rows);
    }
    return Median(v);
  };
  std::printf(
      "medians: gateway %.0f rows/s (CPU us/row: gateway %.2f, mariadbd %.2f, client %.2f), "
      "mariadb-binlog %.0f rows/s (CPU us/row: mariadb-binlog %.2f, reader %.2f); "
      "ratio gateway/mariadb-binlog %.3f; load average %.2f\n",
      gateway_median, median_of(gateway_runs, &Measurement::cpu_gateway),
      median_of(gateway_runs, &Measurement::cpu_mariadbd),
      median_of(gateway_runs, &Measurement::cpu_client), tool_median,
      median_of(tool_runs, &Measurement::cpu_tool), median_of(tool_runs, &Measurement::cpu_client),
      ratio, LoadAverage());
  if (!gateway_runs.empty()) {
    std::printf("gateway stream: %lld response messages per run (last run)\n",
                static_cast<long long>(gateway_runs.back().messages));
  }
  if (!tool_runs.empty() && count) {
    std::printf("mariadb-binlog output: %.1f MB per run\n", tool_runs.back().payload_bytes / 1e6);
  }
  gw->reset();
  std::printf("BENCH binlog_bench ratio=%.3f gateway_rows_per_s=%.0f mariadb_binlog_rows_per_s=%.0f "
              "rows=%lld\n",
              ratio, gateway_median, tool_median, static_cast<long long>(w->inserts + w->updates));
  return errors == 0 ? 0 : 2;
}
