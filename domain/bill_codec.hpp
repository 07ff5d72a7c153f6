#pragma once
// A bill as the Redis cache level stores it: a versioned, length-prefixed record, cheaper to
// read back than the API's JSON and strict about what it accepts (a corrupt or foreign value
// is a miss, never a wrong bill).

#include <optional>
#include <string>
#include <string_view>

#include "domain/bill.hpp"

namespace billd {

/// The stored form of b.
std::string encode_bill(const bill& b);

/// The bill encoded in text; nullopt unless text is exactly one well-formed record.
std::optional<bill> decode_bill(std::string_view text);

}  // namespace billd
