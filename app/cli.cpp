#include "app/cli.hpp"

#include <algorithm>

#include "config/keys.hpp"

namespace billd {
namespace {

const std::vector<std::vector<std::string>> known_commands = {
    {"serve"}, {"migrate"}, {"user", "create"}, {"audit", "verify"}, {"cleanup"}, {"check"}};

bool is_command_flag(const std::string& name) {
  return name == "username" || name == "role" || name == "password";
}

}  // namespace

command_line parse_command_line(int argc, char** argv) {
  command_line cl;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      cl.help = true;
      continue;
    }
    if (arg == "--version") {
      cl.version = true;
      continue;
    }
    if (!arg.starts_with("--")) {
      cl.command.push_back(arg);
      continue;
    }
    if (arg == "--dry-run") {  // the one flag without a value
      cl.command_flags.emplace_back("dry-run", "true");
      continue;
    }
    auto body = arg.substr(2);
    auto eq = body.find('=');
    std::string name = body.substr(0, eq);
    std::string value;
    if (eq != std::string::npos) {
      value = body.substr(eq + 1);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      throw config_error("--" + name + " needs a value");
    }
    if (name == "config")
      cl.config_file = value;
    else if (is_command_flag(name))
      cl.command_flags.emplace_back(name, value);
    else if (find_config_key(name) != nullptr)
      cl.config_flags.emplace_back(name, value);
    else
      throw config_error("unknown option --" + name);
  }
  if (cl.command.empty()) cl.command = {"serve"};
  if (!cl.help && !cl.version &&
      std::find(known_commands.begin(), known_commands.end(), cl.command) == known_commands.end())
    throw config_error("unknown command '" + cl.command[0] + "' (see billd --help)");
  return cl;
}

std::string usage_text() {
  return R"(billd — billing and payments service

Usage:
  billd [serve]                 run the service (the default)
  billd migrate                 apply database migrations and exit
  billd user create --username NAME --role admin|clerk|viewer [--password PW]
                                create a user (a password is generated and printed when omitted)
  billd cleanup [--dry-run]     purge old gateway-log rows, expired sessions and idempotency
                                keys, finished jobs (never audit rows); print counts per kind
  billd audit verify            check the audit hash chains and checkpoints; exit 1 at the
                                first broken link, which it names
  billd check                   database health from PostgreSQL's views: unused indexes,
                                unindexed foreign keys, sequential scans, slowest statements,
                                bloat; exit 1 when something needs action
  billd --help | --version

Options:
  --config FILE                 read configuration from FILE (key = value lines)
  --KEY=VALUE                   set any configuration key, e.g. --http.listen=127.0.0.1:9090

Configuration is layered: defaults < --config file < BILLD_* environment < flags.
Every key, its default and range: docs/configuration.md.
)";
}

}  // namespace billd
