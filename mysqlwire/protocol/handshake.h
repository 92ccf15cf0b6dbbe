// Connection phase messages: the server's Handshake v10, the client's
// HandshakeResponse41 and SSLRequest, AuthSwitchRequest and AuthMoreData.
// Both directions are here because the MySQL-protocol listener speaks the
// server side with the same codecs.
#ifndef MYSQLWIRE_PROTOCOL_HANDSHAKE_H_
#define MYSQLWIRE_PROTOCOL_HANDSHAKE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mysqlwire {

struct InitialHandshake {
  uint8_t protocol_version = 10;
  std::string server_version;
  uint32_t connection_id = 0;
  std::string auth_plugin_data;  // The nonce ("scramble"), usually 20 bytes.
  uint64_t capabilities = 0;     // Bits 32..63 hold MariaDB's extensions.
  uint8_t character_set = 0;
  uint16_t status_flags = 0;
  std::string auth_plugin_name;
  // MariaDB announces itself by clearing CLIENT_LONG_PASSWORD ("CLIENT_MYSQL")
  // and sending extended capabilities in the reserved bytes.
  bool is_mariadb() const { return (capabilities & 1) == 0; }
};

// Handshake v10:
//   int<1> 10 | string<NUL> server_version | int<4> connection_id |
//   string[8] nonce part 1 | int<1> 0 | int<2> capabilities (low) |
//   int<1> charset | int<2> status | int<2> capabilities (high) |
//   int<1> nonce length (or 0) | string[6] reserved |
//   int<4> MariaDB extended capabilities (or reserved) |
//   string[max(13, len - 8)] nonce part 2 (NUL-terminated) |
//   string<NUL> auth plugin name
absl::StatusOr<InitialHandshake> ParseInitialHandshake(absl::string_view payload);
std::string SerializeInitialHandshake(const InitialHandshake& hs);

struct HandshakeResponse {
  uint64_t capabilities = 0;
  uint32_t max_packet_size = 0;
  uint8_t character_set = 0;
  std::string username;
  std::string auth_response;
  std::string database;  // Sent only with CLIENT_CONNECT_WITH_DB.
  std::string auth_plugin_name;
  std::vector<std::pair<std::string, std::string>> attributes;
};

// HandshakeResponse41:
//   int<4> capabilities | int<4> max_packet_size | int<1> charset |
//   string[19] 0 | int<4> MariaDB extended capabilities (or 0) |
//   string<NUL> username | auth response (lenenc, or int<1> length) |
//   [string<NUL> database] | [string<NUL> plugin] | [lenenc attributes]
std::string SerializeHandshakeResponse(const HandshakeResponse& response);
absl::StatusOr<HandshakeResponse> ParseHandshakeResponse(absl::string_view payload);

// SSLRequest: the first 32 bytes of a HandshakeResponse41, sent in clear
// before the TLS handshake.
std::string SerializeSslRequest(uint64_t capabilities, uint32_t max_packet_size,
                                uint8_t character_set);
inline constexpr size_t kSslRequestSize = 32;

// AuthSwitchRequest: int<1> 0xfe | string<NUL> plugin | string<EOF> data
struct AuthSwitchRequest {
  std::string plugin_name;
  std::string plugin_data;  // As sent, including any trailing NUL.
};
absl::StatusOr<AuthSwitchRequest> ParseAuthSwitchRequest(absl::string_view payload);
std::string SerializeAuthSwitchRequest(const AuthSwitchRequest& request);

// AuthMoreData: int<1> 0x01 | string<EOF> data
inline constexpr uint8_t kAuthMoreDataHeader = 0x01;
absl::StatusOr<std::string> ParseAuthMoreData(absl::string_view payload);

}  // namespace mysqlwire

#endif  // MYSQLWIRE_PROTOCOL_HANDSHAKE_H_
