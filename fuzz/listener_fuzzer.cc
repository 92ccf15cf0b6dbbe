// libFuzzer target for what the MySQL-protocol listener parses from a
// client: the handshake response (as mysqlwire/server's ServerConnection
// reads it), the authentication data (server_auth.h), then a session of
// commands dispatched as ListenerSession::Dispatch does, with one
// PreparedStatements table carrying state (long data, remembered parameter
// types) from command to command.
//
// Input: packets, each a FuzzedDataProvider random-length string (a
// backslash followed by another byte ends one; two backslashes are one).
// The first packet is the handshake response (or the 32-byte SSL request,
// the next one then being the response); the rest are command payloads,
// command byte first. The LAST byte (FuzzedDataProvider takes integers from
// the end) holds the options: bit 0 the server offers TLS (an SSL request
// is then accepted), bit 1 session tracking.
//
// protocol_fuzzer already feeds ParseHandshakeResponse and ParseStmtExecute
// single payloads; here they run in a session, with round-trip checks:
//  - SerializeHandshakeResponse(ParseHandshakeResponse(x)) parses back equal;
//  - SerializeChangeUser(ParseChangeUser(x, caps), caps) parses back equal;
//  - COM_QUERY / COM_INIT_DB / COM_FIELD_LIST give back their bytes; a
//    KILL [QUERY] n the listener answers itself reads as its canonical form;
//  - an execute's parameters and types have the statement's count, the
//    types are remembered, long data is consumed, and the parameters built
//    again by the client side (BuildStmtExecute) parse to the same values;
//  - a scramble verifies only when it is the right one.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "mysqlwire/protocol/auth.h"
#include "mysqlwire/protocol/capabilities.h"
#include "mysqlwire/protocol/handshake.h"
#include "mysqlwire/protocol/server_auth.h"
#include "mysqlwire/protocol/server_commands.h"
#include "mysqlwire/protocol/statement.h"
#include "mysqlwire/server/test_certs.h"
#include "mysqlwire/value.h"
#include "server/listener/admin_commands.h"
#include "server/listener/client_charset.h"
#include "server/listener/prepared_statements.h"

namespace {

using mysqlwire::Command;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "listener_fuzzer invariant broken: %s\n", what);
  std::abort();
}
void Check(bool ok, const char* what) {
  if (!ok) Fail(what);
}

// What ServerConnection offers (server_connection.cc), TLS and session
// tracking depending on the options.
constexpr uint64_t kOffered =
    mysqlwire::kClientLongPassword | mysqlwire::kClientLongFlag |
    mysqlwire::kClientConnectWithDb | mysqlwire::kClientNoSchema | mysqlwire::kClientOdbc |
    mysqlwire::kClientIgnoreSpace | mysqlwire::kClientProtocol41 |
    mysqlwire::kClientInteractive | mysqlwire::kClientIgnoreSigpipe |
    mysqlwire::kClientTransactions | mysqlwire::kClientSecureConnection |
    mysqlwire::kClientMultiStatements | mysqlwire::kClientMultiResults |
    mysqlwire::kClientPsMultiResults | mysqlwire::kClientPluginAuth |
    mysqlwire::kClientConnectAttrs | mysqlwire::kClientPluginAuthLenencData |
    mysqlwire::kClientDeprecateEof;
constexpr size_t kSslRequestSize = 32;

// One account's stored hashes and a fixed nonce, with the scrambles a
// client knowing the password would send.
struct Account {
  std::string nonce = std::string(20, 'n');
  std::string native_hash = mysqlwire::ComputeNativePasswordHash("secret");
  std::string sha2_hash = mysqlwire::ComputeCachingSha2Hash("secret");
  std::string native_scramble;
  std::string sha2_scramble;
};

const Account& TheAccount() {
  static const Account* account = [] {
    auto* a = new Account;
    // The client side's scrambles (auth.h) for the right password.
    a->native_scramble = mysqlwire::NativePasswordScramble("secret", a->nonce);
    a->sha2_scramble = mysqlwire::CachingSha2Scramble("secret", a->nonce);
    return a;
  }();
  return *account;
}

