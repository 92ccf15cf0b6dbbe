// What the admin HTTP server serves: the metrics registry and the readiness
// check. Kept apart from the Beast types so that wiring code stays light.
#ifndef SERVER_HTTP_ADMIN_ENDPOINTS_H_
#define SERVER_HTTP_ADMIN_ENDPOINTS_H_

#include <functional>
#include <map>
#include <string>

#include "server/metrics/registry.h"

namespace mysqlgw::http {

// What a page that picks its own format sees of the request.
struct PageRequest {
  std::string query;   // After the '?', as sent (not decoded); empty if none.
  std::string accept;  // The Accept header; empty if none.
};

struct PageResponse {
  std::string content_type;
  std::string body;
};

struct AdminEndpoints {
  // Rendered for GET /metrics; nullptr makes /metrics a 404. Must outlive the
  // server (until Stop() returned).
  const metrics::Registry* registry = nullptr;
  // GET /readyz answers 200 when it returns true, 503 otherwise; an empty
  // function means always ready. Runs on the server's io_context thread:
  // thread-safe and quick (read an atomic).
  std::function<bool()> ready = {};
  // More plain-text pages by path (e.g. "/allowlist"), rendered on the
  // server's thread: thread-safe.
  std::map<std::string, std::function<std::string()>> pages = {};
  // Pages by path that choose their content type from the request (e.g.
  // "/statusz": HTML or JSON), rendered on the server's thread: thread-safe.
  std::map<std::string, std::function<PageResponse(const PageRequest&)>> typed_pages = {};
};

}  // namespace mysqlgw::http

#endif  // SERVER_HTTP_ADMIN_ENDPOINTS_H_
