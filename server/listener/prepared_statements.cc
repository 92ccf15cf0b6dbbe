#include "server/listener/prepared_statements.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/column_type.h"

namespace mysqlgw {
namespace {

// COM_STMT_EXECUTE: int<1> 0x17 | int<4> id | int<1> flags | int<4>
// iteration_count | NULL bitmap | ...
constexpr size_t kNullBitmapOffset = 10;

bool IsTextType(uint16_t wire_type) {
  const auto type = static_cast<mysqlwire::ColumnType>(wire_type & 0xff);
  return type == mysqlwire::ColumnType::kString || type == mysqlwire::ColumnType::kVarString ||
         type == mysqlwire::ColumnType::kVarChar;
}

}  // namespace

absl::StatusOr<uint32_t> PreparedStatements::Add(std::string sql, uint16_t num_params) {
  if (statements_.size() >= kMaxStatements) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "Can't create more than max_prepared_stmt_count statements (current value: ",
        kMaxStatements, ")"));
  }
  const uint32_t id = next_id_++;
  if (next_id_ == 0) next_id_ = 1;
  Statement& s = statements_[id];
  s.sql = std::move(sql);
  s.num_params = num_params;
  return id;
}

PreparedStatements::Statement* PreparedStatements::Find(uint32_t id) {
  auto it = statements_.find(id);
  return it == statements_.end() ? nullptr : &it->second;
}

void PreparedStatements::AppendLongData(uint32_t id, uint16_t param, absl::string_view data) {
  Statement* s = Find(id);
  if (s == nullptr) return;  // An execute of it will say it is unknown.
  if (param >= s->num_params) {
    long_data_errors_[id] = absl::InvalidArgumentError(absl::StrCat(
        "COM_STMT_SEND_LONG_DATA for parameter ", param + 1, " of a statement with ",
        s->num_params));
    return;
  }
  if (s->long_data_bytes + data.size() > kMaxLongDataBytes) {
    long_data_errors_[id] = absl::ResourceExhaustedError(absl::StrCat(
        "long data of a statement exceeds ", kMaxLongDataBytes, " bytes"));
    return;
  }
  s->long_data[param].append(data.data(), data.size());
  s->long_data_bytes += data.size();
}

bool PreparedStatements::Reset(uint32_t id) {
  Statement* s = Find(id);
  if (s == nullptr) return false;
  s->long_data.clear();
  s->long_data_bytes = 0;
  long_data_errors_.erase(id);
  return true;
}

absl::StatusOr<mysqlwire::StmtExecuteRequest> PreparedStatements::ParseExecute(
    absl::string_view payload) {
  if (payload.size() < 5) return mysqlwire::ProtocolError("COM_STMT_EXECUTE: truncated");
  const auto byte = [&](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(payload[i])); };
  const uint32_t id = byte(1) | byte(2) << 8 | byte(3) << 16 | byte(4) << 24;
  Statement* s = Find(id);
  if (s == nullptr) {
    return absl::NotFoundError(absl::StrCat("Unknown prepared statement handler (", id,
                                            ") given to mysqld_stmt_execute"));
  }
  if (auto it = long_data_errors_.find(id); it != long_data_errors_.end()) {
    absl::Status error = std::move(it->second);
    long_data_errors_.erase(it);
    Reset(id);
    return error;
  }
  std::string patched;
  if (!s->long_data.empty()) {
    // A long-data parameter has no inline value, which the parser cannot
    // know: marking it NULL makes the parser skip it, and its data is put
    // in place afterwards.
    const size_t bitmap_bytes = (s->num_params + 7) / 8;
    if (payload.size() < kNullBitmapOffset + bitmap_bytes) {
      return mysqlwire::ProtocolError("COM_STMT_EXECUTE: truncated");
    }
    patched.assign(payload.data(), payload.size());
    for (const auto& [param, data] : s->long_data) {
      patched[kNullBitmapOffset + param / 8] |= static_cast<char>(1 << (param % 8));
    }
    payload = patched;
  }
  absl::StatusOr<mysqlwire::StmtExecuteRequest> request =
      mysqlwire::ParseStmtExecute(payload, s->num_params, s->param_types);
  if (!request.ok()) return request.status();
  for (auto& [param, data] : s->long_data) {
    request->params[param] = IsTextType(request->param_types[param])
                                 ? mysqlwire::Value::String(std::move(data))
                                 : mysqlwire::Value::BytesOf(std::move(data));
  }
  s->long_data.clear();
  s->long_data_bytes = 0;
  s->param_types = request->param_types;
  return request;
}

}  // namespace mysqlgw
