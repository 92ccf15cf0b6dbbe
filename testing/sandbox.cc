#include "testing/sandbox.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "testing/subprocess.h"
#include "tools/cpp/runfiles/runfiles.h"

namespace mysqlgw::testing {
namespace {

using ::bazel::tools::cpp::runfiles::Runfiles;

constexpr absl::string_view kScriptRunfile = "mysqlgw/scripts/mysql-sandbox";
constexpr absl::string_view kScriptInWorkspace = "scripts/mysql-sandbox";
constexpr absl::Duration kStartTimeout = absl::Seconds(180);
constexpr absl::Duration kStopTimeout = absl::Seconds(90);
constexpr absl::Duration kQueryTimeout = absl::Seconds(300);

std::string GetEnv(const char* name) {
  const char* value = getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

bool IsExecutable(const std::string& path) {
  return !path.empty() && access(path.c_str(), X_OK) == 0;
}

std::string SelfExe() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return "";
  return std::string(buf, static_cast<size_t>(n));
}

std::string Dirname(absl::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash == absl::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

// Locates scripts/mysql-sandbox; see Sandbox::Start.
absl::StatusOr<std::string> FindSandboxScript() {
  std::vector<std::string> tried;
  auto consider = [&tried](const std::string& path) {
    if (IsExecutable(path)) return true;
    if (!path.empty()) tried.push_back(path);
    return false;
  };

  if (std::string p = GetEnv("MYSQLGW_SANDBOX_SCRIPT"); consider(p)) return p;

  std::string error;
  std::unique_ptr<Runfiles> runfiles(Runfiles::CreateForTest(&error));
  if (runfiles == nullptr) runfiles.reset(Runfiles::Create(SelfExe(), &error));
  if (runfiles != nullptr) {
    if (std::string p = runfiles->Rlocation(std::string(kScriptRunfile));
        consider(p)) {
      return p;
    }
  }

  if (std::string ws = GetEnv("BUILD_WORKSPACE_DIRECTORY"); !ws.empty()) {
    if (std::string p = absl::StrCat(ws, "/", kScriptInWorkspace); consider(p)) {
      return p;
    }
  }
  char cwd_buf[4096];
  if (getcwd(cwd_buf, sizeof(cwd_buf)) != nullptr) {
    for (std::string dir = cwd_buf;; dir = Dirname(dir)) {
      if (access(absl::StrCat(dir, "/WORKSPACE").c_str(), F_OK) == 0) {
        if (std::string p = absl::StrCat(dir, "/", kScriptInWorkspace);
            consider(p)) {
          return p;
        }
      }
      if (dir == "/") break;
    }
  }
  return absl::NotFoundError(absl::StrCat(
      "scripts/mysql-sandbox not found (runfiles: ",
      runfiles == nullptr ? error : "ok", "; tried: ",
      tried.empty() ? "nothing" : absl::StrJoin(tried, ", "),
      "); set MYSQLGW_SANDBOX_SCRIPT or run under Bazel"));
}

// Undoes shell quoting as written by scripts/mysql-sandbox ('...' with '\''
// for quotes), also accepting "..." and backslash escapes.
absl::StatusOr<std::string> ShellUnquote(absl::string_view in) {
  std::string out;
  size_t i = 0;
  while (i < in.size()) {
    const char c = in[i];
    if (c == '\'') {
      const size_t end = in.find('\'', i + 1);
      if (end == absl::string_view::npos) {
        return absl::InvalidArgumentError("unterminated ' quote");
      }
      absl::StrAppend(&out, in.substr(i + 1, end - i - 1));
      i = end + 1;
    } else if (c == '"') {
      ++i;
      while (i < in.size() && in[i] != '"') {
        if (in[i] == '\\' && i + 1 < in.size() &&
            absl::string_view("$`\"\\").find(in[i + 1]) !=
                absl::string_view::npos) {
          ++i;
        }
        out.push_back(in[i++]);
      }
      if (i >= in.size()) {
        return absl::InvalidArgumentError("unterminated \" quote");
      }
      ++i;
    } else if (c == '\\' && i + 1 < in.size()) {
      out.push_back(in[i + 1]);
      i += 2;
    } else {
      out.push_back(c);
      ++i;
    }
  }
  return out;
}

// Reads DIR/sandbox.env into NAME -> value.
absl::StatusOr<std::map<std::string, std::string>> ReadEnvFile(
    const std::string& path) {
  std::ifstream file(path);
  if (!file) {
    return absl::NotFoundError(absl::StrCat("cannot read ", path));
  }
  std::map<std::string, std::string> values;
  std::string line;
  while (std::getline(file, line)) {
    absl::string_view l = absl::StripAsciiWhitespace(line);
    if (l.empty() || l[0] == '#') continue;
    const size_t eq = l.find('=');
    if (eq == absl::string_view::npos) continue;
    absl::StatusOr<std::string> value = ShellUnquote(l.substr(eq + 1));
    if (!value.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": ", value.status().message(), " in: ", l));
    }
    values[std::string(l.substr(0, eq))] = *std::move(value);
  }
  return values;
}

absl::StatusOr<uint16_t> ParsePort(absl::string_view text) {
  uint32_t port = 0;
  if (!absl::SimpleAtoi(text, &port) || port == 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("bad port '", text, "'"));
  }
  return static_cast<uint16_t>(port);
}

