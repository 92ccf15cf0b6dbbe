#include "mysqlwire/binlog/format_description.h"

#include <algorithm>
#include <cstddef>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/wire_reader.h"

namespace mysqlwire::binlog {
namespace {

constexpr size_t kServerVersionLength = 50;
// binlog_version + server_version + create_timestamp + header_length.
constexpr size_t kFixedPartLength = 2 + kServerVersionLength + 4 + 1;
constexpr size_t kFooterLength = 1 + 4;  // Algorithm byte + CRC32.
constexpr size_t kFdeIndex = static_cast<size_t>(EventType::kFormatDescription) - 1;

std::array<int, 3> SplitVersion(absl::string_view v) {
  // As servers split it: up to three numbers below 256; the first must be
  // followed by a dot, later ones may end the string or be followed by
  // anything ("5.6.41-debug-log", "10.5.15-MariaDB-1:10.5.15", "5.6" is
  // 5.6.0). Anything else is 0.0.0.
  std::array<int, 3> out = {0, 0, 0};
  size_t pos = 0;
  for (int i = 0; i < 3; ++i) {
    int n = 0;  // Saturates at 256: only "below 256" matters.
    while (pos < v.size() && absl::ascii_isdigit(static_cast<unsigned char>(v[pos]))) {
      if (n < 256) n = std::min(256, n * 10 + (v[pos] - '0'));
      ++pos;
    }
    const bool dot = pos < v.size() && v[pos] == '.';
    if (n >= 256 || (i == 0 && !dot)) return {0, 0, 0};
    out[i] = n;
    if (dot) ++pos;
  }
  return out;
}

bool IsMariaDbVersion(absl::string_view v) {
  return absl::StrContains(absl::AsciiStrToLower(v), "mariadb");
}

}  // namespace

bool FormatDescription::is_mariadb() const { return IsMariaDbVersion(server_version); }

uint8_t FormatDescription::PostHeaderLength(EventType type) const {
  size_t code = static_cast<size_t>(type);
  if (code == 0 || code > post_header_lengths.size()) return 0;
  return post_header_lengths[code - 1];
}

bool FormatDescription::KnowsType(EventType type) const {
  size_t code = static_cast<size_t>(type);
  return code != 0 && code <= post_header_lengths.size();
}

std::array<int, 3> FormatDescription::VersionSplit() const { return SplitVersion(server_version); }

bool FormatDescriptionHasChecksumFooter(absl::string_view server_version) {
  std::array<int, 3> v = SplitVersion(server_version);
  const std::array<int, 3> first =
      IsMariaDbVersion(server_version) ? std::array<int, 3>{5, 3, 0} : std::array<int, 3>{5, 6, 1};
  return v >= first;
}

absl::StatusOr<FormatDescription> ParseFormatDescription(absl::string_view body) {
  WireReader r(body);
  FormatDescription fde;
  fde.binlog_version = r.U16();
  absl::string_view version = r.Bytes(kServerVersionLength);
  fde.create_timestamp = r.U32();
  fde.header_length = r.U8();
  if (absl::Status s = r.Status("FORMAT_DESCRIPTION event"); !s.ok()) return s;
  fde.server_version = std::string(version.substr(0, version.find('\0')));

  if (fde.binlog_version != 4) {
    return ProtocolError(absl::StrCat("FORMAT_DESCRIPTION event: binlog version ",
                                      fde.binlog_version, " is not supported (only 4)"));
  }
  if (fde.header_length < 19) {
    return ProtocolError(absl::StrCat("FORMAT_DESCRIPTION event: common header length ",
                                      fde.header_length, " is below 19"));
  }

  absl::string_view rest = r.Rest();
  const bool has_footer = FormatDescriptionHasChecksumFooter(fde.server_version);
  if (has_footer) {
    if (rest.size() < kFooterLength) {
      return ProtocolError("FORMAT_DESCRIPTION event: truncated checksum footer");
    }
    uint8_t alg = static_cast<uint8_t>(rest[rest.size() - kFooterLength]);
    switch (alg) {
      case 0:
        fde.checksum = ChecksumAlgorithm::kOff;
        break;
      case 1:
        fde.checksum = ChecksumAlgorithm::kCrc32;
        break;
      default:
        return ProtocolError(
            absl::StrCat("FORMAT_DESCRIPTION event: unknown checksum algorithm ", alg));
    }
    rest.remove_suffix(kFooterLength);
  } else {
    fde.checksum = ChecksumAlgorithm::kUndefined;
  }
  fde.post_header_lengths.assign(rest.begin(), rest.end());
  if (fde.post_header_lengths.size() <= kFdeIndex) {
    return ProtocolError(absl::StrCat("FORMAT_DESCRIPTION event: post-header table of ",
                                      fde.post_header_lengths.size(),
                                      " entries lacks its own entry"));
  }
  const size_t expected = kFixedPartLength + fde.post_header_lengths.size();
  if (fde.post_header_lengths[kFdeIndex] != expected) {
    return ProtocolError(
        absl::StrCat("FORMAT_DESCRIPTION event: its post-header length says ",
                     fde.post_header_lengths[kFdeIndex], " but the event holds ", expected,
                     " (truncated, or a checksum footer misjudged from server version \"",
                     fde.server_version, "\")"));
  }
  return fde;
}

FormatDescription DefaultFormatDescription() {
  FormatDescription fde;
  fde.binlog_version = 4;
  fde.header_length = 19;
  fde.checksum = ChecksumAlgorithm::kUndefined;
  fde.post_header_lengths.assign(static_cast<size_t>(EventType::kMariaDeleteRowsCompressed), 0);
  auto set = [&fde](EventType t, uint8_t len) {
    fde.post_header_lengths[static_cast<size_t>(t) - 1] = len;
  };
  set(EventType::kStartV3, 56);
  set(EventType::kQuery, 13);
  set(EventType::kRotate, 8);
  set(EventType::kLoad, 18);
  set(EventType::kCreateFile, 4);
  set(EventType::kAppendBlock, 4);
  set(EventType::kExecLoad, 4);
  set(EventType::kDeleteFile, 4);
  set(EventType::kNewLoad, 18);
  set(EventType::kFormatDescription,
      static_cast<uint8_t>(kFixedPartLength + fde.post_header_lengths.size()));
  set(EventType::kBeginLoadQuery, 4);
  set(EventType::kExecuteLoadQuery, 26);
  set(EventType::kTableMap, 8);
  set(EventType::kWriteRowsV1, 8);
  set(EventType::kUpdateRowsV1, 8);
  set(EventType::kDeleteRowsV1, 8);
  set(EventType::kIncident, 2);
  set(EventType::kWriteRowsV2, 10);
  set(EventType::kUpdateRowsV2, 10);
  set(EventType::kDeleteRowsV2, 10);
  set(EventType::kGtid, 42);
  set(EventType::kAnonymousGtid, 42);
  set(EventType::kTransactionContext, 18);
  set(EventType::kViewChange, 52);
  set(EventType::kPartialUpdateRows, 10);
  set(EventType::kTransactionPayload, 40);
  set(EventType::kMariaBinlogCheckpoint, 4);
  set(EventType::kMariaGtid, 19);
  set(EventType::kMariaGtidList, 4);
  set(EventType::kMariaQueryCompressed, 13);
  set(EventType::kMariaWriteRowsCompressedV1, 8);
  set(EventType::kMariaUpdateRowsCompressedV1, 8);
  set(EventType::kMariaDeleteRowsCompressedV1, 8);
  set(EventType::kMariaWriteRowsCompressed, 10);
  set(EventType::kMariaUpdateRowsCompressed, 10);
  set(EventType::kMariaDeleteRowsCompressed, 10);
  return fde;
}

}  // namespace mysqlwire::binlog
