// The five-line example of clients/cpp/README.md. The live tests build and
// run it and check that the README shows these very lines (so clang-format
// is off for them).
//
// value() ends the program with the error if a call fails; real code checks
// ok() instead (see the README).
#include <cstdlib>
#include <iostream>

#include "clients/cpp/client.h"

// clang-format off
int main() {
  using namespace mysqlgw::client;  // NOLINT(build/namespaces): a five-line example.
  Client db = Client::Connect(std::getenv("MYSQLGW_TARGET"), {std::getenv("MYSQLGW_TOKEN")}).value();
  db.Execute("CREATE TABLE IF NOT EXISTS greetings (id INT AUTO_INCREMENT PRIMARY KEY, text VARCHAR(100))").value();
  db.Execute("INSERT INTO greetings (text) VALUES (?)", {Param::String("hello")}).value();
  QueryResult result = db.Query("SELECT id, text FROM greetings WHERE text = :t", Params::Named({{"t", Param::String("hello")}})).value();
  for (const auto& row : result.rows()) std::cout << FormatValue(row.values(0)) << " " << FormatValue(row.values(1)) << "\n";
}
// clang-format on
