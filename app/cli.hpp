#pragma once
// The command line: `billd [serve|migrate|user create] [--config FILE] [--key=value ...]`.

#include <optional>
#include <string>
#include <vector>

#include "config/loader.hpp"

namespace billd {

/// What the command line asked for.
struct command_line {
  std::vector<std::string> command;  // e.g. {"serve"}, {"user", "create"}
  std::optional<std::string> config_file;
  flag_list config_flags;   // --key=value for configuration keys
  flag_list command_flags;  // --username, --role, --password, --dry-run
  bool help = false;
  bool version = false;
};

/// Parses argv; throws config_error for unknown flags or commands.
command_line parse_command_line(int argc, char** argv);

/// The --help text.
std::string usage_text();

}  // namespace billd
