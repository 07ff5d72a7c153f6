#include "domain/url.hpp"

namespace billd {

url_parts split_url(std::string_view url) {
  auto scheme_end = url.find("://");
  auto slash = url.find('/', scheme_end == std::string_view::npos ? 0 : scheme_end + 3);
  if (slash == std::string_view::npos) return {std::string{url}, "/"};
  return {std::string{url.substr(0, slash)}, std::string{url.substr(slash)}};
}

}  // namespace billd
