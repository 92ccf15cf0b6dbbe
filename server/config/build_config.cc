#include "server/config/build_config.h"

#include "absl/strings/str_cat.h"
#include "server/config/config_defaults.h"
#include "server/config/config_loader.h"
#include "server/config/config_validate.h"

namespace mysqlgw {
namespace {

absl::Status ApplyBackendFlags(const FlagOverrides& flags, v1::GatewayConfig* config) {
  bool any = !flags.backend_dsn.empty() || !flags.backend_password_file.empty() ||
             !flags.backend_password_env.empty();
  if (!any) return absl::OkStatus();
  if (!flags.backend_password_file.empty() && !flags.backend_password_env.empty()) {
    return absl::InvalidArgumentError(
        "--backend_password_file and --backend_password_env exclude each other");
  }
  if (config->backends_size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--backend_* flags are ambiguous: the configuration has ",
                     config->backends_size(), " backends"));
  }
  if (config->backends().empty()) {
    if (flags.backend_dsn.empty()) {
      return absl::InvalidArgumentError("a backend password flag needs --backend_dsn");
    }
    config->add_backends()->set_name(kFlagBackendName);
  }
  v1::BackendConfig* backend = config->mutable_backends(0);
  if (!flags.backend_dsn.empty()) backend->set_dsn(flags.backend_dsn);
  if (!flags.backend_password_file.empty()) {
    backend->set_password_file(flags.backend_password_file);
    backend->clear_password_env();
  }
  if (!flags.backend_password_env.empty()) {
    backend->set_password_env(flags.backend_password_env);
    backend->clear_password_file();
  }
  return absl::OkStatus();
}

void ApplyAnonymousFlag(v1::AuthConfig* auth) {
  auth->set_allow_anonymous(true);
  if (!auth->anonymous_principal().empty()) return;
  auth->set_anonymous_principal(kFlagAnonymousPrincipal);
  for (const v1::PrincipalConfig& principal : auth->principals()) {
    if (principal.name() == kFlagAnonymousPrincipal) return;
  }
  v1::PrincipalConfig* principal = auth->add_principals();
  principal->set_name(kFlagAnonymousPrincipal);
  principal->add_databases("*");
  principal->add_operations(v1::OPERATION_READ);
  principal->add_operations(v1::OPERATION_WRITE);
  principal->add_operations(v1::OPERATION_DDL);
}

}  // namespace

absl::StatusOr<v1::GatewayConfig> BuildConfig(const std::string& config_path,
                                              const FlagOverrides& flags) {
  v1::GatewayConfig config;
  if (!config_path.empty()) {
    absl::StatusOr<v1::GatewayConfig> loaded = LoadConfigFile(config_path);
    if (!loaded.ok()) return loaded.status();
    config = *std::move(loaded);
  }
  if (!flags.listen_address.empty()) {
    config.mutable_listen()->set_address(flags.listen_address);
  }
  if (absl::Status s = ApplyBackendFlags(flags, &config); !s.ok()) return s;
  if (flags.allow_anonymous) ApplyAnonymousFlag(config.mutable_auth());
  ApplyDefaults(&config);
  if (absl::Status s = ValidateConfig(config); !s.ok()) {
    std::string source = config_path.empty() ? "flags" : config_path;
    return absl::Status(s.code(), absl::StrCat(source, ": ", s.message()));
  }
  return config;
}

}  // namespace mysqlgw
