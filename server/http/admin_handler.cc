#include "server/http/admin_handler.h"

#include <utility>

#include "absl/strings/string_view.h"
#include "boost/beast/http/field.hpp"
#include "boost/beast/http/verb.hpp"
#include "server/metrics/text_format.h"

namespace mysqlgw::http {

namespace bhttp = boost::beast::http;

Response TextResponse(bhttp::status status, unsigned version, std::string body) {
  Response response(status, version);
  response.set(bhttp::field::content_type, "text/plain; charset=utf-8");
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

Response HandleAdminRequest(const Request& request, const AdminEndpoints& endpoints) {
  const unsigned version = request.version();
  const absl::string_view target(request.target().data(), request.target().size());
  const size_t question = target.find('?');
  const absl::string_view path = target.substr(0, question);

  Response response;
  if (request.method() != bhttp::verb::get && request.method() != bhttp::verb::head) {
    response = TextResponse(bhttp::status::method_not_allowed, version, "method not allowed\n");
    response.set(bhttp::field::allow, "GET, HEAD");
  } else if (path == "/metrics" && endpoints.registry != nullptr) {
    response = Response(bhttp::status::ok, version);
    response.set(bhttp::field::content_type, metrics::kTextContentType);
    endpoints.registry->Render(&response.body());
    response.prepare_payload();
  } else if (path == "/healthz") {
    response = TextResponse(bhttp::status::ok, version, "ok");
  } else if (path == "/readyz") {
    const bool ready = !endpoints.ready || endpoints.ready();
    response = ready ? TextResponse(bhttp::status::ok, version, "ok")
                     : TextResponse(bhttp::status::service_unavailable, version, "not ready");
  } else if (auto page = endpoints.pages.find(std::string(path)); page != endpoints.pages.end()) {
    response = TextResponse(bhttp::status::ok, version, page->second());
  } else if (auto typed = endpoints.typed_pages.find(std::string(path));
             typed != endpoints.typed_pages.end()) {
    PageRequest page_request;
    if (question != absl::string_view::npos) {
      page_request.query = std::string(target.substr(question + 1));
    }
    if (auto accept = request.find(bhttp::field::accept); accept != request.end()) {
      page_request.accept = std::string(accept->value());
    }
    PageResponse page_response = typed->second(page_request);
    response = Response(bhttp::status::ok, version);
    response.set(bhttp::field::content_type, page_response.content_type);
    response.body() = std::move(page_response.body);
    response.prepare_payload();
  } else {
    response = TextResponse(bhttp::status::not_found, version, "not found\n");
  }
  response.set(bhttp::field::cache_control, "no-store");
  response.keep_alive(request.keep_alive());
  if (request.method() == bhttp::verb::head) {
    // Content-Length stays that of the GET response; no body follows.
    response.body().clear();
  }
  return response;
}

}  // namespace mysqlgw::http
