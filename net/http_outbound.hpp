#pragma once
// The Beast implementation of http_transport: one keep-alive HTTP/1.1 connection to an
// http:// origin, every exchange bounded by its timeout (connect included).

#include <memory>
#include <string>

#include "actors/http_transport.hpp"

namespace billd {

/// Scheme, host, port and base path of an http:// URL.
struct http_origin {
  std::string host;
  std::string port = "80";
  std::string base_path;  // without a trailing slash; prefixed to every target
};

/// Parses "http://host[:port][/base]"; nullopt-like false with `error` set otherwise.
bool parse_http_origin(const std::string& url, http_origin& out, std::string& error);

/// url_transport_factory for absolute http:// URLs (https needs TLS, not built yet).
std::unique_ptr<http_transport> make_url_transport(const std::string& url, std::string& origin,
                                                   std::string& path, std::string& error);

/// A transport to origin.
std::unique_ptr<http_transport> make_http_transport(const http_origin& origin);

}  // namespace billd
