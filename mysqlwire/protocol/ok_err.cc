#include "mysqlwire/protocol/ok_err.h"

#include "absl/strings/str_cat.h"
#include "mysqlwire/protocol/capabilities.h"
#include "mysqlwire/protocol/wire_reader.h"
#include "mysqlwire/protocol/wire_writer.h"

namespace mysqlwire {

absl::StatusOr<OkPacket> ParseOkPacket(absl::string_view payload,
                                       uint64_t capabilities) {
  WireReader r(payload);
  uint8_t header = r.U8();
  if (r.ok() && header != kOkHeader && header != kEofHeader) {
    return ProtocolError(absl::StrCat("OK packet with header ", header));
  }
  OkPacket ok;
  ok.affected_rows = r.Lenenc();
  ok.last_insert_id = r.Lenenc();
  ok.status_flags = r.U16();
  ok.warnings = r.U16();
  if (!r.ok()) return r.Status("OK packet");
  if (capabilities & kClientSessionTrack) {
    // The info string is optional when nothing follows it.
    if (!r.empty()) ok.info = std::string(r.LenencString());
    if (ok.status_flags & kServerSessionStateChanged) {
      ok.session_state = std::string(r.LenencString());
    }
    if (absl::Status s = r.StatusAtEnd("OK packet"); !s.ok()) return s;
  } else if (!r.empty()) {
    // MariaDB sends a length-encoded string even here; the protocol
    // documents string<EOF>. A length prefix that spans exactly the rest is
    // taken as one.
    WireReader probe = r;
    absl::string_view prefixed = probe.LenencString();
    ok.info = probe.ok() && probe.empty() ? std::string(prefixed) : std::string(r.Rest());
  }
  return ok;
}

std::string SerializeOkPacket(const OkPacket& ok, uint64_t capabilities,
                              uint8_t header) {
  std::string out;
  WireWriter w(&out);
  w.U8(header);
  w.Lenenc(ok.affected_rows);
  w.Lenenc(ok.last_insert_id);
  w.U16(ok.status_flags);
  w.U16(ok.warnings);
  if (capabilities & kClientSessionTrack) {
    if (!ok.info.empty() || !ok.session_state.empty()) w.LenencString(ok.info);
    if ((ok.status_flags & kServerSessionStateChanged) &&
        !ok.session_state.empty()) {
      w.LenencString(ok.session_state);
    }
  } else if (!ok.info.empty()) {
    // The protocol documents string<EOF> here, but MariaDB's server writes
    // a length-encoded string and libmariadb and libmysqlclient both read
    // one: a raw "Rows matched: ..." is read as a length and breaks them.
    w.LenencString(ok.info);
  }
  return out;
}

absl::StatusOr<ServerError> ParseErrPacket(absl::string_view payload) {
  WireReader r(payload);
  uint8_t header = r.U8();
  uint16_t code = r.U16();
  if (!r.ok()) return r.Status("ERR packet");
  if (header != kErrHeader) {
    return ProtocolError(absl::StrCat("ERR packet with header ", header));
  }
  if (code == 0xffff) {
    return ProtocolError("unexpected progress report in place of an error");
  }
  ServerError error;
  error.code = code;
  if (r.PeekU8() == '#') {
    r.Skip(1);
    error.sql_state = std::string(r.Bytes(5));
    if (!r.ok()) return r.Status("ERR packet SQLSTATE");
  } else {
    // Pre-4.1 servers and errors sent before capabilities are agreed
    // (e.g. "too many connections" at handshake) carry no SQLSTATE.
    error.sql_state = "HY000";
  }
  error.message = std::string(r.Rest());
  return error;
}

std::string SerializeErrPacket(const ServerError& error) {
  std::string out;
  WireWriter w(&out);
  w.U8(kErrHeader);
  w.U16(error.code);
  w.U8('#');
  std::string state = error.sql_state;
  state.resize(5, '0');
  w.Bytes(state);
  w.Bytes(error.message);
  return out;
}

absl::StatusOr<EofPacket> ParseEofPacket(absl::string_view payload) {
  WireReader r(payload);
  uint8_t header = r.U8();
  EofPacket eof;
  eof.warnings = r.U16();
  eof.status_flags = r.U16();
  if (absl::Status s = r.StatusAtEnd("EOF packet"); !s.ok()) return s;
  if (header != kEofHeader) {
    return ProtocolError(absl::StrCat("EOF packet with header ", header));
  }
  return eof;
}

std::string SerializeEofPacket(const EofPacket& eof) {
  std::string out;
  WireWriter w(&out);
  w.U8(kEofHeader);
  w.U16(eof.warnings);
  w.U16(eof.status_flags);
  return out;
}

}  // namespace mysqlwire
