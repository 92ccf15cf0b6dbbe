// A caller's IP address and CIDR ranges to match it against (rules, the
// client address allowlist). IPv4 addresses are held as IPv4-mapped IPv6 so
// that "10.0.0.0/8" also matches a caller seen as "::ffff:10.1.2.3".
#ifndef SERVER_INTERCEPT_CLIENT_ADDRESS_H_
#define SERVER_INTERCEPT_CLIENT_ADDRESS_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mysqlgw {

class ClientAddress {
 public:
  ClientAddress() = default;  // Unspecified: matches no range.

  // "10.1.2.3", "::1", "fe80::1%eth0" (zone dropped).
  static absl::StatusOr<ClientAddress> Parse(absl::string_view ip);
  // gRPC's peer string: "ipv4:10.1.2.3:5000", "ipv6:[::1]:5000",
  // "ipv6:%5B::1%5D:5000"; anything else ("unix:...") is unspecified.
  static ClientAddress FromGrpcPeer(absl::string_view peer);

  bool specified() const { return specified_; }
  bool is_loopback() const;
  std::string ToString() const;
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }

 private:
  std::array<uint8_t, 16> bytes_{};
  bool specified_ = false;
};

class CidrRange {
 public:
  // "10.0.0.0/8", "::1/128", or a single address ("192.168.1.5").
  // Host bits set beyond the prefix are an error (a likely typo).
  static absl::StatusOr<CidrRange> Parse(absl::string_view cidr);
  bool Contains(const ClientAddress& address) const;
  const std::string& text() const { return text_; }

 private:
  std::array<uint8_t, 16> network_{};
  int prefix_bits_ = 0;  // Over the 128-bit (mapped) form.
  std::string text_;
};

}  // namespace mysqlgw

#endif  // SERVER_INTERCEPT_CLIENT_ADDRESS_H_
