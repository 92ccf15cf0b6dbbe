#include "tests/metrics/prometheus_server.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "server/http/test_client.h"

extern char** environ;

namespace mysqlgw::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

absl::StatusOr<std::string> FindInPath(absl::string_view name) {
  const char* path = getenv("PATH");
  std::vector<std::string> dirs =
      absl::StrSplit(path != nullptr ? path : "", ':', absl::SkipEmpty());
  // Debian installs into /usr/bin, which a minimal PATH may lack.
  dirs.push_back("/usr/bin");
  dirs.push_back("/usr/local/bin");
  for (const std::string& dir : dirs) {
    std::string candidate = absl::StrCat(dir, "/", name);
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return absl::NotFoundError(absl::StrCat(name, " is not installed (see scripts/setup)"));
}

absl::StatusOr<int> PickFreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return absl::InternalError(absl::StrCat("bind: ", strerror(errno)));
  }
  close(fd);
  return ntohs(addr.sin_port);
}

std::string UrlEncode(absl::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

absl::StatusOr<std::unique_ptr<PrometheusServer>> PrometheusServer::Start(
    const std::vector<std::string>& targets, const std::string& dir, absl::Duration timeout) {
  absl::StatusOr<std::string> binary = FindInPath("prometheus");
  if (!binary.ok()) return binary.status();

  const std::string config = dir + "/prometheus.yml";
  {
    std::vector<std::string> quoted;
    for (const std::string& t : targets) quoted.push_back(absl::StrCat("'", t, "'"));
    std::ofstream out(config);
    out << "global:\n"
           "  scrape_interval: 1s\n"
           "  scrape_timeout: 1s\n"
           "  evaluation_interval: 1s\n"
           "scrape_configs:\n"
           "  - job_name: mysqlgw\n"
           "    static_configs:\n"
           "      - targets: ["
        << absl::StrJoin(quoted, ", ") << "]\n";
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", config));
  }

  const absl::Time deadline = absl::Now() + timeout;
  // The port is free when picked but could be taken before Prometheus binds
  // it: a Prometheus that exits at once is started again on another port.
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<int> port = PickFreePort();
    if (!port.ok()) return port.status();
    auto server = std::unique_ptr<PrometheusServer>(new PrometheusServer());
    server->port_ = *port;
    server->dir_ = dir;
    const std::string log = dir + "/prometheus.log";
    std::vector<std::string> args = {
        *binary,
        "--config.file=" + config,
        "--storage.tsdb.path=" + dir + "/data",
        absl::StrCat("--web.listen-address=127.0.0.1:", *port),
        "--log.level=info",
    };
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0644);
    posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0644);
    const int rc =
        posix_spawn(&server->pid_, binary->c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) return absl::InternalError(absl::StrCat("posix_spawn: ", strerror(rc)));

    // Ready once the API answers.
    bool exited = false;
    for (;;) {
      int status = 0;
      if (waitpid(server->pid_, &status, WNOHANG) == server->pid_) {
        server->pid_ = -1;
        exited = true;
        break;
      }
      absl::StatusOr<http::testing::ClientResponse> r =
          http::testing::Fetch("127.0.0.1", *port, "/-/ready", "GET", absl::Seconds(2));
      if (r.ok() && r->result_int() == 200) return server;
      if (absl::Now() > deadline) {
        return absl::DeadlineExceededError(
            absl::StrCat("Prometheus did not become ready; its log:\n", server->Log()));
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
    if (exited && attempt < 3 && absl::Now() < deadline) continue;
    return absl::InternalError(absl::StrCat("Prometheus exited; its log:\n", server->Log()));
  }
}

PrometheusServer::~PrometheusServer() { Stop().IgnoreError(); }

std::string PrometheusServer::Log() const { return ReadFile(dir_ + "/prometheus.log"); }

absl::StatusOr<int> PrometheusServer::Stop() {
  if (pid_ < 0) return 0;
  kill(pid_, SIGTERM);
  int status = 0;
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (absl::Now() < deadline) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return absl::DeadlineExceededError("Prometheus did not stop within 10 s after SIGTERM");
}

absl::StatusOr<std::string> PrometheusServer::QueryJson(absl::string_view expr) const {
  absl::StatusOr<http::testing::ClientResponse> r = http::testing::Fetch(
      "127.0.0.1", port_, absl::StrCat("/api/v1/query?query=", UrlEncode(expr)));
  if (!r.ok()) return r.status();
  if (r->result_int() != 200) {
    return absl::InternalError(
        absl::StrCat("query ", expr, ": HTTP ", r->result_int(), ": ", r->body()));
  }
  return r->body();
}

absl::StatusOr<std::optional<std::string>> PrometheusServer::QueryValue(
    absl::string_view expr) const {
  absl::StatusOr<std::string> json = QueryJson(expr);
  if (!json.ok()) return json.status();
  // {"status":"success","data":{"resultType":"vector","result":[
  //   {"metric":{...},"value":[1700000000.123,"42"]}]}}
  if (json->find("\"status\":\"success\"") == std::string::npos) {
    return absl::InternalError(absl::StrCat("query ", expr, ": ", *json));
  }
  const size_t value = json->find("\"value\":[");
  if (value == std::string::npos) return std::nullopt;
  const size_t open = json->find(",\"", value);
  const size_t close = open == std::string::npos ? open : json->find('"', open + 2);
  if (close == std::string::npos) {
    return absl::InternalError(absl::StrCat("query ", expr, ": unexpected answer ", *json));
  }
  return json->substr(open + 2, close - open - 2);
}

absl::Status PrometheusServer::WaitForValue(absl::string_view expr, absl::string_view expected,
                                            absl::Time deadline) const {
  std::string last = "(no sample)";
  for (;;) {
    absl::StatusOr<std::optional<std::string>> v = QueryValue(expr);
    if (!v.ok()) return v.status();
    if (v->has_value()) {
      if (**v == expected) return absl::OkStatus();
      last = **v;
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat(expr, ": expected ", expected,
                                                      ", last value ", last, "; log:\n", Log()));
    }
    absl::SleepFor(absl::Milliseconds(200));
  }
}

}  // namespace mysqlgw::testing