absl::StatusOr<ServerInfo> InfoFromEnvFile(const std::string& dir) {
  const std::string path = absl::StrCat(dir, "/sandbox.env");
  absl::StatusOr<std::map<std::string, std::string>> env = ReadEnvFile(path);
  if (!env.ok()) return env.status();
  auto get = [&env](absl::string_view key) -> std::string {
    auto it = env->find(absl::StrCat("MYSQLGW_SANDBOX_", key));
    return it == env->end() ? std::string() : it->second;
  };
  for (absl::string_view required :
       {"DIR", "HOST", "PORT", "USER", "PASSWORD", "ROOT_PASSWORD", "DATABASE",
        "CA", "DSN"}) {
    if (get(required).empty()) {
      return absl::InternalError(absl::StrCat(path, " lacks MYSQLGW_SANDBOX_",
                                              required));
    }
  }
  ServerInfo info;
  info.host = get("HOST");
  absl::StatusOr<uint16_t> port = ParsePort(get("PORT"));
  if (!port.ok()) return port.status();
  info.port = *port;
  info.socket = get("SOCKET");
  info.user = get("USER");
  info.password = get("PASSWORD");
  info.root_user = get("ROOT_USER").empty() ? "root" : get("ROOT_USER");
  info.root_password = get("ROOT_PASSWORD");
  info.database = get("DATABASE");
  info.ca_path = get("CA");
  info.wrong_ca_path = get("WRONG_CA");
  info.ed25519_user = get("ED25519_USER");
  info.tls_user = get("TLS_USER");
  info.dsn = get("DSN");
  info.datadir = get("DATADIR");
  info.sandbox_dir = get("DIR");
  return info;
}

absl::StatusOr<std::string> PercentDecode(absl::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    int value = 0;
    if (i + 2 >= in.size() ||
        !absl::ascii_isxdigit(static_cast<unsigned char>(in[i + 1])) ||
        !absl::ascii_isxdigit(static_cast<unsigned char>(in[i + 2]))) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad percent-escape in '", in, "'"));
    }
    for (int k = 1; k <= 2; ++k) {
      const char h = absl::ascii_tolower(static_cast<unsigned char>(in[i + k]));
      value = value * 16 + (h <= '9' ? h - '0' : h - 'a' + 10);
    }
    out.push_back(static_cast<char>(value));
    i += 2;
  }
  return out;
}

}  // namespace

