#pragma once
// Absolute URLs split where billd needs them: the origin to connect to and the path the peer
// sees (which X-Signature covers), so the signer and the sender can never disagree.

#include <string>
#include <string_view>

namespace billd {

struct url_parts {
  std::string origin;  // "scheme://authority"
  std::string path;    // from the first '/' after the authority (query included); "/" if none
};

url_parts split_url(std::string_view url);

}  // namespace billd
