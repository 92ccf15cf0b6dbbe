// A small HTTP/1.1 server for the admin endpoints (/metrics, /healthz,
// /readyz: see admin_handler.h), on Boost.Beast over an asio::io_context.
//
// Everything runs asynchronously on the given io_context, serialised on one
// strand (the admin server sees a scrape every few seconds: no need for
// more). Connections are kept alive between requests. A slow or idle client
// cannot hold a connection: waiting for a request, reading it, and writing
// the response each have a deadline, after which the connection is closed.
// Requests are bounded in size (431 for a header, 413 for a body past its
// limit), and so is the number of open connections.
//
//   AdminServer admin(io, {.registry = &registry, .ready = [&] { return up.load(); }},
//                     {.listen_address = "0.0.0.0:9464"});
//   if (absl::Status s = admin.Start(); !s.ok()) return s;
//   ... admin.port() ...
//   admin.Stop();
#ifndef SERVER_HTTP_ADMIN_SERVER_H_
#define SERVER_HTTP_ADMIN_SERVER_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "boost/asio/io_context.hpp"
#include "server/http/admin_endpoints.h"

namespace mysqlgw::http {

struct AdminServerOptions {
  // host:port. The host is an IPv4 address, a bracketed IPv6 address
  // ("[::1]:9464"), a name resolved once at Start ("localhost:9464"), or
  // empty for all IPv4 interfaces (":9464"). Port 0 picks a free port.
  std::string listen_address = "127.0.0.1:0";
  // Request line and headers; past it the answer is 431 and a close.
  size_t max_header_bytes = 8 * 1024;
  // Request body (GET has none); past it the answer is 413 and a close.
  size_t max_body_bytes = 1024;
  // From accept, or from the end of a response, to the first byte of the
  // next request (keep-alive idle time).
  std::chrono::milliseconds idle_timeout{60'000};
  // From the first byte of a request to its last.
  std::chrono::milliseconds request_timeout{10'000};
  // To write one response.
  std::chrono::milliseconds write_timeout{10'000};
  // Connections past this number are closed as soon as accepted.
  size_t max_connections = 64;
};

struct HostPort {
  std::string host;  // Without brackets; empty for "all interfaces".
  int port = 0;
};

// Splits "host:port" (see AdminServerOptions::listen_address).
absl::StatusOr<HostPort> ParseHostPort(absl::string_view address);

class AdminServer {
 public:
  // `io` must outlive the server.
  AdminServer(boost::asio::io_context& io, AdminEndpoints endpoints,
              AdminServerOptions options = {});
  ~AdminServer();  // Stop().
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds and listens, then accepts on the io_context. InvalidArgument for a
  // bad address, Unavailable when it cannot listen (address in use).
  absl::Status Start();

  // The bound port (the chosen one for port 0); 0 before Start.
  int port() const { return port_; }

  // Stops accepting and closes every connection; afterwards the endpoints
  // (registry, readiness check) are no longer used. From any thread. Once
  // the server has run on the io_context, a Stop from another thread waits
  // for the close to run there, so the io_context must then be running (or
  // stopped). Idempotent.
  void Stop();

  // Connections currently open.
  size_t connection_count() const;

 private:
  struct Impl;
  boost::asio::io_context& io_;
  std::shared_ptr<Impl> impl_;
  int port_ = 0;
  bool started_ = false;
};

}  // namespace mysqlgw::http

#endif  // SERVER_HTTP_ADMIN_SERVER_H_
