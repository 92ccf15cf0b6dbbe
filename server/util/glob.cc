#include "server/util/glob.h"

namespace mysqlgw {

bool GlobMatch(absl::string_view pattern, absl::string_view text) {
  // Iterative, backtracking to the last '*' only: linear for patterns
  // without '*', O(n*m) at worst, no recursion on hostile patterns.
  size_t p = 0, t = 0, star = absl::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (star != absl::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace mysqlgw
