// Replication commands a replica sends to the primary: COM_REGISTER_SLAVE,
// COM_BINLOG_DUMP (file + position, also MariaDB's GTID mode) and MySQL's
// COM_BINLOG_DUMP_GTID. Pure byte codecs; the exchange lives in
// binlog_stream.h.
#ifndef MYSQLWIRE_PROTOCOL_REPLICATION_COMMANDS_H_
#define MYSQLWIRE_PROTOCOL_REPLICATION_COMMANDS_H_

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mysqlwire {

// COM_BINLOG_DUMP flags.
inline constexpr uint16_t kBinlogDumpNonBlock = 0x01;            // EOF at the end.
inline constexpr uint16_t kBinlogSendAnnotateRowsEvent = 0x02;   // MariaDB.
inline constexpr uint16_t kBinlogThroughGtid = 0x04;             // MySQL GTID dump.

// COM_REGISTER_SLAVE:
//   int<1> 0x15 | int<4> server_id | int<1> len + hostname | int<1> len + user
//   | int<1> len + password | int<2> port | int<4> rank | int<4> master_id
std::string BuildRegisterReplica(uint32_t server_id, absl::string_view hostname,
                                 absl::string_view user, absl::string_view password,
                                 uint16_t port);

// COM_BINLOG_DUMP:
//   int<1> 0x12 | int<4> position | int<2> flags | int<4> server_id |
//   string<EOF> file
// Positions beyond 4 GiB cannot be expressed here (MySQL 8 uses the GTID
// variant, whose position is 8 bytes).
absl::StatusOr<std::string> BuildBinlogDump(uint32_t server_id, absl::string_view file,
                                            uint64_t position, uint16_t flags);

// A MySQL GTID set: source UUID (16 bytes) -> half-open intervals [start, end).
struct MysqlGtidSet {
  struct Interval {
    uint64_t start;
    uint64_t end;  // Exclusive.
  };
  std::vector<std::pair<std::array<uint8_t, 16>, std::vector<Interval>>> sids;
};
// Parses "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5:7,uuid2:1-3".
absl::StatusOr<MysqlGtidSet> ParseMysqlGtidSet(absl::string_view text);

// COM_BINLOG_DUMP_GTID:
//   int<1> 0x1e | int<2> flags | int<4> server_id | int<4> len + file |
//   int<8> position | int<4> data size | data: int<8> n_sids, per sid:
//   16-byte uuid | int<8> n_intervals | per interval int<8> start, int<8> end
std::string BuildBinlogDumpGtid(uint32_t server_id, absl::string_view file,
                                uint64_t position, uint16_t flags,
                                const MysqlGtidSet& gtids);

}  // namespace mysqlwire

#endif  // MYSQLWIRE_PROTOCOL_REPLICATION_COMMANDS_H_
