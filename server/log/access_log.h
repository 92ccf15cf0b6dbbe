// The access log: one line per finished call (each gRPC call, each
// statement of a MySQL-protocol session), in the gateway's log format
// (log.h), written by a background thread (async_writer.h) so that the
// event loops never wait for the disk. When the disk cannot keep up, lines
// are dropped and counted (dropped(), exported as
// mysqlgw_access_log_dropped_total) rather than slowing calls down.
//
// A line never holds SQL text or literal values: the statement is its
// digest and digest text (literals as '?'), and error messages are passed
// through RedactErrorMessage (MySQL quotes the caller's data in them).
// Parameter values appear only with log_parameter_values, for debugging.
//
// json line, fields in this order (absent ones are left out):
//   {"ts":"...","level":"info","component":"access","msg":"call",
//    "protocol":"grpc","method":"Query","principal":"app",
//    "peer":"127.0.0.1","digest":"9f2c...","digest_text":"SELECT ...",
//    "statements":1,"backend":"primary","rows":1,"affected_rows":0,
//    "bytes":12,"latency_us":850,"code":"OK","grpc_code":0,
//    "mysql_errno":1062,"sql_state":"23000","error":"Duplicate entry '?'",
//    "params":["'x'",42]}
#ifndef SERVER_LOG_ACCESS_LOG_H_
#define SERVER_LOG_ACCESS_LOG_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/log/async_writer.h"
#include "server/log/log.h"

namespace mysqlgw {

struct AccessRecord {
  absl::Time time;                 // When the call finished.
  absl::string_view protocol;      // "grpc" or "mysql"; a static string.
  absl::string_view method;        // "Query", "COM_QUERY", ...; a static string.
  std::string principal;           // Empty when the caller was not authenticated.
  std::string peer;                // The client's address.
  std::optional<uint64_t> digest;  // The (first) statement's digest, if any.
  std::string digest_text;
  uint32_t statements = 0;         // Statements run (a batch runs several).
  std::string backend;             // Where the (last) statement ran.
  uint64_t rows = 0;
  uint64_t affected_rows = 0;
  uint64_t bytes = 0;
  int64_t latency_us = 0;
  absl::StatusCode code = absl::StatusCode::kOk;
  uint32_t mysql_errno = 0;        // 0: none.
  std::string sql_state;
  std::string error;               // The raw message; redacted when written.
  std::vector<std::string> params; // Only with log_parameter_values.
};

struct AccessLogOptions {
  std::string destination;  // "stderr" or a file path.
  LogFormat format = LogFormat::kJson;
  bool log_parameter_values = false;
  AsyncWriter::Options writer;
};

class AccessLog {
 public:
  static absl::StatusOr<std::unique_ptr<AccessLog>> Open(AccessLogOptions options);

  // Whether callers should collect parameter values into records.
  bool log_parameter_values() const { return options_.log_parameter_values; }
  // Any thread; formats and writes later, on the writer thread.
  void Write(AccessRecord record);
  // Waits until every record written so far is on its way to the file.
  void Flush() { writer_->Flush(); }
  uint64_t dropped() const { return writer_->dropped(); }

  // The line for `record`, newline included.
  static void Append(const AccessRecord& record, LogFormat format, bool log_parameter_values,
                     std::string* out);

 private:
  AccessLog(AccessLogOptions options, std::unique_ptr<AsyncWriter> writer)
      : options_(std::move(options)), writer_(std::move(writer)) {}
  const AccessLogOptions options_;
  std::unique_ptr<AsyncWriter> writer_;
};

}  // namespace mysqlgw

#endif  // SERVER_LOG_ACCESS_LOG_H_
