// The interception lifecycle of MySQL Proxy, for C++: a caller connects,
// each statement passes read_query before the backend sees it and
// read_query_result after, and the caller disconnects. Built-in policy
// (rules, allowlist, limits, Lua scripts, routing) and operators' own code
// are hooks in one chain, run in order on every call path (gRPC and the
// MySQL-protocol listener).
//
// Threading: hooks run on the event loop of the call's shard, several shards
// at once. A hook keeps per-shard state (indexed by StatementContext::shard)
// or synchronizes; it never blocks and allocates little on the hot path.
#ifndef SERVER_INTERCEPT_HOOK_H_
#define SERVER_INTERCEPT_HOOK_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "server/intercept/client_address.h"
#include "server/sql/digest.h"
#include "server/sql/statement_kind.h"

namespace mysqlgw {

// Who is calling. One per gRPC call, one per listener connection.
struct ClientInfo {
  std::string principal;
  ClientAddress address;  // Unspecified for in-process callers.
  enum class Protocol { kGrpc, kMySql } protocol = Protocol::kGrpc;
};

// A table a statement names (database empty when unqualified).
using TableRef = TableName;

// A statement on its way to the backend. Hooks may change `sql` (a
// rewrite); the chain then recomputes the derived fields before the next
// hook.
struct StatementContext {
  const ClientInfo* client = nullptr;
  size_t shard = 0;
  std::string database;  // The call's default database ("" for none).
  std::string sql;
  bool has_params = false;
  bool in_transaction = false;
  // Derived from `sql` by the SQL tokenizer.
  StatementKind kind = StatementKind::kOther;
  uint64_t digest = 0;       // 64-bit hash of digest_text.
  std::string digest_text;   // Normalized: literals '?', IN lists collapsed.
  std::vector<TableRef> tables;
  // The fields above match `sql` (the chain skips deriving them again).
  bool derived = false;
};

// A row-set answered by a hook instead of the backend. Values are text as
// in MySQL's text protocol; nullopt is NULL.
struct SyntheticResultSet {
  std::vector<std::string> columns;  // Empty: an OK result without rows.
  std::vector<std::vector<std::optional<std::string>>> rows;
  uint64_t affected_rows = 0;
  uint64_t last_insert_id = 0;
  std::string info;
};

// Where a statement runs.
struct RouteTarget {
  enum class Kind { kDefault, kPrimary, kReplica, kNamed } kind = Kind::kDefault;
  std::string backend;  // For kNamed.
};

// What the chain decided for one statement. Hooks refine it in turn.
struct StatementPlan {
  enum class Verdict {
    kPass,     // Send to the backend (possibly rewritten, routed, limited).
    kReject,   // Fail the statement with `rejection`.
    kRespond,  // Answer with `response`; the backend is not used.
  };
  Verdict verdict = Verdict::kPass;
  // Set for kReject: the gRPC code, and the MySQL errno/SQLSTATE/message the
  // caller sees (as a MySqlError detail, or an ERR packet on the listener).
  absl::Status rejection;
  SyntheticResultSet response;
  RouteTarget route;
  std::optional<std::chrono::milliseconds> timeout;
  std::optional<uint64_t> max_rows;
  std::optional<uint64_t> max_bytes;
  bool audit = false;
  // Names of the rules that matched, in order (for the audit log and
  // metrics).
  std::vector<std::string> matched_rules;

  bool decided() const { return verdict != Verdict::kPass; }
};

// What came back for a statement that reached the backend (or was
// answered or rejected by the chain).
struct ResultInfo {
  absl::Status status;
  uint64_t rows = 0;
  uint64_t bytes = 0;
  uint64_t affected_rows = 0;
  std::chrono::microseconds latency{0};
  std::string backend;  // Empty when the backend was not used.
};

class Hook {
 public:
  virtual ~Hook() = default;
  virtual absl::string_view name() const = 0;

  // A non-OK status refuses the caller (e.g. its address is not allowed).
  virtual absl::Status OnConnect(const ClientInfo& /*client*/) { return absl::OkStatus(); }
  // read_query. May rewrite ctx.sql and refine `plan`; once the plan is
  // decided (reject, respond), later hooks are not called.
  virtual void ReadQuery(StatementContext& /*ctx*/, StatementPlan& /*plan*/) {}
  // read_query_result: observes the outcome. A non-OK return replaces a
  // successful outcome with that error where the result was not yet sent to
  // the caller (buffered calls); it is ignored for streamed results.
  virtual absl::Status ReadQueryResult(const StatementContext& /*ctx*/, const StatementPlan& /*plan*/,
                                       const ResultInfo& /*result*/) {
    return absl::OkStatus();
  }
  virtual void OnDisconnect(const ClientInfo& /*client*/) {}
};

// A rejection the caller sees as a MySQL error: `code` for gRPC, errno,
// SQLSTATE and message in the payload (mysqlwire::GetServerError reads it).
absl::Status RejectionStatus(absl::StatusCode code, uint16_t mysql_errno,
                             absl::string_view sql_state, absl::string_view message);

}  // namespace mysqlgw

#endif  // SERVER_INTERCEPT_HOOK_H_
