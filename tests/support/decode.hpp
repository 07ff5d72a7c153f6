#pragma once
// Decoders for compressed answers in tests: what a client does with Content-Encoding.

#include <string>
#include <string_view>

namespace billd::test {

/// gzip → bytes; throws std::runtime_error when data is not a whole gzip stream.
std::string gunzip(std::string_view data);

/// br → bytes; throws std::runtime_error when data is not a whole brotli stream.
std::string unbrotli(std::string_view data);

}  // namespace billd::test
