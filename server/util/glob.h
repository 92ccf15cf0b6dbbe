// Shell-style globs for names (tables, databases): `*` matches any run of
// characters, the empty one included, and `?` exactly one; every other
// character matches itself, case-sensitively (as table names are on Linux
// servers).
#ifndef SERVER_UTIL_GLOB_H_
#define SERVER_UTIL_GLOB_H_

#include "absl/strings/string_view.h"

namespace mysqlgw {

bool GlobMatch(absl::string_view pattern, absl::string_view text);

}  // namespace mysqlgw

#endif  // SERVER_UTIL_GLOB_H_
