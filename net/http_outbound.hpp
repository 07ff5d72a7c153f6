#pragma once
// The Beast implementation of http_transport: one keep-alive HTTP/1.1 connection to an
// http:// origin, every exchange bounded by its timeout (connect included).

#include <memory>
#include <string>

#include "actors/http_transport.hpp"

namespace billd {

/// Scheme, host, port and base path of an http:// URL.
struct http_origin {
  bool tls = false;
  std::string host;
  std::string port = "80";
  std::string base_path;  // without a trailing slash; prefixed to every target
  std::string ca_file;    // TLS: trusted CAs (PEM); empty = the system's store
  /// Refuse to connect when the host resolves to a private or loopback address. Checked on the
  /// very addresses the connection then uses, so a DNS answer that changes in between
  /// (rebinding) cannot slip through.
  bool refuse_private = false;
};

/// Parses "http(s)://host[:port][/base]" (port 80 or 443 by default); false with `error` set
/// otherwise. TLS peers are verified: chain to a trusted CA and the host name (or IP).
bool parse_http_origin(const std::string& url, http_origin& out, std::string& error);

/// url_transport_factory for absolute http(s):// URLs, trusting ca_file (empty: system CAs).
/// Unless allow_private, a host whose name resolves to a private or loopback address is refused
/// when the transport connects (webhook URLs are the merchant's input: no requests into
/// billd's own network).
std::unique_ptr<http_transport> make_url_transport(const std::string& url,
                                                   const std::string& ca_file, bool allow_private,
                                                   std::string& origin, std::string& path,
                                                   std::string& error);

/// A transport to origin.
std::unique_ptr<http_transport> make_http_transport(const http_origin& origin);

}  // namespace billd
