#pragma once
// billd's log modules: each has its own logger (sharing billd's sinks) so log.levels can set a
// level per module ("db=debug,http=warn"). Loggers are installed once at start, before any
// actor runs, and then only read; until then (and in tests) every module logs through
// spdlog's default logger.

#include <spdlog/logger.h>

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace billd {

enum class log_module : std::uint8_t { app, http, db, cache, billing, gateway, jobs, auth, ops };
inline constexpr std::size_t log_module_count = 9;

/// "app", "http", "db", "cache", "billing", "gateway", "jobs", "auth", "ops".
std::string_view to_string(log_module m);

/// The logger of a module (the default logger until install_module_loggers ran).
spdlog::logger& logger_of(log_module m);

/// Parses "module=level,…"; nullopt (and `error` set) on an unknown module or level.
std::optional<std::map<log_module, spdlog::level::level_enum>> parse_module_levels(
    std::string_view text, std::string& error);

/// Gives every module a clone of `base` (its sinks and pattern), at `levels`' level or at
/// base's. Call once, before other threads log.
void install_module_loggers(const std::shared_ptr<spdlog::logger>& base,
                            const std::map<log_module, spdlog::level::level_enum>& levels);

}  // namespace billd
