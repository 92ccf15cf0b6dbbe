#include "server/log/access_log.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/log/redact.h"

namespace mysqlgw {
namespace {

class RecordEntry : public AsyncWriter::Entry {
 public:
  RecordEntry(AccessRecord record, LogFormat format, bool log_parameter_values)
      : record_(std::move(record)), format_(format), log_parameter_values_(log_parameter_values) {}
  void AppendTo(std::string* out) const override {
    AccessLog::Append(record_, format_, log_parameter_values_, out);
  }

 private:
  AccessRecord record_;
  LogFormat format_;
  bool log_parameter_values_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<AccessLog>> AccessLog::Open(AccessLogOptions options) {
  absl::StatusOr<std::unique_ptr<AsyncWriter>> writer =
      AsyncWriter::Open(options.destination, options.writer);
  if (!writer.ok()) return writer.status();
  return std::unique_ptr<AccessLog>(new AccessLog(std::move(options), *std::move(writer)));
}

void AccessLog::Write(AccessRecord record) {
  if (!options_.log_parameter_values) record.params.clear();
  writer_->Push(std::make_unique<RecordEntry>(std::move(record), options_.format,
                                              options_.log_parameter_values));
}

void AccessLog::Append(const AccessRecord& r, LogFormat format, bool log_parameter_values,
                       std::string* out) {
  // Built on the writer thread.
  std::vector<LogField> fields;
  fields.reserve(20);
  auto add = [&](LogField f) { fields.push_back(f); };
  add(LogField("protocol", r.protocol));
  add(LogField("method", r.method));
  add(LogField("principal", r.principal));
  add(LogField("peer", r.peer));
  std::string digest_hex;
  if (r.digest.has_value()) {
    digest_hex = absl::StrFormat("%016x", *r.digest);
    add(LogField("digest", digest_hex));
    add(LogField("digest_text", r.digest_text));
  }
  add(LogField("statements", r.statements));
  if (!r.backend.empty()) add(LogField("backend", r.backend));
  add(LogField("rows", r.rows));
  add(LogField("affected_rows", r.affected_rows));
  add(LogField("bytes", r.bytes));
  add(LogField("latency_us", static_cast<long long>(r.latency_us)));
  const std::string code = absl::StatusCodeToString(r.code);
  add(LogField("code", code));
  add(LogField("grpc_code", static_cast<int>(r.code)));
  if (r.mysql_errno != 0) {
    add(LogField("mysql_errno", r.mysql_errno));
    if (!r.sql_state.empty()) add(LogField("sql_state", r.sql_state));
  }
  // Credentials are masked in any case; quoted data unless the operator
  // asked for values.
  const std::string error =
      log_parameter_values ? RedactSecrets(r.error) : RedactErrorMessage(r.error);
  if (r.code != absl::StatusCode::kOk && !error.empty()) add(LogField("error", error));
  std::string params;
  if (log_parameter_values && !r.params.empty()) {
    params.push_back('[');
    for (size_t i = 0; i < r.params.size(); ++i) {
      if (i > 0) params.push_back(',');
      AppendJsonString(r.params[i], &params);
    }
    params.push_back(']');
    add(LogField::RawJson("params", params));
  }
  AppendLogLine(format, r.time, LogLevel::kInfo, "access",
                r.protocol == "mysql" ? "statement" : "call", fields.data(), fields.size(),
                /*redact=*/false, out);
}

}  // namespace mysqlgw
