#pragma once
// The key that encrypts webhook secrets at rest.

#include <string>

#include "config/settings.hpp"

namespace billd {

/// webhooks.secret_key when set; otherwise <data_dir>/webhook-secret.key, created (0600) with
/// a random key at first start. Throws when the file exists but is not a key.
std::string load_webhook_key(const settings& cfg);

}  // namespace billd
