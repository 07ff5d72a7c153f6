#include "net/bill_answers.hpp"

#include "domain/bill.hpp"

namespace billd {

std::string weak_etag(std::int64_t version) { return "W/\"" + std::to_string(version) + "\""; }

bool etag_matches(std::string_view header, const std::string& etag) {
  auto strip = [](std::string_view t) {
    while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
    while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
    if (t.starts_with("W/")) t.remove_prefix(2);
    return t;
  };
  auto want = strip(etag);
  while (!header.empty()) {
    auto comma = header.find(',');
    auto tag = strip(header.substr(0, comma));
    if (tag == "*" || tag == want) return true;
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
  }
  return false;
}

http_response bill_read_response(const http_request& req, const bill& b, cache_status how,
                                 const std::string* json) {
  auto r = conditional_response(req, b, [&] { return json ? *json : bill_json(b); });
  r.with("X-Cache", to_header(how));
  return r;
}

}  // namespace billd
