// Collects every problem found in one pass over a configuration section, so
// that an operator fixes them all at once instead of one per reload.
#ifndef SERVER_INTERCEPT_LIMITS_CONFIG_PROBLEMS_H_
#define SERVER_INTERCEPT_LIMITS_CONFIG_PROBLEMS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

namespace mysqlgw {
namespace limits_internal {

class ConfigProblems {
 public:
  // `path` as in the configuration file: "interception.principal_limits[1]".
  void Add(absl::string_view path, absl::string_view problem) {
    problems_.push_back(absl::StrCat(path, ": ", problem));
  }
  bool empty() const { return problems_.empty(); }
  // INVALID_ARGUMENT with one problem per line, in the order found.
  absl::Status ToStatus() const {
    if (problems_.empty()) return absl::OkStatus();
    return absl::InvalidArgumentError(
        absl::StrCat("invalid configuration:\n", absl::StrJoin(problems_, "\n")));
  }

 private:
  std::vector<std::string> problems_;
};

inline std::string IndexedPath(absl::string_view path, int index) {
  return absl::StrCat(path, "[", index, "]");
}

}  // namespace limits_internal
}  // namespace mysqlgw

#endif  // SERVER_INTERCEPT_LIMITS_CONFIG_PROBLEMS_H_
