#include "mysqlwire/protocol/server_commands.h"

#include "absl/strings/str_cat.h"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/wire_reader.h"
#include "mysqlwire/protocol/wire_writer.h"

namespace mysqlwire {
namespace {

// Reads the command byte and fails unless it is `expected`.
absl::Status ExpectCommand(WireReader* r, Command expected, absl::string_view what) {
  uint8_t command = r->U8();
  if (!r->ok()) return r->Status(what);
  if (command != static_cast<uint8_t>(expected)) {
    return ProtocolError(absl::StrCat(what, ": command byte 0x", absl::Hex(command)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> ParseQueryCommand(absl::string_view payload) {
  WireReader r(payload);
  if (absl::Status s = ExpectCommand(&r, Command::kQuery, "COM_QUERY"); !s.ok()) return s;
  return std::string(r.Rest());
}

absl::StatusOr<std::string> ParseInitDb(absl::string_view payload) {
  WireReader r(payload);
  if (absl::Status s = ExpectCommand(&r, Command::kInitDb, "COM_INIT_DB"); !s.ok()) return s;
  absl::string_view schema = r.Rest();
  if (schema.empty()) return ProtocolError("COM_INIT_DB: empty schema name");
  return std::string(schema);
}

absl::StatusOr<FieldListRequest> ParseFieldList(absl::string_view payload) {
  constexpr absl::string_view kWhat = "COM_FIELD_LIST";
  WireReader r(payload);
  if (absl::Status s = ExpectCommand(&r, Command::kFieldList, kWhat); !s.ok()) return s;
  FieldListRequest req;
  req.table = std::string(r.NulString());
  req.wildcard = std::string(r.Rest());
  if (absl::Status s = r.StatusAtEnd(kWhat); !s.ok()) return s;
  return req;
}

absl::StatusOr<uint32_t> ParseStmtIdCommand(absl::string_view payload,
                                            Command command) {
  const absl::string_view what =
      command == Command::kStmtClose ? "COM_STMT_CLOSE" : "COM_STMT_RESET";
  if (command != Command::kStmtClose && command != Command::kStmtReset) {
    return absl::InvalidArgumentError("ParseStmtIdCommand: not a statement-id command");
  }
  WireReader r(payload);
  if (absl::Status s = ExpectCommand(&r, command, what); !s.ok()) return s;
  uint32_t id = r.U32();
  if (absl::Status s = r.StatusAtEnd(what); !s.ok()) return s;
  return id;
}

absl::StatusOr<StmtSendLongData> ParseStmtSendLongData(absl::string_view payload) {
  constexpr absl::string_view kWhat = "COM_STMT_SEND_LONG_DATA";
  WireReader r(payload);
  if (absl::Status s = ExpectCommand(&r, Command::kStmtSendLongData, kWhat); !s.ok()) {
    return s;
  }
  StmtSendLongData req;
  req.statement_id = r.U32();
  req.param_id = r.U16();
  req.data = std::string(r.Rest());
  if (absl::Status s = r.Status(kWhat); !s.ok()) return s;
  return req;
}

absl::StatusOr<StmtFetch> ParseStmtFetch(absl::string_view payload) {
  constexpr absl::string_view kWhat = "COM_STMT_FETCH";
  WireReader r(payload);
  if (absl::Status s = ExpectCommand(&r, Command::kStmtFetch, kWhat); !s.ok()) return s;
  StmtFetch req;
  req.statement_id = r.U32();
  req.num_rows = r.U32();
  if (absl::Status s = r.StatusAtEnd(kWhat); !s.ok()) return s;
  return req;
}

absl::StatusOr<uint16_t> ParseSetOption(absl::string_view payload) {
  constexpr absl::string_view kWhat = "COM_SET_OPTION";
  WireReader r(payload);
  if (absl::Status s = ExpectCommand(&r, Command::kSetOption, kWhat); !s.ok()) return s;
  uint16_t option = r.U16();
  if (absl::Status s = r.StatusAtEnd(kWhat); !s.ok()) return s;
  return option;
}

absl::StatusOr<uint32_t> ParseProcessKill(absl::string_view payload) {
  constexpr absl::string_view kWhat = "COM_PROCESS_KILL";
  WireReader r(payload);
  if (absl::Status s = ExpectCommand(&r, Command::kProcessKill, kWhat); !s.ok()) return s;
  uint32_t id = r.U32();
  if (absl::Status s = r.StatusAtEnd(kWhat); !s.ok()) return s;
  return id;
}

absl::StatusOr<ChangeUserRequest> ParseChangeUser(absl::string_view payload,
                                                  uint64_t capabilities) {
  constexpr absl::string_view kWhat = "COM_CHANGE_USER";
  WireReader r(payload);
  if (absl::Status s = ExpectCommand(&r, Command::kChangeUser, kWhat); !s.ok()) return s;
  ChangeUserRequest req;
  req.username = std::string(r.NulString());
  if (capabilities & kClientSecureConnection) {
    req.auth_response = std::string(r.Bytes(r.U8()));
  } else {
    req.auth_response = std::string(r.NulString());
  }
  req.database = std::string(r.NulString());
  if (!r.ok()) return r.Status(kWhat);
  if (r.empty()) return req;
  req.character_set = r.U16();
  if ((capabilities & kClientPluginAuth) && !r.empty()) {
    req.auth_plugin_name = std::string(r.NulString());
  }
  if ((capabilities & kClientConnectAttrs) && !r.empty()) {
    WireReader a(r.LenencString());
    if (!r.ok()) return r.Status(absl::StrCat(kWhat, " attributes"));
    while (a.ok() && !a.empty()) {
      std::string key(a.LenencString());
      std::string value(a.LenencString());
      req.attributes.emplace_back(std::move(key), std::move(value));
    }
    if (absl::Status s = a.StatusAtEnd("COM_CHANGE_USER attributes"); !s.ok()) return s;
  }
  if (absl::Status s = r.StatusAtEnd(kWhat); !s.ok()) return s;
  return req;
}

std::string SerializeChangeUser(const ChangeUserRequest& request,
                                uint64_t capabilities) {
  std::string out;
  WireWriter w(&out);
  w.U8(static_cast<uint8_t>(Command::kChangeUser));
  w.NulString(request.username);
  if (capabilities & kClientSecureConnection) {
    absl::string_view auth = absl::string_view(request.auth_response).substr(0, 255);
    w.U8(static_cast<uint8_t>(auth.size()));
    w.Bytes(auth);
  } else {
    w.NulString(request.auth_response);
  }
  w.NulString(request.database);
  w.U16(request.character_set);
  if (capabilities & kClientPluginAuth) w.NulString(request.auth_plugin_name);
  if (capabilities & kClientConnectAttrs) {
    std::string attrs;
    WireWriter a(&attrs);
    for (const auto& [key, value] : request.attributes) {
      a.LenencString(key);
      a.LenencString(value);
    }
    w.LenencString(attrs);
  }
  return out;
}

}  // namespace mysqlwire
