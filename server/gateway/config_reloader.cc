#include "server/gateway/config_reloader.h"

#include <openssl/sha.h>
#include <sys/stat.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/message_differencer.h"
#include "server/log/log.h"

namespace mysqlgw {
namespace {

// The principals that log in on the MySQL-protocol listener (a password
// hash set): the listener builds its accounts once, at startup.
v1::AuthConfig MySqlLogins(const v1::AuthConfig& auth) {
  v1::AuthConfig logins;
  for (const v1::PrincipalConfig& p : auth.principals()) {
    if (!p.mysql_native_password_hash().empty() || !p.mysql_caching_sha2_password_hash().empty()) {
      *logins.add_principals() = p;
    }
  }
  return logins;
}

}  // namespace

ConfigReloader::ConfigReloader(std::string path, FlagOverrides overrides,
                               v1::GatewayConfig running, Interceptor& interceptor,
                               Authenticator* authenticator)
    : path_(std::move(path)),
      overrides_(std::move(overrides)),
      interceptor_(interceptor),
      authenticator_(authenticator),
      running_(std::move(running)) {
  version_.path = path_;
  version_.hash = ConfigHash(running_);
  version_.loaded_at = absl::Now();
}

ConfigReloader::~ConfigReloader() { Stop(); }

absl::Status ConfigReloader::ReloadNow(absl::string_view reason) {
  std::lock_guard<std::mutex> lock(reload_mu_);
  absl::StatusOr<v1::GatewayConfig> next = BuildConfig(path_, overrides_);
  if (!next.ok()) interceptor_.RecordFailedReload();
  absl::Status status = next.ok() ? interceptor_.Reload(next->interception()) : next.status();
  if (!status.ok()) {
    failed_.fetch_add(1);
    {
      std::lock_guard<std::mutex> version_lock(version_mu_);
      ++version_.failed;
      version_.last_error = std::string(status.message());
      version_.last_failed_at = absl::Now();
    }
    Log(LogLevel::kError, "config",
        absl::StrCat("reload (", reason, ") rejected, the running configuration stays: ",
                     status.message()));
    return status;
  }
  v1::GatewayConfig rest = *next;
  v1::GatewayConfig running_rest = running_;
  rest.clear_interception();
  running_rest.clear_interception();
  if (authenticator_ != nullptr) {
    // Tokens and permissions of gRPC callers; the MySQL-protocol listener
    // keeps the logins it started with.
    const bool logins_changed = !google::protobuf::util::MessageDifferencer::Equals(
        MySqlLogins(rest.auth()), MySqlLogins(running_rest.auth()));
    if (!google::protobuf::util::MessageDifferencer::Equals(rest.auth(), running_rest.auth())) {
      authenticator_->Reload(rest.auth());
      Log(LogLevel::kInfo, "config",
          absl::StrCat("auth reloaded: ", rest.auth().principals_size(),
                       " principal(s) for gRPC callers"));
    }
    if (!logins_changed) {
      rest.clear_auth();
      running_rest.clear_auth();
    }
  }
  if (!google::protobuf::util::MessageDifferencer::Equals(rest, running_rest)) {
    Log(LogLevel::kWarning, "config",
        "changes outside the interception section take effect at the next restart");
  }
  running_ = *std::move(next);
  succeeded_.fetch_add(1);
  {
    std::string hash = ConfigHash(running_);
    std::lock_guard<std::mutex> version_lock(version_mu_);
    ++version_.number;
    version_.hash = std::move(hash);
    version_.loaded_at = absl::Now();
  }
  Log(LogLevel::kInfo, "config",
      absl::StrCat("reloaded (", reason, "): ", running_.interception().rules_size(),
                   " rule(s), policy generation ", interceptor_.Current()->generation()));
  return absl::OkStatus();
}

ConfigReloader::Version ConfigReloader::version() const {
  std::lock_guard<std::mutex> lock(version_mu_);
  return version_;
}

std::string ConfigReloader::ConfigHash(const v1::GatewayConfig& config) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    config.SerializeToCodedStream(&coded);
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return absl::BytesToHexString(
             absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)))
      .substr(0, 16);
}

std::string ConfigReloader::FileIdentity() const {
  struct stat st;
  if (::stat(path_.c_str(), &st) != 0) return "";
  return absl::StrCat(st.st_dev, ":", st.st_ino, ":", st.st_size, ":", st.st_mtim.tv_sec, ".",
                      st.st_mtim.tv_nsec);
}

void ConfigReloader::StartWatching(std::chrono::milliseconds interval) {
  if (path_.empty() || watcher_.joinable()) return;
  watcher_ = std::thread([this, interval] {
    std::string seen = FileIdentity();
    std::unique_lock<std::mutex> lock(watch_mu_);
    while (!watch_cv_.wait_for(lock, interval, [this] { return stopping_; })) {
      std::string now = FileIdentity();
      // A file being replaced may be missing for a moment: wait for it.
      if (now.empty() || now == seen) continue;
      seen = now;
      lock.unlock();
      (void)ReloadNow("file changed");
      lock.lock();
    }
  });
}

void ConfigReloader::Stop() {
  {
    std::lock_guard<std::mutex> lock(watch_mu_);
    stopping_ = true;
  }
  watch_cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

}  // namespace mysqlgw
