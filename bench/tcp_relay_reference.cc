#include "bench/tcp_relay_reference.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

extern char** environ;

namespace mysqlgw::bench {
namespace {

bool IsExecutable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

// A port the kernel just handed out, released for HAProxy to bind. Another
// process could take it in between; on a benchmark machine that is rare and
// shows as a start-up failure, not a wrong figure.
absl::StatusOr<uint16_t> FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return absl::InternalError("could not find a free loopback port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

bool Accepts(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

// HAProxy's own words when it fails to start.
std::string StartupLog(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

absl::StatusOr<std::string> TcpRelayReference::FindHaproxy() {
  if (const char* env = std::getenv("MYSQLGW_HAPROXY"); env != nullptr && *env != '\0') {
    if (IsExecutable(env)) return std::string(env);
    return absl::NotFoundError(absl::StrCat("MYSQLGW_HAPROXY=", env, " is not executable"));
  }
  std::vector<std::string> dirs = {"/usr/sbin", "/usr/local/sbin"};
  if (const char* path = std::getenv("PATH"); path != nullptr) {
    for (absl::string_view d : absl::StrSplit(path, ':')) dirs.emplace_back(d);
  }
  for (const std::string& d : dirs) {
    std::string candidate = d + "/haproxy";
    if (IsExecutable(candidate)) return candidate;
  }
  return absl::NotFoundError("haproxy not found (apt-get install haproxy)");
}

absl::StatusOr<std::unique_ptr<TcpRelayReference>> TcpRelayReference::Start(
    const std::string& backend_host, uint16_t backend_port, int threads) {
  absl::StatusOr<std::string> haproxy = FindHaproxy();
  if (!haproxy.ok()) return haproxy.status();
  absl::StatusOr<uint16_t> port = FreeLoopbackPort();
  if (!port.ok()) return port.status();

  std::unique_ptr<TcpRelayReference> relay(new TcpRelayReference());
  char dir_template[] = "/tmp/mysqlgw-haproxy-XXXXXX";
  if (mkdtemp(dir_template) == nullptr) return absl::InternalError("mkdtemp failed");
  relay->dir_ = dir_template;
  relay->port_ = *port;
  const std::string config = relay->dir_ + "/haproxy.cfg";
  const std::string log = relay->dir_ + "/haproxy.log";
  {
    std::ofstream out(config);
    out << "global\n"
        << "  maxconn 4096\n";
    if (threads > 0) out << "  nbthread " << threads << "\n";
    out << "defaults\n"
        << "  mode tcp\n"
        << "  timeout connect 5s\n"
        << "  timeout client 1h\n"
        << "  timeout server 1h\n"
        << "listen mysql\n"
        << "  bind 127.0.0.1:" << *port << "\n"
        << "  server db " << backend_host << ":" << backend_port << "\n";
    if (!out) return absl::InternalError("could not write " + config);
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  // -db: stay in the foreground, so the pid is HAProxy's own.
  std::vector<std::string> args = {*haproxy, "-db", "-f", config};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return absl::InternalError(absl::StrCat("could not start ", *haproxy));
  relay->pid_ = pid;

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!Accepts(*port)) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      relay->pid_ = -1;
      return absl::InternalError(absl::StrCat("haproxy exited at start-up: ", StartupLog(log)));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("haproxy did not listen within 10 s: ", StartupLog(log)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return relay;
}

TcpRelayReference::~TcpRelayReference() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

}  // namespace mysqlgw::bench