void CheckAuthData(absl::string_view data) {
  const Account& a = TheAccount();
  // Only the right scramble passes (anything else is a hash preimage away).
  Check(mysqlwire::VerifyNativePassword(a.native_hash, a.nonce, data) ==
            (data == a.native_scramble),
        "VerifyNativePassword");
  Check(mysqlwire::VerifyCachingSha2Scramble(a.sha2_hash, a.nonce, data) ==
            (data == a.sha2_scramble),
        "VerifyCachingSha2Scramble");
  absl::StatusOr<std::string> password = mysqlwire::ParseClearTextPassword(data);
  if (password.ok()) {
    Check(password->size() + 1 == data.size() && data.back() == '\0',
          "ParseClearTextPassword: not the bytes before one NUL");
    Check(mysqlwire::VerifyPasswordAgainstNativeHash(a.native_hash, *password) ==
              (*password == "secret"),
          "VerifyPasswordAgainstNativeHash");
    Check(mysqlwire::VerifyPasswordAgainstCachingSha2Hash(a.sha2_hash, *password) ==
              (*password == "secret"),
          "VerifyPasswordAgainstCachingSha2Hash");
  }
  // caching_sha2's RSA-encrypted password: only ciphertexts of the key's
  // size get as far as the private key operation.
  if (data.size() == 256) {
    static const auto* key = new absl::StatusOr<mysqlwire::RsaPasswordKey>(
        mysqlwire::RsaPasswordKey::FromPrivateKeyPem(mysqlwire::testing::kTestKeyPem));
    Check(key->ok(), "the test RSA key does not load");
    (void)(*key)->DecryptPassword(data, a.nonce);
  }
  absl::StatusOr<std::string> stored = mysqlwire::ParseNativePasswordHash(data);
  if (stored.ok()) {
    Check(stored->size() == mysqlwire::kNativeHashSize, "ParseNativePasswordHash size");
    if (!data.empty()) {
      absl::StatusOr<std::string> again =
          mysqlwire::ParseNativePasswordHash(mysqlwire::FormatNativePasswordHash(*stored));
      Check(again.ok() && *again == *stored, "Format/ParseNativePasswordHash round trip");
    }
  }
}

bool SameResponse(const mysqlwire::HandshakeResponse& a, const mysqlwire::HandshakeResponse& b) {
  return a.capabilities == b.capabilities && a.max_packet_size == b.max_packet_size &&
         a.character_set == b.character_set && a.username == b.username &&
         a.auth_response == b.auth_response && a.database == b.database &&
         a.auth_plugin_name == b.auth_plugin_name && a.attributes == b.attributes;
}

bool SameChangeUser(const mysqlwire::ChangeUserRequest& a, const mysqlwire::ChangeUserRequest& b) {
  return a.username == b.username && a.auth_response == b.auth_response &&
         a.database == b.database && a.character_set == b.character_set &&
         a.auth_plugin_name == b.auth_plugin_name && a.attributes == b.attributes;
}

// The handshake response as ServerConnection::Handshake reads it. Returns
// the negotiated capabilities, or 0 when the connection would be closed.
uint64_t Handshake(FuzzedDataProvider& in, uint64_t offered) {
  std::string payload = in.ConsumeRandomLengthString();
  if (payload.size() == kSslRequestSize) {
    const uint32_t caps = static_cast<uint8_t>(payload[0]) |
                          static_cast<uint8_t>(payload[1]) << 8 |
                          static_cast<uint8_t>(payload[2]) << 16 |
                          static_cast<uint32_t>(static_cast<uint8_t>(payload[3])) << 24;
    if (caps & mysqlwire::kClientSsl) {
      if (!(offered & mysqlwire::kClientSsl)) return 0;
      payload = in.ConsumeRandomLengthString();  // After the TLS handshake.
    }
  }
  absl::StatusOr<mysqlwire::HandshakeResponse> response =
      mysqlwire::ParseHandshakeResponse(payload);
  if (!response.ok()) return 0;
  absl::StatusOr<mysqlwire::HandshakeResponse> again =
      mysqlwire::ParseHandshakeResponse(mysqlwire::SerializeHandshakeResponse(*response));
  Check(again.ok() && SameResponse(*response, *again),
        "SerializeHandshakeResponse(ParseHandshakeResponse(x)) does not parse back equal");
  (void)mysqlgw::SetNamesFor(response->character_set);
  CheckAuthData(response->auth_response);
  const uint64_t caps = offered & response->capabilities;
  return caps == 0 ? mysqlwire::kClientProtocol41 : caps;
}

