#include "server/gateway/config_reloader.h"

#include <sys/stat.h>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "server/log/log.h"

namespace mysqlgw {

ConfigReloader::ConfigReloader(std::string path, FlagOverrides overrides,
                               v1::GatewayConfig running, Interceptor& interceptor)
    : path_(std::move(path)),
      overrides_(std::move(overrides)),
      interceptor_(interceptor),
      running_(std::move(running)) {}

ConfigReloader::~ConfigReloader() { Stop(); }

absl::Status ConfigReloader::ReloadNow(absl::string_view reason) {
  std::lock_guard<std::mutex> lock(reload_mu_);
  absl::StatusOr<v1::GatewayConfig> next = BuildConfig(path_, overrides_);
  if (!next.ok()) interceptor_.RecordFailedReload();
  absl::Status status = next.ok() ? interceptor_.Reload(next->interception()) : next.status();
  if (!status.ok()) {
    failed_.fetch_add(1);
    Log(LogLevel::kError, "config",
        absl::StrCat("reload (", reason, ") rejected, the running configuration stays: ",
                     status.message()));
    return status;
  }
  v1::GatewayConfig rest = *next;
  v1::GatewayConfig running_rest = running_;
  rest.clear_interception();
  running_rest.clear_interception();
  if (!google::protobuf::util::MessageDifferencer::Equals(rest, running_rest)) {
    Log(LogLevel::kWarning, "config",
        "changes outside the interception section take effect at the next restart");
  }
  running_ = *std::move(next);
  succeeded_.fetch_add(1);
  Log(LogLevel::kInfo, "config",
      absl::StrCat("reloaded (", reason, "): ", running_.interception().rules_size(),
                   " rule(s), policy generation ", interceptor_.Current()->generation()));
  return absl::OkStatus();
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
