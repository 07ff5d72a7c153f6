#pragma once
// Response compression (API.md): gzip (zlib) or br (libbrotli), chosen by Accept-Encoding with
// q-values, for JSON and text bodies of at least http.compress_min_bytes — or any size when the
// client refuses identity — and never for responses marked sensitive (a token or secret next
// to attacker-chosen text is what BREACH-style attacks need).

#include <optional>
#include <string>
#include <string_view>

#include "config/settings.hpp"
#include "net/http_types.hpp"

namespace billd {

enum class content_coding { identity, gzip, br };

/// What Accept-Encoding allows: the best coding billd can produce (br wins a tie) and whether
/// identity was refused (`identity;q=0`, or `*;q=0` without identity listed).
struct coding_choice {
  content_coding best = content_coding::identity;
  bool identity_refused = false;
};

/// Reads an Accept-Encoding value (absent: identity only).
coding_choice choose_coding(std::optional<std::string_view> accept_encoding);

/// gzip (RFC 1952) of data at zlib level 1–9.
std::string gzip_compress(std::string_view data, int level);

/// Brotli (RFC 7932) of data at quality 0–11.
std::string brotli_compress(std::string_view data, int quality);

/// Compresses resp for req when the rules above allow it, setting Content-Encoding.
void compress_response(const http_request& req, http_response& resp, const http_settings& cfg);

}  // namespace billd
