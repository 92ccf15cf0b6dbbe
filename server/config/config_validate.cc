#include "server/config/config_validate.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/reflection.h"
#include "server/config/backend_options.h"
#include "server/config/config_loader.h"

namespace mysqlgw {
namespace {

using ::google::protobuf::Descriptor;
using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::Message;
using ::google::protobuf::Reflection;

class Problems {
 public:
  void Add(std::string problem) { problems_.push_back(std::move(problem)); }
  absl::Status ToStatus() const {
    if (problems_.empty()) return absl::OkStatus();
    return absl::InvalidArgumentError(
        absl::StrCat("invalid configuration:\n", absl::StrJoin(problems_, "\n")));
  }

 private:
  std::vector<std::string> problems_;
};

bool IsLowerHexSha256(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Every google.protobuf.Duration below `message`, found by reflection so that
// a duration field added later is checked too.
void CheckDurations(const Message& message, const std::string& path, Problems* problems) {
  const Descriptor& type = *message.GetDescriptor();
  const Reflection& reflection = *message.GetReflection();
  if (type.full_name() == "google.protobuf.Duration") {
    int64_t seconds = reflection.GetInt64(message, type.FindFieldByName("seconds"));
    int32_t nanos = reflection.GetInt32(message, type.FindFieldByName("nanos"));
    if (seconds < 0 || nanos < 0) {
      problems->Add(absl::StrCat(path, ": must not be negative"));
    }
    return;
  }
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor* field = type.field(i);
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    std::string field_path = path.empty() ? field->name() : absl::StrCat(path, ".", field->name());
    if (field->is_repeated()) {
      for (int k = 0; k < reflection.FieldSize(message, field); ++k) {
        CheckDurations(reflection.GetRepeatedMessage(message, field, k),
                       absl::StrCat(field_path, "[", k, "]"), problems);
      }
    } else if (reflection.HasField(message, field)) {
      CheckDurations(reflection.GetMessage(message, field), field_path, problems);
    }
  }
}

int64_t TotalNanos(const google::protobuf::Duration& d) {
  return d.seconds() * 1000000000 + d.nanos();
}

void CheckBackends(const v1::GatewayConfig& config, Problems* problems) {
  if (config.backends().empty()) {
    problems->Add("backends: at least one backend is required");
  }
  absl::flat_hash_set<std::string> names;
  for (int i = 0; i < config.backends_size(); ++i) {
    const v1::BackendConfig& backend = config.backends(i);
    std::string where = absl::StrCat("backends[", i, "]");
    if (!backend.name().empty()) absl::StrAppend(&where, " ('", backend.name(), "')");
    if (backend.name().empty()) {
      problems->Add(absl::StrCat(where, ": name is required"));
    } else if (!names.insert(backend.name()).second) {
      problems->Add(absl::StrCat(where, ": duplicate backend name"));
    }
    if (backend.dsn().empty()) {
      problems->Add(absl::StrCat(where, ": dsn is required"));
    } else if (absl::StatusOr<mysqlwire::ConnectOptions> options =
                   ParseDsnWithoutPassword(backend.dsn());
               !options.ok()) {
      problems->Add(absl::StrCat(where, ": ", options.status().message()));
    }
    if (!backend.password_file().empty() && !backend.password_env().empty()) {
      problems->Add(absl::StrCat(where, ": set password_file or password_env, not both"));
    }
    const v1::PoolConfig& pool = backend.pool();
    if (pool.max_open() < 1) {
      problems->Add(absl::StrCat(where, ": pool.max_open must be at least 1"));
    } else if (pool.min_idle() > pool.max_open()) {
      problems->Add(absl::StrCat(where, ": pool.min_idle (", pool.min_idle(),
                                 ") exceeds pool.max_open (", pool.max_open(), ")"));
    }
  }
}

void CheckAuth(const v1::AuthConfig& auth, Problems* problems) {
  absl::flat_hash_set<std::string> names;
  absl::flat_hash_map<std::string, std::string> hash_owner;
  for (int i = 0; i < auth.principals_size(); ++i) {
    const v1::PrincipalConfig& principal = auth.principals(i);
    std::string where = absl::StrCat("auth.principals[", i, "]");
    if (!principal.name().empty()) absl::StrAppend(&where, " ('", principal.name(), "')");
    if (principal.name().empty()) {
      problems->Add(absl::StrCat(where, ": name is required"));
    } else if (!names.insert(principal.name()).second) {
      problems->Add(absl::StrCat(where, ": duplicate principal name"));
    }
    for (int k = 0; k < principal.token_sha256_size(); ++k) {
      const std::string& hash = principal.token_sha256(k);
      if (!IsLowerHexSha256(hash)) {
        problems->Add(absl::StrCat(where, ": token_sha256[", k,
                                   "] must be 64 lower-case hex characters "
                                   "(printf %s \"$TOKEN\" | sha256sum)"));
        continue;
      }
      auto [it, inserted] = hash_owner.emplace(hash, principal.name());
      if (!inserted) {
        problems->Add(absl::StrCat(where, ": token_sha256[", k, "] is also a hash of principal '",
                                   it->second, "'"));
      }
    }
    for (int k = 0; k < principal.databases_size(); ++k) {
      if (principal.databases(k).empty()) {
        problems->Add(absl::StrCat(where, ": databases[", k, "] is empty"));
      }
    }
    for (int k = 0; k < principal.operations_size(); ++k) {
      if (principal.operations(k) == v1::OPERATION_UNSPECIFIED) {
        problems->Add(absl::StrCat(where, ": operations[", k, "] is unspecified"));
      }
    }
  }
  if (auth.allow_anonymous()) {
    if (auth.anonymous_principal().empty()) {
      problems->Add("auth: allow_anonymous requires anonymous_principal");
    } else if (!names.contains(auth.anonymous_principal())) {
      problems->Add(absl::StrCat("auth.anonymous_principal: no principal named '",
                                 auth.anonymous_principal(), "'"));
    }
  }
}

void CheckTls(const v1::TlsServerConfig& tls, absl::string_view where, Problems* problems) {
  bool has_cert = !tls.cert_file().empty();
  bool has_key = !tls.key_file().empty();
  if (has_cert != has_key) {
    problems->Add(absl::StrCat(where, ": cert_file and key_file go together"));
  }
  if (!tls.client_ca_file().empty() && !(has_cert && has_key)) {
    problems->Add(absl::StrCat(where, ": client_ca_file needs cert_file and key_file"));
  }
  for (const auto& [name, path] :
       {std::pair<const char*, const std::string&>{"cert_file", tls.cert_file()},
        {"key_file", tls.key_file()},
        {"client_ca_file", tls.client_ca_file()}}) {
    if (path.empty()) continue;
    if (absl::StatusOr<std::string> contents = ReadSmallFile(path); !contents.ok()) {
      problems->Add(absl::StrCat(where, ".", name, ": ", contents.status().message()));
    }
  }
}

bool IsHex(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

void CheckMySqlListener(const v1::MySqlListenerConfig& mysql, Problems* problems) {
  if (mysql.address().empty()) return;
  const size_t colon = mysql.address().rfind(':');
  uint32_t port = 0;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(mysql.address().substr(colon + 1), &port) || port > 65535) {
    problems->Add(absl::StrCat("mysql_listener.address: '", mysql.address(),
                               "' is not host:port"));
  }
  const std::string& plugin = mysql.default_auth_plugin();
  if (!plugin.empty() && plugin != "mysql_native_password" && plugin != "caching_sha2_password") {
    problems->Add(absl::StrCat("mysql_listener.default_auth_plugin: '", plugin,
                               "' is neither mysql_native_password nor caching_sha2_password"));
  }
  CheckTls(mysql.tls(), "mysql_listener.tls", problems);
  if (mysql.require_tls() && mysql.tls().cert_file().empty()) {
    problems->Add("mysql_listener: require_tls needs tls.cert_file and tls.key_file");
  }
  if (!mysql.rsa_private_key_file().empty()) {
    if (absl::StatusOr<std::string> contents = ReadSmallFile(mysql.rsa_private_key_file());
        !contents.ok()) {
      problems->Add(
          absl::StrCat("mysql_listener.rsa_private_key_file: ", contents.status().message()));
    }
  }
}

// MySQL logins of the principals: well-formed hashes, one principal per
// user name.
void CheckMySqlAccounts(const v1::AuthConfig& auth, Problems* problems) {
  absl::flat_hash_map<std::string, std::string> user_owner;
  for (int i = 0; i < auth.principals_size(); ++i) {
    const v1::PrincipalConfig& principal = auth.principals(i);
    std::string where = absl::StrCat("auth.principals[", i, "]");
    if (!principal.name().empty()) absl::StrAppend(&where, " ('", principal.name(), "')");
    const std::string& native = principal.mysql_native_password_hash();
    const std::string& sha2 = principal.mysql_caching_sha2_password_hash();
    if (!native.empty() && (native.size() != 41 || native[0] != '*' ||
                            !IsHex(absl::string_view(native).substr(1)))) {
      problems->Add(absl::StrCat(where,
                                 ": mysql_native_password_hash must be '*' and 40 hex digits "
                                 "(SELECT PASSWORD('...'))"));
    }
    if (!sha2.empty() && (sha2.size() != 64 || !IsHex(sha2))) {
      problems->Add(absl::StrCat(where, ": mysql_caching_sha2_password_hash must be 64 hex "
                                        "digits (SHA-256 of SHA-256 of the password)"));
    }
    if (native.empty() && sha2.empty()) {
      if (!principal.mysql_user().empty()) {
        problems->Add(absl::StrCat(where, ": mysql_user needs mysql_native_password_hash or "
                                          "mysql_caching_sha2_password_hash"));
      }
      continue;
    }
    const std::string& user =
        principal.mysql_user().empty() ? principal.name() : principal.mysql_user();
    auto [it, inserted] = user_owner.emplace(user, principal.name());
    if (!inserted) {
      problems->Add(absl::StrCat(where, ": MySQL user '", user, "' is also the login of principal '",
                                 it->second, "'"));
    }
  }
}

}  // namespace

absl::Status ValidateConfig(const v1::GatewayConfig& config) {
  Problems problems;
  CheckBackends(config, &problems);
  CheckAuth(config.auth(), &problems);
  CheckDurations(config, "", &problems);
  const v1::TransactionConfig& txn = config.transactions();
  if (TotalNanos(txn.max_idle_timeout()) < TotalNanos(txn.default_idle_timeout())) {
    problems.Add("transactions: max_idle_timeout is shorter than default_idle_timeout");
  }
  CheckTls(config.listen().tls(), "listen.tls", &problems);
  CheckMySqlListener(config.mysql_listener(), &problems);
  CheckMySqlAccounts(config.auth(), &problems);
  return problems.ToStatus();
}

}  // namespace mysqlgw
