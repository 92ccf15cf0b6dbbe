// Hot reload of the configuration file: on SIGHUP (main calls ReloadNow)
// and when the file changes (a watcher thread polls its identity: inode,
// size, modification time, so editors that replace the file by rename are
// seen too). The new file goes through the whole of BuildConfig (parse,
// defaults, validation) and the interception policy is rebuilt from it;
// anything invalid is logged and the running configuration stays.
//
// What reloads: the `interception` section, and the gRPC principals and
// tokens of `auth` when an Authenticator is given (so a token removed from
// the file is refused from the next call on). Other sections (listen,
// backends, ...) and the MySQL-protocol listener's logins need a restart; a
// change to them is logged as such.
#ifndef SERVER_GATEWAY_CONFIG_RELOADER_H_
#define SERVER_GATEWAY_CONFIG_RELOADER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "server/auth/authenticator.h"
#include "server/config/build_config.h"
#include "server/gateway/gateway.h"

namespace mysqlgw {

class ConfigReloader {
 public:
  ConfigReloader(std::string path, FlagOverrides overrides, v1::GatewayConfig running,
                 Interceptor& interceptor, Authenticator* authenticator = nullptr);
  ~ConfigReloader();

  // Re-reads the file and applies it. Any thread; one reload at a time.
  absl::Status ReloadNow(absl::string_view reason);

  // Polls the file every `interval` on a thread of its own.
  void StartWatching(std::chrono::milliseconds interval);
  void Stop();

  uint64_t succeeded() const { return succeeded_.load(); }
  uint64_t failed() const { return failed_.load(); }

  // Which configuration is in force, for /statusz.
  struct Version {
    std::string path;
    uint64_t number = 1;  // 1 as started, +1 for each reload applied.
    std::string hash;     // sha256 of the configuration in force, 16 hex digits.
    absl::Time loaded_at;
    uint64_t failed = 0;
    std::string last_error;  // Of the last rejected reload.
    absl::Time last_failed_at = absl::InfinitePast();
  };
  Version version() const;

  // The first 16 hex digits of the sha256 of `config`'s deterministic
  // serialization: equal configurations hash alike across processes.
  static std::string ConfigHash(const v1::GatewayConfig& config);

 private:
  std::string FileIdentity() const;

  const std::string path_;
  const FlagOverrides overrides_;
  Interceptor& interceptor_;
  Authenticator* const authenticator_;  // May be null: auth is not reloaded.
  std::mutex reload_mu_;
  v1::GatewayConfig running_;  // Guarded by reload_mu_.
  std::atomic<uint64_t> succeeded_{0};
  std::atomic<uint64_t> failed_{0};
  mutable std::mutex version_mu_;
  Version version_;  // Guarded by version_mu_.

  std::mutex watch_mu_;
  std::condition_variable watch_cv_;
  bool stopping_ = false;
  std::thread watcher_;
};

}  // namespace mysqlgw

#endif  // SERVER_GATEWAY_CONFIG_RELOADER_H_
