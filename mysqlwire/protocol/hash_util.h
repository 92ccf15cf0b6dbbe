// The hashing the authentication plugins are built from (client side in
// auth.h, server side in server_auth.h).
#ifndef MYSQLWIRE_PROTOCOL_HASH_UTIL_H_
#define MYSQLWIRE_PROTOCOL_HASH_UTIL_H_

#include <string>

#include "absl/strings/string_view.h"

namespace mysqlwire {

// SHA-1 / SHA-256 of the concatenation a + b.
std::string Sha1(absl::string_view a, absl::string_view b = {});
std::string Sha256(absl::string_view a, absl::string_view b = {});

// a XOR b, b repeated as often as needed; b must not be empty.
std::string XorRepeat(absl::string_view a, absl::string_view b);

}  // namespace mysqlwire

#endif  // MYSQLWIRE_PROTOCOL_HASH_UTIL_H_
