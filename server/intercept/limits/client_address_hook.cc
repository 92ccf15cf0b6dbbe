#include "server/intercept/limits/client_address_hook.h"

#include "absl/strings/str_cat.h"
#include "server/intercept/limits/config_problems.h"

namespace mysqlgw {

using limits_internal::ConfigProblems;
using limits_internal::IndexedPath;

namespace {
constexpr uint16_t kErHostNotPrivileged = 1130;
}  // namespace

absl::StatusOr<std::unique_ptr<ClientAddressHook>> ClientAddressHook::Create(
    const v1::InterceptionConfig& config) {
  ConfigProblems problems;
  std::unique_ptr<ClientAddressHook> hook(new ClientAddressHook());
  absl::flat_hash_map<std::string, int> first_index;
  for (int i = 0; i < config.client_addresses_size(); ++i) {
    const v1::ClientAddressAllowlist& entry = config.client_addresses(i);
    const std::string path = IndexedPath("interception.client_addresses", i);
    if (entry.principal().empty()) {
      problems.Add(path, "principal must not be empty (\"*\" for every principal)");
    } else if (auto [it, inserted] = first_index.emplace(entry.principal(), i); !inserted) {
      // Two lists for one principal: whether they add up or the last wins
      // would be a guess, and a wrong guess opens or closes access.
      problems.Add(path, absl::StrCat("principal '", entry.principal(),
                                "' already has a list at interception.client_addresses[",
                                it->second, "]"));
    }
    if (entry.cidrs().empty()) {
      problems.Add(path, "cidrs must not be empty (an empty list would refuse every address)");
    }
    std::vector<CidrRange>& ranges = hook->ranges_[entry.principal()];
    for (int j = 0; j < entry.cidrs_size(); ++j) {
      absl::StatusOr<CidrRange> range = CidrRange::Parse(entry.cidrs(j));
      if (!range.ok()) {
        problems.Add(IndexedPath(path + ".cidrs", j), range.status().message());
        continue;
      }
      ranges.push_back(*std::move(range));
    }
  }
  if (!problems.empty()) return problems.ToStatus();
  return hook;
}

const std::vector<CidrRange>* ClientAddressHook::RangesFor(absl::string_view principal) const {
  auto it = ranges_.find(principal);
  if (it == ranges_.end()) it = ranges_.find("*");
  return it == ranges_.end() ? nullptr : &it->second;
}

absl::Status ClientAddressHook::Check(absl::string_view principal,
                                      const ClientAddress& address) const {
  const std::vector<CidrRange>* ranges = RangesFor(principal);
  if (ranges == nullptr) return absl::OkStatus();
  for (const CidrRange& range : *ranges) {
    if (range.Contains(address)) return absl::OkStatus();
  }
  rejected_.fetch_add(1, std::memory_order_relaxed);
  const std::string shown =
      address.specified() ? address.ToString() : "unknown (unix socket or in-process call)";
  return RejectionStatus(absl::StatusCode::kPermissionDenied, kErHostNotPrivileged, "HY000",
                         absl::StrCat("client address ", shown,
                                      " is not allowed for principal '", principal, "'"));
}

absl::Status ClientAddressHook::OnConnect(const ClientInfo& client) {
  return Check(client.principal, client.address);
}

}  // namespace mysqlgw
