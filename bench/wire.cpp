#include "bench/wire.hpp"

#include <cstring>

namespace billd::bench {

void write_request(std::string& out, const request_spec& spec, std::string_view token) {
  out.clear();
  auto header = [&out](std::string_view name, std::string_view value) {
    out.append(name).append(": ").append(value).append("\r\n");
  };
  out.append(spec.method).append(" ").append(spec.target).append(" HTTP/1.1\r\n");
  header("Host", "bench");
  // Appended in place rather than through header(), which would need "Bearer " + token built
  // as a string of its own for every request.
  if (!token.empty() && spec.cls != priority::p0) {
    out.append("Authorization: Bearer ").append(token).append("\r\n");
  }
  if (!spec.idempotency_key.empty()) header("Idempotency-Key", spec.idempotency_key);
  if (!spec.signature.empty()) header("X-Signature", spec.signature);
  // A body, or a method that carries one (an empty POST says so with Content-Length: 0).
  auto carries_body = !spec.body.empty() || std::strcmp(spec.method, "POST") == 0 ||
                      std::strcmp(spec.method, "PUT") == 0 ||
                      std::strcmp(spec.method, "PATCH") == 0;
  if (!spec.body.empty()) header("Content-Type", "application/json");
  if (carries_body) header("Content-Length", std::to_string(spec.body.size()));
  out.append("\r\n").append(spec.body);
}

}  // namespace billd::bench
