#include "server/auth/principal.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace mysqlgw {
namespace {

uint32_t Bit(v1::Operation op) {
  int value = static_cast<int>(op);
  if (value <= 0 || value >= 32) return 0;
  return uint32_t{1} << value;
}

}  // namespace

Principal Principal::FromConfig(const v1::PrincipalConfig& config) {
  Principal principal;
  principal.name = config.name();
  for (const std::string& database : config.databases()) {
    if (database == "*") {
      principal.all_databases = true;
    } else {
      principal.databases.insert(database);
    }
  }
  for (int op : config.operations()) {
    principal.operations_mask |= Bit(static_cast<v1::Operation>(op));
  }
  return principal;
}

bool Principal::Allows(v1::Operation op) const {
  uint32_t bit = Bit(op);
  return bit != 0 && (operations_mask & bit) != 0;
}

bool Principal::AllowsDatabase(absl::string_view database) const {
  return all_databases || (!database.empty() && databases.contains(database));
}

std::string OperationShortName(v1::Operation op) {
  switch (op) {
    case v1::OPERATION_READ:
      return "read";
    case v1::OPERATION_WRITE:
      return "write";
    case v1::OPERATION_DDL:
      return "ddl";
    case v1::OPERATION_BINLOG:
      return "binlog";
    case v1::OPERATION_ADMIN:
      return "admin";
    default:
      return "unspecified";
  }
}

absl::Status Authorize(const Principal& principal, v1::Operation op, absl::string_view database) {
  if (principal.Allows(op) && principal.AllowsDatabase(database)) return absl::OkStatus();
  std::string where = database.empty()
                          ? "without a database"
                          : absl::StrCat("on database '", absl::CEscape(database), "'");
  return absl::PermissionDeniedError(absl::StrCat(
      "principal '", principal.name, "' may not perform ", OperationShortName(op), " ", where));
}

}  // namespace mysqlgw
