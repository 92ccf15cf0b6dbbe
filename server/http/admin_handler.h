// The admin endpoints as a pure function from a request to a response (no
// I/O), so routing is testable without a socket.
//
//   GET /metrics  200, the registry in the Prometheus text format 0.0.4
//   GET /healthz  200 "ok" (the process is up and serving HTTP)
//   GET /readyz   200 "ok", or 503 "not ready" when the readiness check fails
//   GET <page>    200, a plain-text page, or a typed page (e.g. /statusz)
//                 that picks its content type from the query string and the
//                 Accept header
//   HEAD          as GET without the body (Content-Length still given)
//   other paths   404
//   other methods 405 with "Allow: GET, HEAD"
//
// A query string is ignored except by typed pages (/metrics?x=1 is /metrics).
// The response keeps the connection alive when the request allows it
// (HTTP/1.1 without "Connection: close", or HTTP/1.0 with
// "Connection: keep-alive").
#ifndef SERVER_HTTP_ADMIN_HANDLER_H_
#define SERVER_HTTP_ADMIN_HANDLER_H_

#include <string>

#include "boost/beast/http/message.hpp"
#include "boost/beast/http/status.hpp"
#include "boost/beast/http/string_body.hpp"
#include "server/http/admin_endpoints.h"

namespace mysqlgw::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

Response HandleAdminRequest(const Request& request, const AdminEndpoints& endpoints);

// A text/plain response with `body`, for `version` (11 for HTTP/1.1).
Response TextResponse(boost::beast::http::status status, unsigned version, std::string body);

}  // namespace mysqlgw::http

#endif  // SERVER_HTTP_ADMIN_HANDLER_H_
