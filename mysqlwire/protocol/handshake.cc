#include "mysqlwire/protocol/handshake.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/capabilities.h"
#include "mysqlwire/protocol/wire_reader.h"
#include "mysqlwire/protocol/wire_writer.h"

namespace mysqlwire {

absl::StatusOr<InitialHandshake> ParseInitialHandshake(absl::string_view payload) {
  WireReader r(payload);
  InitialHandshake hs;
  hs.protocol_version = r.U8();
  if (r.ok() && hs.protocol_version != 10) {
    return ProtocolError(absl::StrCat("unsupported handshake protocol version ",
                                      hs.protocol_version));
  }
  hs.server_version = std::string(r.NulString());
  hs.connection_id = r.U32();
  hs.auth_plugin_data = std::string(r.Bytes(8));
  r.Skip(1);
  hs.capabilities = r.U16();
  if (!r.ok()) return r.Status("handshake");
  if (r.empty()) return hs;  // Pre-4.1 server: nothing else follows.

  hs.character_set = r.U8();
  hs.status_flags = r.U16();
  hs.capabilities |= static_cast<uint64_t>(r.U16()) << 16;
  uint8_t nonce_length = r.U8();
  r.Skip(6);
  uint32_t extended = r.U32();
  if (!r.ok()) return r.Status("handshake");
  if (hs.is_mariadb()) hs.capabilities |= static_cast<uint64_t>(extended) << 32;

  if (hs.capabilities & kClientSecureConnection) {
    size_t part2 = std::max<int>(13, static_cast<int>(nonce_length) - 8);
    absl::string_view rest = r.Bytes(part2);
    if (!r.ok()) return r.Status("handshake nonce");
    // The last byte of part 2 is a NUL terminator, not nonce.
    if (!rest.empty() && rest.back() == '\0') rest.remove_suffix(1);
    hs.auth_plugin_data.append(rest.data(), rest.size());
  }
  if (hs.capabilities & kClientPluginAuth) {
    // Some 5.5 servers omit the final NUL; accept the plugin name to the end.
    absl::string_view rest = r.Rest();
    if (!rest.empty() && rest.back() == '\0') rest.remove_suffix(1);
    if (rest.find('\0') != absl::string_view::npos) {
      return ProtocolError("handshake: bytes after the auth plugin name");
    }
    hs.auth_plugin_name = std::string(rest);
  }
  return hs;
}

std::string SerializeInitialHandshake(const InitialHandshake& hs) {
  std::string out;
  WireWriter w(&out);
  w.U8(hs.protocol_version);
  w.NulString(hs.server_version);
  w.U32(hs.connection_id);
  std::string nonce = hs.auth_plugin_data;
  nonce.resize(std::max<size_t>(nonce.size(), 8), '\0');
  w.Bytes(absl::string_view(nonce).substr(0, 8));
  w.U8(0);
  w.U16(static_cast<uint16_t>(hs.capabilities & 0xffff));
  w.U8(hs.character_set);
  w.U16(hs.status_flags);
  w.U16(static_cast<uint16_t>((hs.capabilities >> 16) & 0xffff));
  w.U8((hs.capabilities & kClientPluginAuth) ? static_cast<uint8_t>(nonce.size() + 1) : 0);
  w.Zeros(6);
  w.U32(hs.is_mariadb() ? static_cast<uint32_t>(hs.capabilities >> 32) : 0);
  if (hs.capabilities & kClientSecureConnection) {
    std::string part2 = nonce.substr(8);
    part2.resize(std::max<size_t>(part2.size(), 12), '\0');
    w.NulString(part2);
  }
  if (hs.capabilities & kClientPluginAuth) w.NulString(hs.auth_plugin_name);
  return out;
}

std::string SerializeHandshakeResponse(const HandshakeResponse& resp) {
  std::string out;
  WireWriter w(&out);
  w.U32(static_cast<uint32_t>(resp.capabilities));
  w.U32(resp.max_packet_size);
  w.U8(resp.character_set);
  w.Zeros(19);
  w.U32(static_cast<uint32_t>(resp.capabilities >> 32));
  w.NulString(resp.username);
  if (resp.capabilities & kClientPluginAuthLenencData) {
    w.LenencString(resp.auth_response);
  } else if (resp.capabilities & kClientSecureConnection) {
    w.U8(static_cast<uint8_t>(resp.auth_response.size()));
    w.Bytes(absl::string_view(resp.auth_response).substr(0, 255));
  } else {
    w.NulString(resp.auth_response);
  }
  if (resp.capabilities & kClientConnectWithDb) w.NulString(resp.database);
  if (resp.capabilities & kClientPluginAuth) w.NulString(resp.auth_plugin_name);
  if (resp.capabilities & kClientConnectAttrs) {
    std::string attrs;
    WireWriter a(&attrs);
    for (const auto& [key, value] : resp.attributes) {
      a.LenencString(key);
      a.LenencString(value);
    }
    w.LenencString(attrs);
  }
  return out;
}

absl::StatusOr<HandshakeResponse> ParseHandshakeResponse(absl::string_view payload) {
  WireReader r(payload);
  HandshakeResponse resp;
  resp.capabilities = r.U32();
  resp.max_packet_size = r.U32();
  resp.character_set = r.U8();
  r.Skip(19);
  uint32_t extended = r.U32();
  if (!r.ok()) return r.Status("handshake response");
  if (!(resp.capabilities & kClientProtocol41)) {
    return ProtocolError("handshake response: pre-4.1 clients are not supported");
  }
  if (!(resp.capabilities & kClientLongPassword)) {
    resp.capabilities |= static_cast<uint64_t>(extended) << 32;
  }
  resp.username = std::string(r.NulString());
  if (resp.capabilities & kClientPluginAuthLenencData) {
    resp.auth_response = std::string(r.LenencString());
  } else if (resp.capabilities & kClientSecureConnection) {
    resp.auth_response = std::string(r.Bytes(r.U8()));
  } else {
    resp.auth_response = std::string(r.NulString());
  }
  if (resp.capabilities & kClientConnectWithDb) {
    resp.database = std::string(r.NulString());
  }
  if ((resp.capabilities & kClientPluginAuth) && !r.empty()) {
    resp.auth_plugin_name = std::string(r.NulString());
  }
  if ((resp.capabilities & kClientConnectAttrs) && !r.empty()) {
    WireReader a(r.LenencString());
    if (!r.ok()) return r.Status("handshake response attributes");
    while (a.ok() && !a.empty()) {
      std::string key(a.LenencString());
      std::string value(a.LenencString());
      resp.attributes.emplace_back(std::move(key), std::move(value));
    }
    if (absl::Status s = a.StatusAtEnd("connection attributes"); !s.ok()) return s;
  }
  if (absl::Status s = r.StatusAtEnd("handshake response"); !s.ok()) return s;
  return resp;
}

std::string SerializeSslRequest(uint64_t capabilities, uint32_t max_packet_size,
                                uint8_t character_set) {
  std::string out;
  WireWriter w(&out);
  w.U32(static_cast<uint32_t>(capabilities | kClientSsl));
  w.U32(max_packet_size);
  w.U8(character_set);
  w.Zeros(19);
  w.U32(static_cast<uint32_t>(capabilities >> 32));
  return out;
}

absl::StatusOr<AuthSwitchRequest> ParseAuthSwitchRequest(absl::string_view payload) {
  WireReader r(payload);
  uint8_t header = r.U8();
  if (r.ok() && header != 0xfe) {
    return ProtocolError(absl::StrCat("auth switch request with header ", header));
  }
  if (r.ok() && r.empty()) {
    return ProtocolError("server requested the insecure mysql_old_password method");
  }
  AuthSwitchRequest req;
  req.plugin_name = std::string(r.NulString());
  absl::string_view data = r.Rest();
  if (!r.ok()) return r.Status("auth switch request");
  // Kept as sent: a scramble-based plugin's trailing NUL is the plugin's to
  // drop (it uses the first 20 bytes), while ed25519's 32-byte nonce may
  // legitimately end in a zero byte.
  req.plugin_data = std::string(data);
  return req;
}

std::string SerializeAuthSwitchRequest(const AuthSwitchRequest& request) {
  std::string out;
  WireWriter w(&out);
  w.U8(0xfe);
  w.NulString(request.plugin_name);
  w.Bytes(request.plugin_data);
  return out;
}

absl::StatusOr<std::string> ParseAuthMoreData(absl::string_view payload) {
  WireReader r(payload);
  uint8_t header = r.U8();
  if (!r.ok()) return r.Status("auth more data");
  if (header != kAuthMoreDataHeader) {
    return ProtocolError(absl::StrCat("auth more data with header ", header));
  }
  return std::string(r.Rest());
}

}  // namespace mysqlwire
