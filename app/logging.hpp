#pragma once
// spdlog set-up: an async logger that drops the oldest line rather than block a request.

#include "config/settings.hpp"

namespace billd {

/// Installs the default logger (stderr, text or JSON lines, level from configuration).
void setup_logging(const log_settings& cfg);

}  // namespace billd
