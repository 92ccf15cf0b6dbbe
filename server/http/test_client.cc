#include "server/http/test_client.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "boost/asio/buffer.hpp"
#include "boost/beast/core/error.hpp"
#include "boost/beast/http/error.hpp"
#include "boost/beast/http/parser.hpp"

namespace mysqlgw::http::testing {
namespace {

namespace bhttp = boost::beast::http;

int RemainingMs(absl::Time deadline) {
  const absl::Duration left = deadline - absl::Now();
  if (left <= absl::ZeroDuration()) return 0;
  return static_cast<int>(absl::ToInt64Milliseconds(left)) + 1;
}

// Waits for `events` on fd until the deadline: true when ready.
absl::StatusOr<bool> Wait(int fd, short events, absl::Time deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int rc = poll(&p, 1, RemainingMs(deadline));
    if (rc > 0) return true;
    if (rc == 0) return false;
    if (errno != EINTR) return absl::InternalError(absl::StrCat("poll: ", strerror(errno)));
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<TestConnection>> TestConnection::Connect(absl::string_view host,
                                                                        int port,
                                                                        absl::Duration timeout) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* result = nullptr;
  const std::string host_str(host);
  const std::string port_str = std::to_string(port);
  if (int rc = getaddrinfo(host_str.c_str(), port_str.c_str(), &hints, &result); rc != 0) {
    return absl::InvalidArgumentError(absl::StrCat("getaddrinfo ", host, ": ", gai_strerror(rc)));
  }
  const absl::Time deadline = absl::Now() + timeout;
  std::string last_error = "no address";
  for (addrinfo* ai = result; ai != nullptr; ai = ai->ai_next) {
    const int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                          ai->ai_protocol);
    if (fd < 0) continue;
    int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      absl::StatusOr<bool> ready = Wait(fd, POLLOUT, deadline);
      int err = 0;
      socklen_t len = sizeof(err);
      if (ready.ok() && *ready && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0) {
        rc = err == 0 ? 0 : -1;
        errno = err;
      } else {
        errno = ETIMEDOUT;
      }
    }
    if (rc == 0) {
      freeaddrinfo(result);
      return std::unique_ptr<TestConnection>(new TestConnection(fd));
    }
    last_error = strerror(errno);
    close(fd);
  }
  freeaddrinfo(result);
  return absl::UnavailableError(absl::StrCat("connect ", host, ":", port, ": ", last_error));
}

TestConnection::~TestConnection() { close(fd_); }

absl::Status TestConnection::Send(absl::string_view bytes, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!bytes.empty()) {
    const ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      absl::StatusOr<bool> ready = Wait(fd_, POLLOUT, deadline);
      if (!ready.ok()) return ready.status();
      if (!*ready) return absl::DeadlineExceededError("send: timed out");
      continue;
    }
    return absl::UnavailableError(absl::StrCat("send: ", strerror(errno)));
  }
  return absl::OkStatus();
}

absl::StatusOr<size_t> TestConnection::Receive(absl::Time deadline) {
  for (;;) {
    char buf[16384];
    const ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    if (n >= 0) {
      pending_.append(buf, static_cast<size_t>(n));
      return static_cast<size_t>(n);
    }
    if (errno == ECONNRESET) return 0;
    if (errno != EAGAIN && errno != EINTR) {
      return absl::UnavailableError(absl::StrCat("recv: ", strerror(errno)));
    }
    absl::StatusOr<bool> ready = Wait(fd_, POLLIN, deadline);
    if (!ready.ok()) return ready.status();
    if (!*ready) return absl::DeadlineExceededError("recv: timed out");
  }
}

absl::StatusOr<ClientResponse> TestConnection::ReadResponse(absl::Duration timeout, bool head) {
  const absl::Time deadline = absl::Now() + timeout;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.eager(true);
  parser.skip(head);
  parser.body_limit(64 << 20);
  for (;;) {
    boost::beast::error_code ec;
    if (!pending_.empty()) {
      const size_t used = parser.put(boost::asio::buffer(pending_), ec);
      pending_.erase(0, used);
      if (parser.is_done()) return parser.release();
      if (ec && ec != bhttp::error::need_more) {
        return absl::DataLossError(absl::StrCat("bad HTTP response: ", ec.message()));
      }
      if (used > 0 && !pending_.empty()) continue;
    }
    absl::StatusOr<size_t> n = Receive(deadline);
    if (!n.ok()) return n.status();
    if (*n == 0) {
      // A body delimited by the end of the connection ends here.
      parser.put_eof(ec);
      if (!ec && parser.is_done()) return parser.release();
      return absl::UnavailableError("the server closed the connection before a whole response");
    }
  }
}

absl::StatusOr<std::string> TestConnection::ReadUntilClosed(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    absl::StatusOr<size_t> n = Receive(deadline);
    if (!n.ok()) return n.status();
    if (*n == 0) return std::exchange(pending_, "");
  }
}

absl::StatusOr<ClientResponse> Fetch(absl::string_view host, int port, absl::string_view target,
                                     absl::string_view method, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  absl::StatusOr<std::unique_ptr<TestConnection>> conn =
      TestConnection::Connect(host, port, timeout);
  if (!conn.ok()) return conn.status();
  const std::string host_header =
      host.find(':') != absl::string_view::npos ? absl::StrCat("[", host, "]") : std::string(host);
  absl::Status sent = (*conn)->Send(absl::StrCat(method, " ", target, " HTTP/1.1\r\nHost: ",
                                                 host_header, ":", port,
                                                 "\r\nConnection: close\r\n\r\n"),
                                    deadline - absl::Now());
  if (!sent.ok()) return sent;
  return (*conn)->ReadResponse(deadline - absl::Now(), method == "HEAD");
}

}  // namespace mysqlgw::http::testing
