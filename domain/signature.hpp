#pragma once
// The X-Signature scheme of API.md, both directions of the gateway exchange and webhooks:
// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<METHOD>.<path>.<raw body>">`.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace billd {

/// How far a signature's timestamp may be from now, either way.
inline constexpr std::int64_t signature_tolerance_s = 300;

/// Lower-case hex HMAC-SHA256 of data under key (any key length).
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

/// The X-Signature header value for one request signed at unix time `t`.
std::string sign_request(std::string_view secret, std::int64_t t, std::string_view method,
                         std::string_view path, std::string_view body);

/// Why a signature was refused (or ok).
enum class signature_check { ok, missing, malformed, stale, mismatch };

/// Checks header against every non-empty secret (current and previous), in constant time per
/// secret; `now` is unix seconds.
signature_check verify_signature(std::string_view header, const std::vector<std::string>& secrets,
                                 std::int64_t now, std::string_view method, std::string_view path,
                                 std::string_view body);

/// A short English reason for a refusal, for problem details and logs.
std::string_view to_string(signature_check c);

}  // namespace billd
