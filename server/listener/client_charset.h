// The character set a MySQL client announced in its handshake (as a
// collation id). The gateway's backend connections speak utf8mb4, so a
// client announcing anything else gets a SET NAMES at login, which the
// session then replays on every backend connection it borrows, as the
// server would have set it up for that client.
#ifndef SERVER_LISTENER_CLIENT_CHARSET_H_
#define SERVER_LISTENER_CLIENT_CHARSET_H_

#include <cstdint>
#include <optional>
#include <string>

namespace mysqlgw {

// The SET NAMES a client with collation `id` needs: nullopt for the utf8mb4
// family (the backend connections' own) and for ids it does not know (left
// at utf8mb4 rather than guessed).
std::optional<std::string> SetNamesFor(uint8_t collation_id);

}  // namespace mysqlgw

#endif  // SERVER_LISTENER_CLIENT_CHARSET_H_
