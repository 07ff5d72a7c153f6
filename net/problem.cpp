#include "net/problem.hpp"

#include "domain/json_text.hpp"

namespace billd {

unsigned status_of(problem p) {
  switch (p) {
    case problem::malformed_request:
      return 400;
    case problem::payload_too_large:
      return 413;
    case problem::uri_too_long:
      return 414;
    case problem::headers_too_large:
      return 431;
    case problem::not_found:
      return 404;
    case problem::method_not_allowed:
      return 405;
    case problem::unauthenticated:
      return 401;
    case problem::forbidden:
      return 403;
    case problem::unsupported_media_type:
      return 415;
    case problem::invalid_json:
      return 400;
    case problem::validation_failed:
      return 422;
    case problem::idempotency_mismatch:
      return 422;
    case problem::idempotency_in_flight:
      return 409;
    case problem::conflict:
      return 409;
    case problem::precondition_failed:
      return 412;
    case problem::rate_limited:
      return 429;
    case problem::overloaded:
      return 503;
    case problem::outcome_unknown:
      return 503;
    case problem::control_number_failed:
      return 422;
    case problem::internal:
      return 500;
  }
  return 500;
}

std::string_view slug_of(problem p) {
  switch (p) {
    case problem::malformed_request:
      return "malformed-request";
    case problem::payload_too_large:
      return "payload-too-large";
    case problem::uri_too_long:
      return "uri-too-long";
    case problem::headers_too_large:
      return "headers-too-large";
    case problem::not_found:
      return "not-found";
    case problem::method_not_allowed:
      return "method-not-allowed";
    case problem::unauthenticated:
      return "unauthenticated";
    case problem::forbidden:
      return "forbidden";
    case problem::unsupported_media_type:
      return "unsupported-media-type";
    case problem::invalid_json:
      return "invalid-json";
    case problem::validation_failed:
      return "validation-failed";
    case problem::idempotency_mismatch:
      return "idempotency-mismatch";
    case problem::idempotency_in_flight:
      return "idempotency-in-flight";
    case problem::conflict:
      return "conflict";
    case problem::precondition_failed:
      return "precondition-failed";
    case problem::rate_limited:
      return "rate-limited";
    case problem::overloaded:
      return "overloaded";
    case problem::outcome_unknown:
      return "outcome-unknown";
    case problem::control_number_failed:
      return "control-number-failed";
    case problem::internal:
      return "internal";
  }
  return "internal";
}

namespace {

std::string_view title_of(problem p) {
  switch (p) {
    case problem::malformed_request:
      return "Malformed request";
    case problem::payload_too_large:
      return "Payload too large";
    case problem::uri_too_long:
      return "URI too long";
    case problem::headers_too_large:
      return "Request headers too large";
    case problem::not_found:
      return "Not found";
    case problem::method_not_allowed:
      return "Method not allowed";
    case problem::unauthenticated:
      return "Authentication required";
    case problem::forbidden:
      return "Forbidden";
    case problem::unsupported_media_type:
      return "Unsupported media type";
    case problem::invalid_json:
      return "Invalid JSON";
    case problem::validation_failed:
      return "Validation failed";
    case problem::idempotency_mismatch:
      return "Idempotency key reused with another request";
    case problem::idempotency_in_flight:
      return "Idempotent request still running";
    case problem::conflict:
      return "Conflict";
    case problem::precondition_failed:
      return "Precondition failed";
    case problem::rate_limited:
      return "Too many requests";
    case problem::overloaded:
      return "Service overloaded";
    case problem::outcome_unknown:
      return "Outcome unknown";
    case problem::control_number_failed:
      return "Control number request failed";
    case problem::internal:
      return "Internal error";
  }
  return "Internal error";
}

}  // namespace

http_response problem_response(problem p, std::string_view detail, std::string_view instance,
                               const field_errors& errors) {
  std::string list = "[";
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if (i > 0) list += ',';
    list += json_object{}.str("field", errors[i].field).str("message", errors[i].message).finish();
  }
  list += ']';
  http_response r;
  r.status = status_of(p);
  r.content_type = "application/problem+json";
  r.body = json_object{}
               .str("type", "https://billd.dev/problems/" + std::string{slug_of(p)})
               .str("title", title_of(p))
               .num("status", r.status)
               .str("detail", detail)
               .str("instance", instance)
               .raw("errors", list)
               .finish();
  if (p == problem::unauthenticated) r.with("WWW-Authenticate", "Bearer");
  if (p == problem::idempotency_in_flight) r.with("Retry-After", "1");
  if (r.status == 503) r.with("Retry-After", "1");
  return r;
}

http_response problem_response_with(problem p, std::string_view detail, std::string_view instance,
                                    std::string_view extension_members) {
  auto r = problem_response(p, detail, instance);
  if (!extension_members.empty()) {
    r.body.pop_back();  // the closing brace
    r.body += ',';
    r.body += extension_members;
    r.body += '}';
  }
  return r;
}

}  // namespace billd
