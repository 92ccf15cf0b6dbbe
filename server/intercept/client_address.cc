#include "server/intercept/client_address.h"

#include <arpa/inet.h>

#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace mysqlgw {
namespace {

constexpr std::array<uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool IsV4Mapped(const std::array<uint8_t, 16>& b) {
  return std::memcmp(b.data(), kV4MappedPrefix.data(), kV4MappedPrefix.size()) == 0;
}

}  // namespace

absl::StatusOr<ClientAddress> ClientAddress::Parse(absl::string_view ip) {
  std::string text(ip.substr(0, ip.find('%')));
  ClientAddress out;
  in_addr v4;
  in6_addr v6;
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    std::memcpy(out.bytes_.data(), kV4MappedPrefix.data(), kV4MappedPrefix.size());
    std::memcpy(out.bytes_.data() + 12, &v4, 4);
  } else if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    std::memcpy(out.bytes_.data(), &v6, 16);
  } else {
    return absl::InvalidArgumentError(absl::StrCat("'", ip, "' is not an IP address"));
  }
  out.specified_ = true;
  return out;
}

ClientAddress ClientAddress::FromGrpcPeer(absl::string_view peer) {
  std::string p = absl::StrReplaceAll(peer, {{"%5B", "["}, {"%5D", "]"}, {"%25", "%"}});
  absl::string_view s = p;
  std::string host;
  if (s.substr(0, 5) == "ipv4:") {
    s.remove_prefix(5);
    host = std::string(s.substr(0, s.rfind(':')));
  } else if (s.substr(0, 5) == "ipv6:") {
    s.remove_prefix(5);
    if (!s.empty() && s[0] == '[') {
      size_t close = s.find(']');
      if (close == absl::string_view::npos) return ClientAddress();
      host = std::string(s.substr(1, close - 1));
    } else {
      host = std::string(s.substr(0, s.rfind(':')));
    }
  } else {
    return ClientAddress();
  }
  absl::StatusOr<ClientAddress> a = Parse(host);
  return a.ok() ? *a : ClientAddress();
}

bool ClientAddress::is_loopback() const {
  if (!specified_) return false;
  if (IsV4Mapped(bytes_)) return bytes_[12] == 127;
  for (int i = 0; i < 15; ++i) {
    if (bytes_[i] != 0) return false;
  }
  return bytes_[15] == 1;
}

std::string ClientAddress::ToString() const {
  if (!specified_) return "";
  char buf[INET6_ADDRSTRLEN];
  if (IsV4Mapped(bytes_)) {
    inet_ntop(AF_INET, bytes_.data() + 12, buf, sizeof(buf));
  } else {
    inet_ntop(AF_INET6, bytes_.data(), buf, sizeof(buf));
  }
  return buf;
}

absl::StatusOr<CidrRange> CidrRange::Parse(absl::string_view cidr) {
  size_t slash = cidr.find('/');
  absl::StatusOr<ClientAddress> addr = ClientAddress::Parse(cidr.substr(0, slash));
  if (!addr.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("'", cidr, "' is not a CIDR range"));
  }
  const bool v4 = IsV4Mapped(addr->bytes());
  const int max_bits = v4 ? 32 : 128;
  int bits = max_bits;
  if (slash != absl::string_view::npos) {
    if (!absl::SimpleAtoi(cidr.substr(slash + 1), &bits) || bits < 0 || bits > max_bits) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", cidr, "': prefix length must be 0..", max_bits));
    }
  }
  CidrRange out;
  out.network_ = addr->bytes();
  out.prefix_bits_ = v4 ? 96 + bits : bits;
  out.text_ = std::string(cidr);
  for (int i = out.prefix_bits_; i < 128; ++i) {
    if (out.network_[i / 8] & (0x80 >> (i % 8))) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", cidr, "' has host bits set beyond the prefix"));
    }
  }
  return out;
}

bool CidrRange::Contains(const ClientAddress& address) const {
  if (!address.specified()) return false;
  const auto& b = address.bytes();
  int full = prefix_bits_ / 8;
  if (std::memcmp(b.data(), network_.data(), full) != 0) return false;
  int rest = prefix_bits_ % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (b[full] & mask) == (network_[full] & mask);
}

}  // namespace mysqlgw
