#pragma once
// The one place that maps every error to an HTTP status and an RFC 9457 problem+json body.

#include <string>
#include <string_view>
#include <vector>

#include "domain/field_error.hpp"
#include "net/http_types.hpp"

namespace billd {

/// Stable problem types of API.md (slug after https://billd.dev/problems/).
enum class problem : std::uint8_t {
  malformed_request,
  payload_too_large,
  uri_too_long,
  headers_too_large,
  not_found,
  method_not_allowed,
  unauthenticated,
  forbidden,
  unsupported_media_type,
  invalid_json,
  validation_failed,
  idempotency_mismatch,
  idempotency_in_flight,
  conflict,
  precondition_failed,
  rate_limited,
  overloaded,
  outcome_unknown,
  control_number_failed,
  internal,
};

/// HTTP status of a problem type.
unsigned status_of(problem p);
/// The slug, e.g. "validation-failed".
std::string_view slug_of(problem p);

/// A problem+json response with the headers its status requires (WWW-Authenticate for 401,
/// Retry-After for 409 in-flight and 503).
http_response problem_response(problem p, std::string_view detail, std::string_view instance,
                               const field_errors& errors = {});

/// The same with extension members (RFC 9457 §3.2), given as a JSON object's members, e.g.
/// `"bill_status":"failed","reason":"…"` (already escaped).
http_response problem_response_with(problem p, std::string_view detail, std::string_view instance,
                                    std::string_view extension_members);

}  // namespace billd
