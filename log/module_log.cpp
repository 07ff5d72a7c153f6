#include "log/module_log.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace billd {
namespace {

constexpr std::array<std::string_view, log_module_count> names{
    "app", "http", "db", "cache", "billing", "gateway", "jobs", "auth", "ops"};

std::array<std::shared_ptr<spdlog::logger>, log_module_count>& loggers() {
  static std::array<std::shared_ptr<spdlog::logger>, log_module_count> all;
  return all;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view to_string(log_module m) { return names[static_cast<std::size_t>(m)]; }

spdlog::logger& logger_of(log_module m) {
  const auto& l = loggers()[static_cast<std::size_t>(m)];
  return l ? *l : *spdlog::default_logger_raw();
}

std::optional<std::map<log_module, spdlog::level::level_enum>> parse_module_levels(
    std::string_view text, std::string& error) {
  std::map<log_module, spdlog::level::level_enum> out;
  while (!trim(text).empty()) {
    auto comma = text.find(',');
    auto item = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    auto eq = item.find('=');
    if (eq == std::string_view::npos) {
      error = "expected module=level, got '" + std::string{item} + "'";
      return std::nullopt;
    }
    auto module = trim(item.substr(0, eq));
    auto level_text = std::string{trim(item.substr(eq + 1))};
    auto it = std::find(names.begin(), names.end(), module);
    if (it == names.end()) {
      error = "unknown log module '" + std::string{module} + "'";
      return std::nullopt;
    }
    auto level = spdlog::level::from_str(level_text);
    if (level == spdlog::level::off && level_text != "off") {
      error = "unknown log level '" + level_text + "'";
      return std::nullopt;
    }
    out[static_cast<log_module>(it - names.begin())] = level;
  }
  return out;
}

void install_module_loggers(const std::shared_ptr<spdlog::logger>& base,
                            const std::map<log_module, spdlog::level::level_enum>& levels) {
  for (std::size_t i = 0; i < log_module_count; ++i) {
    auto m = static_cast<log_module>(i);
    auto logger = base->clone(std::string{names[i]});
    if (auto it = levels.find(m); it != levels.end()) logger->set_level(it->second);
    loggers()[i] = std::move(logger);
  }
}

}  // namespace billd