void CheckExecute(mysqlgw::PreparedStatements& statements, absl::string_view payload) {
  uint32_t id = 0;
  if (payload.size() >= 5) {
    id = static_cast<uint8_t>(payload[1]) | static_cast<uint8_t>(payload[2]) << 8 |
         static_cast<uint8_t>(payload[3]) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(payload[4])) << 24;
  }
  const mysqlgw::PreparedStatements::Statement* before = statements.Find(id);
  const bool had_long_data = before != nullptr && !before->long_data.empty();
  absl::StatusOr<mysqlwire::StmtExecuteRequest> request = statements.ParseExecute(payload);
  if (!request.ok()) return;
  const mysqlgw::PreparedStatements::Statement* s = statements.Find(id);
  Check(s != nullptr && request->statement_id == id, "execute of an unknown statement succeeded");
  Check(request->params.size() == s->num_params, "execute: parameter count");
  Check(request->param_types.size() == (s->num_params == 0 ? 0u : s->num_params),
        "execute: type count");
  Check(s->param_types == request->param_types, "execute: types not remembered");
  Check(s->long_data.empty() && s->long_data_bytes == 0, "execute: long data not consumed");
  if (had_long_data) return;  // Long data replaced some inline values.
  // The client side's encoding of the same values parses back to them.
  absl::StatusOr<std::string> built = mysqlwire::BuildStmtExecute(id, request->params, s->num_params);
  if (!built.ok()) return;  // Values the builder refuses (out of range dates, ...).
  absl::StatusOr<mysqlwire::StmtExecuteRequest> reparsed =
      mysqlwire::ParseStmtExecute(*built, s->num_params, {});
  Check(reparsed.ok(), "BuildStmtExecute's packet does not parse");
  Check(reparsed->params == request->params, "BuildStmtExecute/ParseStmtExecute values differ");
}

