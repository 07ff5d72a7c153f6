#pragma once
// The one table of configuration keys: name, default, allowed range, help.
// Validation at start-up and docs/configuration.md both come from it.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/settings.hpp"

namespace billd {

/// One configuration key. `apply` parses and range-checks a textual value into settings;
/// it returns an error message naming the allowed range when the value is refused.
struct config_key {
  std::string name;
  std::string default_value;
  std::string range;  // human-readable allowed values, e.g. "[1, 65536]"
  std::string help;
  bool secret = false;
  std::function<std::optional<std::string>(settings&, std::string_view)> apply;
};

/// All keys, in documentation order.
const std::vector<config_key>& config_keys();

/// The key named `name`, or nullptr.
const config_key* find_config_key(std::string_view name);

/// The environment variable of a key: BILLD_ + upper case with '_' for '.'.
std::string env_name_of(std::string_view key);

/// docs/configuration.md's key table, generated from config_keys().
std::string config_keys_markdown();

}  // namespace billd
