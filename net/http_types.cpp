#include "net/http_types.hpp"

namespace billd {

std::optional<std::string_view> http_request::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return std::string_view{v};
  return std::nullopt;
}

}  // namespace billd