size_t CountPlaceholders(absl::string_view sql) {
  size_t n = 0;
  for (char c : sql) n += c == '?';
  return n > 64 ? 64 : n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 256 * 1024) return 0;
  FuzzedDataProvider in(data, size);
  const uint8_t options = in.ConsumeIntegral<uint8_t>();
  uint64_t offered = kOffered;
  if (options & 1) offered |= mysqlwire::kClientSsl;
  if (options & 2) offered |= mysqlwire::kClientSessionTrack;

  const uint64_t caps = Handshake(in, offered);
  if (caps == 0) return 0;

  mysqlgw::PreparedStatements statements;
  for (int n = 0; n < 256 && in.remaining_bytes() > 0; ++n) {
    const std::string payload = in.ConsumeRandomLengthString();
    if (payload.empty()) continue;
    const absl::string_view argument = absl::string_view(payload).substr(1);
    switch (static_cast<Command>(payload[0])) {
      case Command::kQuery: {
        absl::StatusOr<std::string> sql = mysqlwire::ParseQueryCommand(payload);
        Check(sql.ok() && *sql == argument, "COM_QUERY: not its argument");
        const bool admin = mysqlgw::ParseAdminCommand(*sql).has_value();
        // KILL [QUERY] n is answered by the listener itself: what it reads
        // must be what the canonical statement reads.
        if (std::optional<mysqlgw::KillCommand> kill = mysqlgw::ParseKillCommand(*sql)) {
          Check(!admin, "a statement is both an admin command and KILL");
          std::optional<mysqlgw::KillCommand> again = mysqlgw::ParseKillCommand(
              absl::StrCat("KILL ", kill->query_only ? "QUERY " : "", kill->connection_id));
          Check(again.has_value() && again->connection_id == kill->connection_id &&
                    again->query_only == kill->query_only,
                "ParseKillCommand: the canonical statement reads differently");
        }
        break;
      }
      case Command::kInitDb: {
        absl::StatusOr<std::string> db = mysqlwire::ParseInitDb(payload);
        Check(db.ok() == !argument.empty(), "COM_INIT_DB: refuses only the empty name");
        if (db.ok()) Check(*db == argument, "COM_INIT_DB: not its argument");
        break;
      }
      case Command::kFieldList: {
        absl::StatusOr<mysqlwire::FieldListRequest> req = mysqlwire::ParseFieldList(payload);
        if (req.ok()) {
          Check(argument == req->table + std::string(1, '\0') + req->wildcard,
                "COM_FIELD_LIST: table NUL wildcard");
        }
        break;
      }
      case Command::kStmtPrepare: {
        auto id = statements.Add(std::string(argument), CountPlaceholders(argument));
        Check(id.ok() && *id != 0 && statements.Find(*id) != nullptr, "PreparedStatements::Add");
        break;
      }
      case Command::kStmtExecute:
        CheckExecute(statements, payload);
        break;
      case Command::kStmtSendLongData: {
        absl::StatusOr<mysqlwire::StmtSendLongData> long_data =
            mysqlwire::ParseStmtSendLongData(payload);
        if (long_data.ok()) {
          Check(long_data->data == argument.substr(6), "COM_STMT_SEND_LONG_DATA: data");
          statements.AppendLongData(long_data->statement_id, long_data->param_id, long_data->data);
        }
        break;
      }
      case Command::kStmtClose:
      case Command::kStmtReset: {
        const Command command = static_cast<Command>(payload[0]);
        absl::StatusOr<uint32_t> id = mysqlwire::ParseStmtIdCommand(payload, command);
        Check(id.ok() == (payload.size() == 5), "COM_STMT_CLOSE/RESET: 5 bytes exactly");
        if (!id.ok()) break;
        if (command == Command::kStmtClose) {
          statements.Close(*id);
          Check(statements.Find(*id) == nullptr, "COM_STMT_CLOSE: still there");
        } else if (statements.Reset(*id)) {
          Check(statements.Find(*id)->long_data.empty(), "COM_STMT_RESET: long data kept");
        }
        break;
      }
      case Command::kStmtFetch:
        Check(mysqlwire::ParseStmtFetch(payload).ok() == (payload.size() == 9),
              "COM_STMT_FETCH: 9 bytes exactly");
        break;
      case Command::kSetOption:
        Check(mysqlwire::ParseSetOption(payload).ok() == (payload.size() == 3),
              "COM_SET_OPTION: 3 bytes exactly");
        break;
      case Command::kProcessKill:
        Check(mysqlwire::ParseProcessKill(payload).ok() == (payload.size() == 5),
              "COM_PROCESS_KILL: 5 bytes exactly");
        break;
      case Command::kChangeUser: {
        absl::StatusOr<mysqlwire::ChangeUserRequest> req =
            mysqlwire::ParseChangeUser(payload, caps);
        if (!req.ok()) break;
        absl::StatusOr<mysqlwire::ChangeUserRequest> again =
            mysqlwire::ParseChangeUser(mysqlwire::SerializeChangeUser(*req, caps), caps);
        Check(again.ok() && SameChangeUser(*req, *again),
              "SerializeChangeUser(ParseChangeUser(x)) does not parse back equal");
        (void)mysqlgw::SetNamesFor(static_cast<uint8_t>(req->character_set));
        CheckAuthData(req->auth_response);
        break;
      }
      case Command::kResetConnection:
        statements.Clear();
        break;
      default:
        // Auth data between the handshake and the commands (an auth switch
        // response, caching_sha2's clear or RSA password) looks like any
        // other packet here.
        CheckAuthData(payload);
        break;
    }
  }
  return 0;
}
