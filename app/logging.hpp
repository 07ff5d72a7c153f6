#pragma once
// spdlog set-up: an async logger that drops the oldest line rather than block a request,
// stderr or a rotating file that falls back to stderr, text or JSON lines, a logger per module.

#include "config/settings.hpp"

namespace billd {

/// Installs the default logger and the module loggers (throws std::invalid_argument on a bad
/// log.levels).
void setup_logging(const log_settings& cfg);

}  // namespace billd
