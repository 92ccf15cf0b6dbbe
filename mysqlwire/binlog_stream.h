// Reads a server's binary log over the replication protocol, as a replica
// does: registers, asks for a start position (file + position, a MariaDB GTID
// state or a MySQL GTID set) and then receives raw events one by one.
// Decoding them is mysqlwire/binlog's job.
#ifndef MYSQLWIRE_BINLOG_STREAM_H_
#define MYSQLWIRE_BINLOG_STREAM_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "boost/asio/awaitable.hpp"
#include "mysqlwire/connection.h"

namespace mysqlwire {

struct BinlogDumpOptions {
  // Must differ from every other replica's id on that server (the server
  // disconnects an older replica registering with the same id).
  uint32_t server_id = 0;
  // Where to start, in order of precedence: a MariaDB GTID state
  // ("0-1-100,1-2-5": every event after those), a MySQL GTID set (every
  // event not in it), or file + position.
  std::string mariadb_gtid_state;
  std::string mysql_gtid_set;
  std::string file;
  uint64_t position = 4;
  // The server sends a HEARTBEAT event after this much idle time; zero
  // disables. Lets a follower tell a quiet primary from a dead link.
  std::chrono::milliseconds heartbeat_period{0};
  // Ask the server to end the stream at the end of its log (non-blocking
  // dump) instead of waiting for new events.
  bool stop_at_end = false;
  std::string replica_hostname = "mysqlgw";
};

class BinlogStream {
 public:
  // `connection` must be connected with a user holding REPLICATION SLAVE; it
  // is dedicated to the stream and closed when the stream ends.
  explicit BinlogStream(Connection& connection) : conn_(connection) {}

  asio::awaitable<absl::Status> Start(const BinlogDumpOptions& options);

  // The next raw event (19-byte header, body, and the 4-byte checksum when
  // the server writes one), valid until the next call; nullopt when a
  // stop_at_end stream reached the end. A server error (purged position:
  // errno 1236) comes back as its status. Either way the connection is then
  // closed: servers drop a replica connection whose dump ended.
  asio::awaitable<absl::StatusOr<std::optional<absl::string_view>>> Next();

 private:
  Connection& conn_;
  bool ended_ = false;
};

}  // namespace mysqlwire

#endif  // MYSQLWIRE_BINLOG_STREAM_H_
