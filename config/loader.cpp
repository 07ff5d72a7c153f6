#include "config/loader.hpp"

#include <cstring>
#include <fstream>
#include <sstream>

#include "config/keys.hpp"
#include "domain/money.hpp"

namespace billd {
namespace {

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t\r");
  return std::string{s.substr(b, e - b + 1)};
}

void apply(settings& s, const std::string& key, const std::string& value,
           const std::string& origin) {
  const auto* k = find_config_key(key);
  if (k == nullptr) throw config_error(origin + ": unknown configuration key '" + key + "'");
  if (auto err = k->apply(s, value))
    throw config_error(origin + ": " + key + " " + *err + " (got '" +
                       (k->secret ? std::string{"<secret>"} : value) + "')");
}

void check_relations(const settings& s) {
  if (s.supervisor.backoff_base > s.supervisor.backoff_max)
    throw config_error("supervisor.backoff_base_ms must not exceed supervisor.backoff_max_ms");
  std::string err;
  if (!currency_set::parse(s.billing.currencies, err))
    throw config_error("billing.currencies " + err);
  if (!s.http.ops_listen.empty() && s.http.ops_listen == s.http.listen &&
      !s.http.listen.ends_with(":0"))
    throw config_error("http.ops_listen must differ from http.listen");
  if (s.http.url_bytes_max >= s.http.header_bytes_max)
    throw config_error("http.url_bytes_max must be below http.header_bytes_max");
  if (s.alerts.notify() && s.alerts.notify_secret.size() < 16)
    throw config_error(
        "alerts.notify_secret needs 16 or more characters when alerts.notify_url is set");
}

}  // namespace

std::vector<std::pair<std::string, std::string>> parse_config_text(const std::string& text,
                                                                   const std::string& origin) {
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream in{text};
  std::string line, section;
  for (int number = 1; std::getline(in, line); ++number) {
    auto t = trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    auto where = origin + ":" + std::to_string(number);
    if (t.front() == '[') {
      if (t.back() != ']') throw config_error(where + ": malformed section header");
      section = trim(std::string_view{t}.substr(1, t.size() - 2));
      continue;
    }
    auto eq = t.find('=');
    if (eq == std::string::npos) throw config_error(where + ": expected 'key = value'");
    auto key = trim(std::string_view{t}.substr(0, eq));
    auto value = trim(std::string_view{t}.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    if (key.empty()) throw config_error(where + ": empty key");
    out.emplace_back(section.empty() ? key : section + "." + key, value);
  }
  return out;
}

loaded_config load_config(const std::optional<std::string>& file_path, const flag_list& flags,
                          char** environment) {
  loaded_config result;
  if (file_path) {
    std::ifstream f{*file_path};
    if (!f) throw config_error("cannot read config file " + *file_path);
    std::stringstream buf;
    buf << f.rdbuf();
    for (auto& [k, v] : parse_config_text(buf.str(), *file_path))
      apply(result.values, k, v, *file_path);
  }
  for (char** e = environment; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry{*e};
    if (!entry.starts_with("BILLD_")) continue;
    auto eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    auto name = entry.substr(0, eq);
    const config_key* match = nullptr;
    for (const auto& k : config_keys())
      if (env_name_of(k.name) == name) match = &k;
    if (match == nullptr) {
      result.warnings.push_back("unknown environment variable " + std::string{name} + " ignored");
      continue;
    }
    apply(result.values, match->name, std::string{entry.substr(eq + 1)}, std::string{name});
  }
  for (const auto& [k, v] : flags) apply(result.values, k, v, "--" + k);
  check_relations(result.values);
  return result;
}

}  // namespace billd
