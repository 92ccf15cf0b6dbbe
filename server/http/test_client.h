// A blocking HTTP/1.1 client over a plain socket, for tests: sends raw bytes
// (so tests can send malformed, oversized or slow requests) and parses
// responses with Beast's parser (Content-Length, chunked, or to the close).
// Every wait has a timeout; nothing throws.
#ifndef SERVER_HTTP_TEST_CLIENT_H_
#define SERVER_HTTP_TEST_CLIENT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "boost/beast/http/message.hpp"
#include "boost/beast/http/string_body.hpp"

namespace mysqlgw::http::testing {

using ClientResponse = boost::beast::http::response<boost::beast::http::string_body>;

class TestConnection {
 public:
  // Connects to host (an IPv4 or IPv6 address, or "localhost") and port.
  static absl::StatusOr<std::unique_ptr<TestConnection>> Connect(
      absl::string_view host, int port, absl::Duration timeout = absl::Seconds(10));
  ~TestConnection();
  TestConnection(const TestConnection&) = delete;
  TestConnection& operator=(const TestConnection&) = delete;

  // Sends all of `bytes`. An error when the peer closed or reset.
  absl::Status Send(absl::string_view bytes, absl::Duration timeout = absl::Seconds(10));

  // Reads one response. `head`: it answers a HEAD request (no body follows).
  // DeadlineExceeded after `timeout`; Unavailable when the peer closed first.
  absl::StatusOr<ClientResponse> ReadResponse(absl::Duration timeout = absl::Seconds(10),
                                              bool head = false);

  // Waits until the peer closes (end of stream or reset) and returns what
  // it sent meanwhile. DeadlineExceeded if it is still open at `timeout`.
  absl::StatusOr<std::string> ReadUntilClosed(absl::Duration timeout);

 private:
  explicit TestConnection(int fd) : fd_(fd) {}
  // Appends what arrives to pending_. 0 bytes: the peer closed.
  absl::StatusOr<size_t> Receive(absl::Time deadline);

  int fd_;
  std::string pending_;  // Received, not yet parsed.
};

// GET (or another method) `target` on a new connection with
// "Connection: close".
absl::StatusOr<ClientResponse> Fetch(absl::string_view host, int port, absl::string_view target,
                                     absl::string_view method = "GET",
                                     absl::Duration timeout = absl::Seconds(10));

}  // namespace mysqlgw::http::testing

#endif  // SERVER_HTTP_TEST_CLIENT_H_
