#include "mysqlwire/binlog_stream.h"

#include "absl/strings/str_cat.h"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/ok_err.h"
#include "mysqlwire/protocol/replication_commands.h"

namespace mysqlwire {
namespace {

// Escapes a value for a single-quoted SQL string (no backslash games: GTID
// states and file names are plain, anything else is refused by the caller).
bool IsPlain(absl::string_view s) {
  for (char c : s) {
    if (c == '\'' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return false;
  }
  return true;
}

}  // namespace

asio::awaitable<absl::Status> BinlogStream::Start(const BinlogDumpOptions& options) {
  if (options.server_id == 0) {
    co_return absl::InvalidArgumentError("a replica server_id must not be 0");
  }
  if (!IsPlain(options.mariadb_gtid_state) || !IsPlain(options.file)) {
    co_return absl::InvalidArgumentError("GTID state or file name has invalid characters");
  }
  std::vector<std::string> setup = {
      // Events arrive with the checksum the server writes, which we verify.
      "SET @master_binlog_checksum = @@global.binlog_checksum",
      // MariaDB: send GTID, checkpoint and annotate events (capability 4).
      "SET @mariadb_slave_capability = 4",
  };
  if (options.heartbeat_period.count() > 0) {
    setup.push_back(absl::StrCat("SET @master_heartbeat_period = ",
                                 options.heartbeat_period.count() * 1000000ll));
  }
  if (!options.mariadb_gtid_state.empty()) {
    setup.push_back(absl::StrCat("SET @slave_connect_state = '", options.mariadb_gtid_state, "'"));
    setup.push_back("SET @slave_gtid_strict_mode = 1");
    setup.push_back("SET @slave_gtid_ignore_duplicates = 0");
  }
  for (const std::string& sql : setup) {
    absl::StatusOr<std::vector<ResultSet>> r = co_await conn_.Query(sql);
    // MySQL has no @mariadb_slave_capability and ignores unknown user
    // variables anyway; any error here is real.
    if (!r.ok()) co_return r.status();
  }

  absl::Status s = co_await conn_.SendRawCommand(
      BuildRegisterReplica(options.server_id, options.replica_hostname, "", "", 0));
  if (!s.ok()) co_return s;
  absl::StatusOr<absl::string_view> reply = co_await conn_.ReadRawPacket();
  if (!reply.ok()) co_return reply.status();
  conn_.EndRawStream();
  if (IsErrPacket(*reply)) {
    absl::StatusOr<ServerError> err = ParseErrPacket(*reply);
    if (!err.ok()) co_return err.status();
    co_return ServerErrorStatus(*err);
  }

  uint16_t flags = kBinlogSendAnnotateRowsEvent;
  if (options.stop_at_end) flags |= kBinlogDumpNonBlock;
  std::string command;
  if (!options.mariadb_gtid_state.empty()) {
    // In MariaDB's GTID mode the file and position are ignored.
    absl::StatusOr<std::string> dump = BuildBinlogDump(options.server_id, "", 4, flags);
    if (!dump.ok()) co_return dump.status();
    command = *std::move(dump);
  } else if (!options.mysql_gtid_set.empty()) {
    absl::StatusOr<MysqlGtidSet> set = ParseMysqlGtidSet(options.mysql_gtid_set);
    if (!set.ok()) co_return set.status();
    command = BuildBinlogDumpGtid(options.server_id, options.file, options.position, flags, *set);
  } else {
    absl::StatusOr<std::string> dump =
        BuildBinlogDump(options.server_id, options.file, options.position, flags);
    if (!dump.ok()) co_return dump.status();
    command = *std::move(dump);
  }
  co_return co_await conn_.SendRawCommand(command);
}

asio::awaitable<absl::StatusOr<std::optional<absl::string_view>>> BinlogStream::Next() {
  if (ended_) co_return std::nullopt;
  absl::StatusOr<absl::string_view> packet = co_await conn_.ReadRawPacket();
  if (!packet.ok()) co_return packet.status();
  if (packet->empty()) co_return ProtocolError("empty binlog packet");
  switch (static_cast<uint8_t>((*packet)[0])) {
    case kOkHeader:
      co_return std::optional<absl::string_view>(packet->substr(1));
    case kErrHeader: {
      // The server ends the connection after a failed dump.
      conn_.Close();
      ended_ = true;
      absl::StatusOr<ServerError> err = ParseErrPacket(*packet);
      if (!err.ok()) co_return err.status();
      co_return ServerErrorStatus(*err);
    }
    case kEofHeader:
      if (packet->size() < 9) {
        // MariaDB closes a replica connection when its dump ends, too.
        conn_.Close();
        ended_ = true;
        co_return std::nullopt;
      }
      [[fallthrough]];
    default:
      co_return ProtocolError(absl::StrCat("unexpected binlog packet starting with 0x",
                                           absl::Hex(static_cast<uint8_t>((*packet)[0]))));
  }
}

}  // namespace mysqlwire