absl::StatusOr<ServerInfo> ParseDsn(absl::string_view dsn) {
  auto bad = [dsn](absl::string_view why) {
    // The DSN holds a password: show only its shape.
    const size_t at = dsn.rfind('@');
    return absl::InvalidArgumentError(absl::StrCat(
        "bad DSN (", why, "): expected mysql://user:password@host:port/db"
        "?ssl-ca=PATH, got '",
        at == absl::string_view::npos ? "..." : absl::StrCat("...", dsn.substr(at)),
        "'"));
  };
  absl::string_view rest = dsn;
  if (!absl::ConsumePrefix(&rest, "mysql://") &&
      !absl::ConsumePrefix(&rest, "mariadb://")) {
    return bad("scheme must be mysql://");
  }
  absl::string_view query;
  if (const size_t q = rest.find('?'); q != absl::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  const size_t at = rest.rfind('@');
  if (at == absl::string_view::npos) return bad("no user@");
  absl::string_view userinfo = rest.substr(0, at);
  absl::string_view hostpart = rest.substr(at + 1);

  ServerInfo info;
  absl::string_view user = userinfo;
  absl::string_view password;
  if (const size_t colon = userinfo.find(':'); colon != absl::string_view::npos) {
    user = userinfo.substr(0, colon);
    password = userinfo.substr(colon + 1);
  }
  absl::StatusOr<std::string> u = PercentDecode(user);
  absl::StatusOr<std::string> p = PercentDecode(password);
  if (!u.ok() || !p.ok() || u->empty()) return bad("user or password");
  info.user = *u;
  info.password = *p;

  absl::string_view hostport = hostpart;
  if (const size_t slash = hostpart.find('/'); slash != absl::string_view::npos) {
    hostport = hostpart.substr(0, slash);
    absl::StatusOr<std::string> db = PercentDecode(hostpart.substr(slash + 1));
    if (!db.ok()) return bad("database");
    info.database = *db;
  }
  absl::string_view host = hostport;
  absl::string_view port;
  if (absl::StartsWith(hostport, "[")) {
    const size_t close = hostport.find(']');
    if (close == absl::string_view::npos) return bad("unterminated [");
    host = hostport.substr(1, close - 1);
    absl::string_view after = hostport.substr(close + 1);
    if (!after.empty() && !absl::ConsumePrefix(&after, ":")) return bad("port");
    port = after;
  } else if (const size_t colon = hostport.rfind(':');
             colon != absl::string_view::npos) {
    host = hostport.substr(0, colon);
    port = hostport.substr(colon + 1);
  }
  if (host.empty()) return bad("no host");
  info.host = std::string(host);
  info.port = 3306;
  if (!port.empty()) {
    absl::StatusOr<uint16_t> parsed = ParsePort(port);
    if (!parsed.ok()) return bad("port");
    info.port = *parsed;
  }

  if (!query.empty()) {
    for (absl::string_view kv : absl::StrSplit(query, '&', absl::SkipEmpty())) {
      std::pair<absl::string_view, absl::string_view> parts =
          absl::StrSplit(kv, absl::MaxSplits('=', 1));
      absl::StatusOr<std::string> value = PercentDecode(parts.second);
      if (!value.ok()) return bad("query value");
      if (parts.first == "ssl-ca") {
        info.ca_path = *value;
      } else if (parts.first == "wrong-ca") {
        info.wrong_ca_path = *value;
      } else if (parts.first == "tls-user") {
        info.tls_user = *value;
      } else if (parts.first == "ed25519-user") {
        info.ed25519_user = *value;
      } else {
        return bad(absl::StrCat("unknown parameter '", parts.first, "'"));
      }
    }
  }
  info.root_user = info.user;
  info.root_password = info.password;
  info.dsn = std::string(dsn);
  return info;
}

absl::StatusOr<std::string> QueryAsRoot(const ServerInfo& info,
                                        absl::string_view sql) {
  std::vector<std::string> argv = {
      "mariadb",
      "--no-defaults",
      "--batch",
      "--skip-column-names",
      "--max-allowed-packet=1G",
      absl::StrCat("--user=", info.root_user.empty() ? "root" : info.root_user),
  };
  if (!info.socket.empty()) {
    argv.push_back("--protocol=socket");
    argv.push_back(absl::StrCat("--socket=", info.socket));
  } else {
    argv.push_back("--protocol=tcp");
    argv.push_back(absl::StrCat("--host=", info.host));
    argv.push_back(absl::StrCat("--port=", info.port));
    if (!info.ca_path.empty()) {
      argv.push_back(absl::StrCat("--ssl-ca=", info.ca_path));
    }
  }
  if (!info.database.empty()) {
    argv.push_back(absl::StrCat("--database=", info.database));
  }
  CommandOptions options;
  options.stdin_data = std::string(sql);
  // Through the environment, so the password never shows in `ps` or errors.
  options.env.emplace_back("MYSQL_PWD", info.root_password);
  options.timeout = kQueryTimeout;
  return RunCommand(argv, options);
}

Sandbox::Sandbox(std::string script, ServerInfo info)
    : script_(std::move(script)), info_(std::move(info)), owner_pid_(getpid()) {}

absl::StatusOr<std::unique_ptr<Sandbox>> Sandbox::Start() {
  return StartWith({});
}

absl::StatusOr<std::unique_ptr<Sandbox>> Sandbox::StartReplicaOf(
    const Sandbox& primary) {
  if (primary.info_.sandbox_dir.empty()) {
    return absl::FailedPreconditionError("the primary is not a sandbox");
  }
  return StartWith({"--replica-of", primary.info_.sandbox_dir});
}

absl::StatusOr<std::unique_ptr<Sandbox>> Sandbox::StartWith(
    const std::vector<std::string>& extra_args) {
  absl::StatusOr<std::string> script = FindSandboxScript();
  if (!script.ok()) return script.status();

  // The folder may be long (TEST_TMPDIR); the script keeps the socket in /tmp.
  std::string base = GetEnv("TEST_TMPDIR");
  if (base.empty()) base = "/tmp";
  std::string templ = absl::StrCat(base, "/mysqlgw-sandbox.XXXXXX");
  if (mkdtemp(templ.data()) == nullptr) {
    return absl::InternalError(
        absl::StrCat("mkdtemp(", templ, "): ", strerror(errno)));
  }
  const std::string dir = templ;

  CommandOptions options;
  options.timeout = kStartTimeout;
  std::vector<std::string> argv = {*script,      "start",
                                   "--dir",      dir,
                                   "--no-state", "--watch-pid",
                                   absl::StrCat(getpid())};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  absl::StatusOr<std::string> out = RunCommand(argv, options);
  if (!out.ok()) {
    rmdir(dir.c_str());  // the script empties the folder when it fails
    return absl::Status(out.status().code(),
                        absl::StrCat("cannot start a MariaDB sandbox: ",
                                     out.status().message()));
  }
  const std::string dsn(absl::StripAsciiWhitespace(*out));

  absl::StatusOr<ServerInfo> info = InfoFromEnvFile(dir);
  if (!info.ok() || info->dsn != dsn) {
    RunCommand({*script, "stop", "--dir", dir}).IgnoreError();
    if (!info.ok()) return info.status();
    return absl::InternalError(
        "scripts/mysql-sandbox printed a DSN that differs from sandbox.env");
  }
  return std::unique_ptr<Sandbox>(new Sandbox(*std::move(script), *std::move(info)));
}

Sandbox::~Sandbox() {
  if (getpid() != owner_pid_ || info_.sandbox_dir.empty()) return;
  CommandOptions options;
  options.timeout = kStopTimeout;
  absl::StatusOr<std::string> out =
      RunCommand({script_, "stop", "--dir", info_.sandbox_dir}, options);
  if (!out.ok()) {
    fprintf(stderr, "mysqlgw::testing::Sandbox: stop failed: %s\n",
            std::string(out.status().message()).c_str());
  }
}

absl::StatusOr<std::string> Sandbox::RootQuery(absl::string_view sql) const {
  return QueryAsRoot(info_, sql);
}

absl::Status Sandbox::StopServer() const {
  CommandOptions options;
  options.timeout = kStopTimeout;
  return RunCommand({script_, "server-stop", "--dir", info_.sandbox_dir},
                    options)
      .status();
}

absl::Status Sandbox::StartServer() const {
  CommandOptions options;
  options.timeout = kStartTimeout;
  return RunCommand({script_, "server-start", "--dir", info_.sandbox_dir},
                    options)
      .status();
}

namespace {

struct SharedState {
  absl::Status status;
  std::unique_ptr<Sandbox> sandbox;  // destroyed (server stopped) at exit
  ServerInfo external;  // used when there is no sandbox
};

SharedState& Shared() {
  static SharedState state = [] {
    SharedState s;
    const std::string dsn = GetEnv("MYSQLGW_TEST_DSN");
    if (!dsn.empty()) {
      absl::StatusOr<ServerInfo> info = ParseDsn(dsn);
      if (!info.ok()) {
        s.status = absl::InvalidArgumentError(
            absl::StrCat("MYSQLGW_TEST_DSN: ", info.status().message()));
        return s;
      }
      s.external = *std::move(info);
      return s;
    }
    absl::StatusOr<std::unique_ptr<Sandbox>> sandbox = Sandbox::Start();
    if (!sandbox.ok()) {
      s.status = sandbox.status();
      return s;
    }
    s.sandbox = *std::move(sandbox);
    return s;
  }();
  return state;
}

}  // namespace

absl::StatusOr<const ServerInfo*> SharedServer() {
  SharedState& s = Shared();
  if (!s.status.ok()) return s.status;
  if (s.sandbox != nullptr) return &s.sandbox->info();
  return &s.external;
}

const Sandbox* SharedSandbox() { return Shared().sandbox.get(); }

}  // namespace mysqlgw::testing
