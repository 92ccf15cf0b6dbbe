// Client addresses allowed per principal (interception.client_addresses),
// checked once per gRPC call or listener connection, before any statement.
//
// A principal with its own entry may connect only from its CIDR ranges; a
// principal without one falls under the "*" entry when there is one, else
// may connect from anywhere. An unspecified address (a unix socket, an
// in-process caller) matches no range, so a principal with a list is
// refused there: a list is a promise about where the principal's calls come
// from, and a caller whose origin is unknown cannot keep it. Give such a
// principal no list if it must connect that way.
//
// Refusal: PERMISSION_DENIED, errno 1130 (ER_HOST_NOT_PRIVILEGED, what MySQL
// itself answers for a host outside the account's), SQLSTATE HY000.
//
// Immutable after Create; thread-safe.
#ifndef SERVER_INTERCEPT_LIMITS_CLIENT_ADDRESS_HOOK_H_
#define SERVER_INTERCEPT_LIMITS_CLIENT_ADDRESS_HOOK_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mysqlgw/v1/config.pb.h"
#include "server/intercept/client_address.h"
#include "server/intercept/hook.h"

namespace mysqlgw {

class ClientAddressHook : public Hook {
 public:
  // Validates interception.client_addresses: principals non-empty and
  // unique, at least one range each, every range parses.
  static absl::StatusOr<std::unique_ptr<ClientAddressHook>> Create(
      const v1::InterceptionConfig& config);

  absl::string_view name() const override { return "client_address"; }
  absl::Status OnConnect(const ClientInfo& client) override;

  // OK, or the refusal OnConnect returns.
  absl::Status Check(absl::string_view principal, const ClientAddress& address) const;

  uint64_t rejected() const { return rejected_.load(std::memory_order_relaxed); }

 private:
  ClientAddressHook() = default;
  // The ranges that apply to `principal`; null when it is unrestricted.
  const std::vector<CidrRange>* RangesFor(absl::string_view principal) const;

  absl::flat_hash_map<std::string, std::vector<CidrRange>> ranges_;
  mutable std::atomic<uint64_t> rejected_{0};
};

}  // namespace mysqlgw

#endif  // SERVER_INTERCEPT_LIMITS_CLIENT_ADDRESS_HOOK_H_
