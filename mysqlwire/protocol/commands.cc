#include "mysqlwire/protocol/commands.h"

namespace mysqlwire {

std::string BuildCommand(Command command, absl::string_view argument) {
  std::string out;
  out.reserve(1 + argument.size());
  out.push_back(static_cast<char>(command));
  out.append(argument.data(), argument.size());
  return out;
}

}  // namespace mysqlwire
