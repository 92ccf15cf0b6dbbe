#include "mysqlwire/protocol/prepare_response.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "mysqlwire/protocol/capabilities.h"
#include "mysqlwire/protocol/ok_err.h"
#include "mysqlwire/protocol/wire_writer.h"

namespace mysqlwire {

std::string SerializePrepareOk(const PrepareOk& ok) {
  std::string out;
  WireWriter w(&out);
  w.U8(0x00);
  w.U32(ok.statement_id);
  w.U16(ok.num_columns);
  w.U16(ok.num_params);
  w.U8(0x00);
  w.U16(ok.warning_count);
  return out;
}

absl::StatusOr<std::vector<std::string>> SerializePrepareResponse(
    uint32_t statement_id, absl::Span<const ColumnDefinition> params,
    absl::Span<const ColumnDefinition> columns, uint16_t warnings,
    uint16_t status_flags, uint64_t capabilities) {
  constexpr size_t kMaxCount = std::numeric_limits<uint16_t>::max();
  if (params.size() > kMaxCount || columns.size() > kMaxCount) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a prepared statement can announce at most ", kMaxCount,
        " parameters and columns, got ", params.size(), " and ", columns.size()));
  }
  PrepareOk ok;
  ok.statement_id = statement_id;
  ok.num_params = static_cast<uint16_t>(params.size());
  ok.num_columns = static_cast<uint16_t>(columns.size());
  ok.warning_count = warnings;
  const bool classic_eof = !(capabilities & kClientDeprecateEof);

  std::vector<std::string> packets;
  packets.reserve(1 + params.size() + columns.size() + 2);
  packets.push_back(SerializePrepareOk(ok));
  for (absl::Span<const ColumnDefinition> group : {params, columns}) {
    if (group.empty()) continue;  // An empty group has no EOF either.
    for (const ColumnDefinition& c : group) {
      packets.push_back(SerializeColumnDefinition(c));
    }
    if (classic_eof) {
      packets.push_back(SerializeEofPacket(EofPacket{0, status_flags}));
    }
  }
  return packets;
}

ColumnDefinition UntypedParameter() {
  ColumnDefinition c;
  c.catalog = "def";
  c.name = "?";
  c.type = ColumnType::kVarString;
  c.character_set = kBinaryCollation;
  c.flags = kBinaryFlag;
  return c;
}

}  // namespace mysqlwire
