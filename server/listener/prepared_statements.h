// A client connection's prepared statements (COM_STMT_*). The gateway
// multiplexes sessions over pooled backend connections, so a client's
// statement is not a backend statement: it is the SQL, numbered here, and
// each execute runs that SQL with its parameters on whatever connection the
// session uses (where the backend connection caches its own prepare).
//
// Also keeps what the protocol leaves to the server between commands: the
// parameter types of the last execute (a later one may omit them) and data
// sent with COM_STMT_SEND_LONG_DATA, used by the next execute.
#ifndef SERVER_LISTENER_PREPARED_STATEMENTS_H_
#define SERVER_LISTENER_PREPARED_STATEMENTS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mysqlwire/protocol/statement.h"

namespace mysqlgw {

class PreparedStatements {
 public:
  // Per client connection, like a server's max_prepared_stmt_count.
  static constexpr size_t kMaxStatements = 16382;
  // Long data held per statement, all parameters together.
  static constexpr size_t kMaxLongDataBytes = 64 * 1024 * 1024;

  struct Statement {
    std::string sql;
    uint16_t num_params = 0;
    std::vector<uint16_t> param_types;  // Of the last execute.
    std::map<uint16_t, std::string> long_data;  // By parameter index.
    size_t long_data_bytes = 0;
  };

  // A new id (never 0, never reused while the connection lives), or
  // RESOURCE_EXHAUSTED over kMaxStatements.
  absl::StatusOr<uint32_t> Add(std::string sql, uint16_t num_params);
  Statement* Find(uint32_t id);
  void Close(uint32_t id) { statements_.erase(id); }
  void Clear() { statements_.clear(); }
  size_t size() const { return statements_.size(); }

  // COM_STMT_SEND_LONG_DATA: appends to the parameter's data. Errors (an
  // unknown statement or parameter, too much data) are remembered and
  // reported by the next execute, since this command has no reply.
  void AppendLongData(uint32_t id, uint16_t param, absl::string_view data);
  // COM_STMT_RESET: forgets long data and a pending long-data error.
  bool Reset(uint32_t id);

  // Parses COM_STMT_EXECUTE for a known statement: parameters sent inline,
  // with the long data in place of the parameters that had some (as a
  // string for the text types, bytes otherwise), and the types remembered
  // for the next execute. Long data is consumed. NOT_FOUND for an unknown
  // statement, a protocol error for malformed bytes, the remembered error of
  // a failed COM_STMT_SEND_LONG_DATA.
  absl::StatusOr<mysqlwire::StmtExecuteRequest> ParseExecute(absl::string_view payload);

 private:
  absl::flat_hash_map<uint32_t, Statement> statements_;
  absl::flat_hash_map<uint32_t, absl::Status> long_data_errors_;
  uint32_t next_id_ = 1;
};

}  // namespace mysqlgw

#endif  // SERVER_LISTENER_PREPARED_STATEMENTS_H_
