#include "server/binlog/resume_token.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace mysqlgw {
namespace {

// Version prefix: a later format can change everything after it.
constexpr absl::string_view kPrefix = "mgw1.";

bool Plain(absl::string_view s) {
  for (char c : s) {
    if (c == '\n' || c == '\0') return false;
  }
  return true;
}

}  // namespace

std::string EncodeResumeToken(const ResumePoint& point) {
  // Fields one per line: gtid state, file, position.
  return absl::StrCat(kPrefix, absl::WebSafeBase64Escape(absl::StrCat(
                                   point.gtid_state, "\n", point.file, "\n", point.position)));
}

absl::StatusOr<ResumePoint> DecodeResumeToken(absl::string_view token) {
  const absl::Status bad = absl::InvalidArgumentError("resume_token is not a mysqlgw resume token");
  if (!absl::ConsumePrefix(&token, kPrefix)) return bad;
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return bad;
  std::vector<std::string> fields = absl::StrSplit(raw, '\n');
  if (fields.size() != 3) return bad;
  ResumePoint point;
  point.gtid_state = fields[0];
  point.file = fields[1];
  if (!absl::SimpleAtoi(fields[2], &point.position)) return bad;
  if (!Plain(point.gtid_state) || !Plain(point.file)) return bad;
  if (point.gtid_state.empty() && point.file.empty()) return bad;
  return point;
}

}  // namespace mysqlgw
