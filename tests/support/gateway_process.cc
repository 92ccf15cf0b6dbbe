#include "tests/support/gateway_process.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "tools/cpp/runfiles/runfiles.h"

extern char** environ;

namespace mysqlgw::testing {
namespace {

using ::bazel::tools::cpp::runfiles::Runfiles;

absl::StatusOr<std::string> FindGateway() {
  if (const char* p = std::getenv("MYSQLGW_GATEWAY_BINARY"); p != nullptr && *p) return p;
  std::string error;
  std::unique_ptr<Runfiles> runfiles(Runfiles::CreateForTest(&error));
  if (runfiles == nullptr) return absl::NotFoundError("runfiles: " + error);
  std::string path = runfiles->Rlocation("mysqlgw/server/gateway/mysqlgw");
  if (access(path.c_str(), X_OK) != 0) {
    return absl::NotFoundError(absl::StrCat("gateway binary not found at ", path));
  }
  return path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::string Sha256Hex(absl::string_view token) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(token.data(), token.size(), out, &len, EVP_sha256(), nullptr);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(out), len));
}

absl::StatusOr<std::unique_ptr<GatewayProcess>> GatewayProcess::Start(
    GatewayProcessOptions options) {
  absl::StatusOr<std::string> binary = FindGateway();
  if (!binary.ok()) return binary.status();
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string templ = absl::StrCat(tmp ? tmp : "/tmp", "/gw.XXXXXX");
  if (mkdtemp(templ.data()) == nullptr) return absl::InternalError("mkdtemp failed");

  std::unique_ptr<GatewayProcess> gw(new GatewayProcess());
  gw->dir_ = templ;
  const std::string config = gw->dir_ + "/config.yaml";
  const std::string port_file = gw->dir_ + "/port";
  const std::string log_file = gw->dir_ + "/gateway.log";
  std::ofstream(config) << options.config_yaml;

  std::vector<std::string> args = {*binary, "--config=" + config, "--port_file=" + port_file};
  for (auto& a : options.extra_args) args.push_back(a);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  for (auto& [k, v] : options.env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  int rc = posix_spawn(&gw->pid_, binary->c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return absl::InternalError(absl::StrCat("posix_spawn: ", rc));

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(gw->pid_, &status, WNOHANG) == gw->pid_) {
      gw->pid_ = -1;
      return absl::InternalError(
          absl::StrCat("gateway exited at startup: ", ReadFile(log_file)));
    }
    std::string port = std::string(absl::StripAsciiWhitespace(ReadFile(port_file)));
    if (!port.empty() && absl::SimpleAtoi(port, &gw->port_) && gw->port_ > 0) return gw;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return absl::DeadlineExceededError("gateway did not start serving within 30 s");
}

absl::StatusOr<int> GatewayProcess::Stop() {
  if (pid_ <= 0) return absl::FailedPreconditionError("not running");
  kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return absl::DeadlineExceededError("gateway did not stop within 15 s of SIGTERM");
}

GatewayProcess::~GatewayProcess() {
  if (pid_ > 0) {
    absl::StatusOr<int> ignored = Stop();
    (void)ignored;
  }
}

void GatewayProcess::Signal(int signal) const {
  if (pid_ > 0) ::kill(pid_, signal);
}

std::string GatewayProcess::Log() const { return ReadFile(dir_ + "/gateway.log"); }

absl::StatusOr<size_t> GatewayProcess::ResidentBytes() const {
  std::ifstream in(absl::StrCat("/proc/", pid_, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view rest = line;
    if (absl::ConsumePrefix(&rest, "VmRSS:")) {
      size_t kb = 0;
      std::string digits(absl::StripAsciiWhitespace(
          absl::StripSuffix(absl::StripAsciiWhitespace(rest), "kB")));
      if (absl::SimpleAtoi(digits, &kb)) return kb * 1024;
    }
  }
  return absl::NotFoundError("VmRSS not found");
}

absl::StatusOr<size_t> GatewayProcess::OpenFds() const {
  DIR* d = opendir(absl::StrCat("/proc/", pid_, "/fd").c_str());
  if (d == nullptr) return absl::NotFoundError("no /proc fd dir");
  size_t n = 0;
  while (readdir(d) != nullptr) ++n;
  closedir(d);
  return n - 2;  // . and ..
}

}  // namespace mysqlgw::testing
