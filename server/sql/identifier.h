// Identifiers in SQL the gateway writes itself (USE, snapshot copies).
#ifndef SERVER_SQL_IDENTIFIER_H_
#define SERVER_SQL_IDENTIFIER_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"

namespace mysqlgw {

// `name` as a backquoted identifier: `a``b`. Valid whatever the sql_mode
// (ANSI_QUOTES changes double quotes only).
inline std::string QuoteIdentifier(absl::string_view name) {
  return absl::StrCat("`", absl::StrReplaceAll(name, {{"`", "``"}}), "`");
}

}  // namespace mysqlgw

#endif  // SERVER_SQL_IDENTIFIER_H_
