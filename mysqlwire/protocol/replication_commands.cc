#include "mysqlwire/protocol/replication_commands.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "mysqlwire/protocol/capabilities.h"
#include "mysqlwire/protocol/wire_writer.h"

namespace mysqlwire {
namespace {

void ShortString(WireWriter& w, absl::string_view s) {
  s = s.substr(0, 255);
  w.U8(static_cast<uint8_t>(s.size()));
  w.Bytes(s);
}

absl::StatusOr<std::array<uint8_t, 16>> ParseUuid(absl::string_view text) {
  std::string hex;
  for (char c : text) {
    if (c != '-') hex.push_back(c);
  }
  if (hex.size() != 32) return absl::InvalidArgumentError(absl::StrCat("bad UUID '", text, "'"));
  std::array<uint8_t, 16> out{};
  for (size_t i = 0; i < 16; ++i) {
    int value = 0;
    for (int k = 0; k < 2; ++k) {
      char c = absl::ascii_tolower(hex[2 * i + k]);
      int d = absl::ascii_isdigit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
      if (d < 0) return absl::InvalidArgumentError(absl::StrCat("bad UUID '", text, "'"));
      value = value * 16 + d;
    }
    out[i] = static_cast<uint8_t>(value);
  }
  return out;
}

}  // namespace

std::string BuildRegisterReplica(uint32_t server_id, absl::string_view hostname,
                                 absl::string_view user, absl::string_view password,
                                 uint16_t port) {
  std::string out;
  WireWriter w(&out);
  w.U8(static_cast<uint8_t>(Command::kRegisterSlave));
  w.U32(server_id);
  ShortString(w, hostname);
  ShortString(w, user);
  ShortString(w, password);
  w.U16(port);
  w.U32(0);  // Replication rank: unused.
  w.U32(0);  // Master id: filled in by the server.
  return out;
}

absl::StatusOr<std::string> BuildBinlogDump(uint32_t server_id, absl::string_view file,
                                            uint64_t position, uint16_t flags) {
  if (position > 0xffffffffull) {
    return absl::InvalidArgumentError("binlog position beyond 4 GiB needs a GTID dump");
  }
  std::string out;
  WireWriter w(&out);
  w.U8(static_cast<uint8_t>(Command::kBinlogDump));
  w.U32(static_cast<uint32_t>(position));
  w.U16(flags);
  w.U32(server_id);
  w.Bytes(file);
  return out;
}

absl::StatusOr<MysqlGtidSet> ParseMysqlGtidSet(absl::string_view text) {
  MysqlGtidSet set;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    part = absl::StripAsciiWhitespace(part);
    std::vector<absl::string_view> fields = absl::StrSplit(part, ':');
    if (fields.size() < 2) {
      return absl::InvalidArgumentError(absl::StrCat("bad GTID set element '", part, "'"));
    }
    absl::StatusOr<std::array<uint8_t, 16>> uuid = ParseUuid(fields[0]);
    if (!uuid.ok()) return uuid.status();
    std::vector<MysqlGtidSet::Interval> intervals;
    for (size_t i = 1; i < fields.size(); ++i) {
      std::pair<absl::string_view, absl::string_view> range =
          absl::StrSplit(fields[i], absl::MaxSplits('-', 1));
      uint64_t start = 0, last = 0;
      if (!absl::SimpleAtoi(range.first, &start) ||
          !absl::SimpleAtoi(range.second.empty() ? range.first : range.second, &last) ||
          start == 0 || last < start || last == UINT64_MAX) {
        return absl::InvalidArgumentError(absl::StrCat("bad GTID interval '", fields[i], "'"));
      }
      intervals.push_back({start, last + 1});
    }
    set.sids.emplace_back(*uuid, std::move(intervals));
  }
  return set;
}

std::string BuildBinlogDumpGtid(uint32_t server_id, absl::string_view file,
                                uint64_t position, uint16_t flags,
                                const MysqlGtidSet& gtids) {
  std::string data;
  WireWriter d(&data);
  d.U64(gtids.sids.size());
  for (const auto& [uuid, intervals] : gtids.sids) {
    d.Bytes(absl::string_view(reinterpret_cast<const char*>(uuid.data()), uuid.size()));
    d.U64(intervals.size());
    for (const auto& interval : intervals) {
      d.U64(interval.start);
      d.U64(interval.end);
    }
  }
  std::string out;
  WireWriter w(&out);
  w.U8(static_cast<uint8_t>(Command::kBinlogDumpGtid));
  w.U16(flags | kBinlogThroughGtid);
  w.U32(server_id);
  w.U32(static_cast<uint32_t>(file.size()));
  w.Bytes(file);
  w.U64(position);
  w.U32(static_cast<uint32_t>(data.size()));
  w.Bytes(data);
  return out;
}

}  // namespace mysqlwire
