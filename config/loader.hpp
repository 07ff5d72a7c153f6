#pragma once
// Layers configuration: defaults < file (--config FILE) < BILLD_* environment < flags.

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "config/settings.hpp"

namespace billd {

/// A configuration the process must not start with; what() names the key and the allowed range.
struct config_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Settings plus the warnings found while reading them (unknown BILLD_* variables).
struct loaded_config {
  settings values;
  std::vector<std::string> warnings;
};

/// Config keys given as `--key=value` flags, in command-line order.
using flag_list = std::vector<std::pair<std::string, std::string>>;

/// Builds the settings from every layer; throws config_error on an unknown key in the file or
/// flags, a malformed file line, or a value out of range.
loaded_config load_config(const std::optional<std::string>& file_path, const flag_list& flags,
                          char** environment);

/// Parses the file format: `key = value` lines, `[section]` prefixes keys with `section.`,
/// `#` or `;` start comments, values may be double-quoted. Throws config_error.
std::vector<std::pair<std::string, std::string>> parse_config_text(const std::string& text,
                                                                   const std::string& origin);

}  // namespace billd
