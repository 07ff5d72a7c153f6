#pragma once
// Who may scrape GET /metrics (API.md): loopback clients, or anyone presenting the bearer
// metrics.token when one is configured.

#include <optional>
#include <string>
#include <string_view>

namespace billd {

/// `remote_ip` as the listener saw it; `authorization` the header, if any; `token` the
/// configured metrics.token ("" : none). The token is compared in constant time.
bool metrics_scrape_allowed(std::string_view remote_ip,
                            std::optional<std::string_view> authorization,
                            const std::string& token);

}  // namespace billd
