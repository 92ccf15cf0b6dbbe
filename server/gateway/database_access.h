// Which databases a statement names, checked against the principal's
// allowed databases. The call's default database is checked by Authorize;
// this covers the rest: qualified tables (`other.t`), USE other. Read from
// the digest's table list, so it is as good as that list (best effort for
// exotic syntax). The server's own privileges remain the last line of
// defence: the gateway's backend account should be no broader than needed.
//
// information_schema may be read by any principal, as on a MySQL server
// (where the server filters it by the account's privileges).
#ifndef SERVER_GATEWAY_DATABASE_ACCESS_H_
#define SERVER_GATEWAY_DATABASE_ACCESS_H_

#include "absl/status/status.h"
#include "mysqlgw/v1/config.pb.h"
#include "server/auth/principal.h"
#include "server/intercept/hook.h"

namespace mysqlgw {

// OK, or PERMISSION_DENIED naming the first database the principal may not
// use. `ctx` has its derived fields (kind, tables) filled.
absl::Status CheckNamedDatabases(const Principal& principal, v1::Operation op,
                                 const StatementContext& ctx);

// The database a USE statement selects ("" if it cannot be read).
std::string UseTarget(absl::string_view sql);

}  // namespace mysqlgw

#endif  // SERVER_GATEWAY_DATABASE_ACCESS_H_
