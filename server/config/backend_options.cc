#include "server/config/backend_options.h"

#include <chrono>
#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "mysqlwire/dsn.h"
#include "server/config/config_defaults.h"
#include "server/config/config_loader.h"

namespace mysqlgw {
namespace {

constexpr absl::string_view kScheme = "mysql://";

// Whether the text before the last '@' has a ':' after the scheme, i.e.
// user:password. Used only for DSNs that failed to parse, whose structure
// cannot be trusted, so that their error does not quote the password.
bool MayHoldPassword(absl::string_view dsn) {
  if (absl::StartsWith(dsn, kScheme)) dsn.remove_prefix(kScheme.size());
  size_t at = dsn.rfind('@');
  return at != absl::string_view::npos && dsn.substr(0, at).find(':') != absl::string_view::npos;
}

bool DsnSetsConnectTimeout(absl::string_view dsn) {
  size_t q = dsn.find('?');
  if (q == absl::string_view::npos) return false;
  for (absl::string_view pair : absl::StrSplit(dsn.substr(q + 1), '&')) {
    if (absl::StartsWith(pair, "connect-timeout=")) return true;
  }
  return false;
}

std::chrono::milliseconds ToMillis(const google::protobuf::Duration& d) {
  // Rounds up so that a sub-millisecond timeout does not become "none".
  int64_t nanos_ms = (static_cast<int64_t>(d.nanos()) + 999999) / 1000000;
  return std::chrono::milliseconds(d.seconds() * 1000 + nanos_ms);
}

absl::StatusOr<std::string> BackendPassword(const v1::BackendConfig& backend) {
  if (!backend.password_file().empty() && !backend.password_env().empty()) {
    return absl::InvalidArgumentError("set password_file or password_env, not both");
  }
  if (!backend.password_file().empty()) {
    absl::StatusOr<std::string> contents = ReadSmallFile(backend.password_file());
    if (!contents.ok()) {
      return absl::Status(contents.status().code(),
                          absl::StrCat("password_file: ", contents.status().message()));
    }
    // Editors and `echo` add a final newline that is not part of the password.
    while (!contents->empty() && (contents->back() == '\n' || contents->back() == '\r')) {
      contents->pop_back();
    }
    return contents;
  }
  if (!backend.password_env().empty()) {
    const char* value = std::getenv(backend.password_env().c_str());
    if (value == nullptr) {
      return absl::FailedPreconditionError(absl::StrCat("password_env: environment variable ",
                                                        backend.password_env(), " is not set"));
    }
    return std::string(value);
  }
  return std::string();
}

}  // namespace

absl::StatusOr<mysqlwire::ConnectOptions> ParseDsnWithoutPassword(absl::string_view dsn) {
  constexpr absl::string_view kUseFileOrEnv =
      "use password_file or password_env instead of a password in the DSN";
  absl::StatusOr<mysqlwire::ConnectOptions> options = mysqlwire::ParseDsn(dsn);
  if (!options.ok()) {
    if (MayHoldPassword(dsn)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "DSN: invalid (details withheld: it seems to contain a password; ", kUseFileOrEnv, ")"));
    }
    return absl::InvalidArgumentError(options.status().message());  // "DSN: ..."
  }
  if (!options->password.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("the DSN contains a password; ", kUseFileOrEnv));
  }
  return options;
}

absl::StatusOr<mysqlwire::ConnectOptions> BackendConnectOptions(const v1::BackendConfig& backend) {
  auto fail = [&](const absl::Status& status) {
    return absl::Status(status.code(),
                        absl::StrCat("backend '", backend.name(), "': ", status.message()));
  };
  absl::StatusOr<mysqlwire::ConnectOptions> options = ParseDsnWithoutPassword(backend.dsn());
  if (!options.ok()) return fail(options.status());
  absl::StatusOr<std::string> password = BackendPassword(backend);
  if (!password.ok()) return fail(password.status());
  options->password = *std::move(password);
  if (!DsnSetsConnectTimeout(backend.dsn())) {
    options->connect_timeout =
        backend.pool().has_connect_timeout()
            ? ToMillis(backend.pool().connect_timeout())
            : std::chrono::milliseconds(kDefaultPoolConnectTimeoutSeconds * 1000);
  }
  return options;
}

}  // namespace mysqlgw
