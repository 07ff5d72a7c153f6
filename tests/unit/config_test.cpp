// Configuration layering and validation: defaults < file < environment < flags.
#define CAF_SUITE config
#include <utility>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>

#include "app/cli.hpp"
#include "caf/test/unit_test.hpp"
#include "config/keys.hpp"
#include "config/loader.hpp"

using namespace billd;

namespace {

std::string write_temp(const std::string& text) {
  char path[] = "/tmp/billd-config-XXXXXX";
  int fd = ::mkstemp(path);
  ::close(fd);
  std::ofstream{path} << text;
  return path;
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const config_error& e) {
    return e.what();
  }
  return {};
}

}  // namespace

CAF_TEST(defaults_match_the_launch_interface) {
  char* env[] = {nullptr};
  auto cfg = load_config(std::nullopt, {}, env).values;
  CAF_CHECK_EQUAL(cfg.http.listen, "127.0.0.1:8080");
  CAF_CHECK_EQUAL(cfg.data_dir, "./var");
  CAF_CHECK_EQUAL(cfg.db.url, "");
  CAF_CHECK_EQUAL(cfg.admin_user, "admin");
  CAF_CHECK_EQUAL(cfg.db.max_waiting, 1024u);
  CAF_CHECK_EQUAL(cfg.front.max_inflight, 256u);
  CAF_CHECK_EQUAL(cfg.http.io_threads, 2u);
}

CAF_TEST(every_documented_default_is_the_default_billd_runs_with) {
  // docs/configuration.md shows each key's default as config/keys.cpp states it; the value
  // billd runs with is the settings struct's. Applying the stated default must change nothing.
  const settings defaults;
  for (const auto& key : config_keys()) {
    if (key.secret) continue;  // none is stated (admin.password's is generated)
    settings s;
    auto refused = key.apply(s, key.default_value);
    auto same = !refused && s == defaults;
    CAF_CHECK_EQUAL(key.name + (same ? "" : " states " + key.default_value + ", runs with another"),
                    key.name);
  }
}

CAF_TEST(the_ops_listener_may_not_take_the_api_address) {
  char* env[] = {nullptr};
  auto load = [&](const std::string& listen, const std::string& ops) {
    return load_config(std::nullopt, {{"http.listen", listen}, {"http.ops_listen", ops}}, env);
  };
  CAF_CHECK_EQUAL(error_of([&] { load("127.0.0.1:8080", "127.0.0.1:8080"); }),
                  "http.ops_listen must differ from http.listen");
  // Port 0 picks a free port for each.
  CAF_CHECK_EQUAL(load("127.0.0.1:0", "127.0.0.1:0").values.http.ops_listen, "127.0.0.1:0");
  CAF_CHECK_EQUAL(load("127.0.0.1:8080", "127.0.0.1:9090").values.http.ops_listen,
                  "127.0.0.1:9090");
}

CAF_TEST(later_layers_override_earlier_ones) {
  auto file = write_temp("db.pool_size = 3\n[http]\nlisten = 127.0.0.1:9000\nio_threads = 3\n");
  std::string e1 = "BILLD_HTTP_LISTEN=127.0.0.1:9100", e2 = "BILLD_DB_POOL_SIZE=5";
  char* env[] = {e1.data(), e2.data(), nullptr};
  auto cfg = load_config(file, {{"db.pool_size", "7"}}, env).values;
  CAF_CHECK_EQUAL(cfg.http.listen, "127.0.0.1:9100");  // env beats file
  CAF_CHECK_EQUAL(cfg.http.io_threads, 3u);            // file beats default
  CAF_CHECK_EQUAL(cfg.db.pool_size, 7u);               // flag beats env
  std::remove(file.c_str());
}

CAF_TEST(an_out_of_range_value_names_the_key_and_range) {
  char* env[] = {nullptr};
  auto msg = error_of([&] { load_config(std::nullopt, {{"db.pool_size", "0"}}, env); });
  CAF_CHECK(msg.find("db.pool_size") != std::string::npos);
  CAF_CHECK(msg.find("[1, 256]") != std::string::npos);
  msg = error_of([&] { load_config(std::nullopt, {{"http.listen", "nowhere"}}, env); });
  CAF_CHECK(msg.find("http.listen") != std::string::npos);
}

CAF_TEST(an_unknown_key_in_the_file_is_an_error_and_in_the_environment_a_warning) {
  auto file = write_temp("htp.listen = 1\n");
  char* none[] = {nullptr};
  auto msg = error_of([&] { load_config(file, {}, none); });
  CAF_CHECK(msg.find("htp.listen") != std::string::npos);
  std::remove(file.c_str());
  std::string typo = "BILLD_HTTP_LISTN=x";
  char* env[] = {typo.data(), nullptr};
  auto loaded = load_config(std::nullopt, {}, env);
  CAF_REQUIRE_EQUAL(loaded.warnings.size(), 1u);
  CAF_CHECK(loaded.warnings[0].find("BILLD_HTTP_LISTN") != std::string::npos);
}

CAF_TEST(secrets_are_not_echoed_in_errors) {
  char* env[] = {nullptr};
  auto msg = error_of([&] { load_config(std::nullopt, {{"admin.password", "short"}}, env); });
  CAF_CHECK(msg.find("short") == std::string::npos);
  CAF_CHECK(msg.find("admin.password") != std::string::npos);
}

CAF_TEST(relations_between_keys_are_checked) {
  char* env[] = {nullptr};
  auto msg = error_of([&] {
    load_config(std::nullopt,
                {{"supervisor.backoff_base_ms", "5000"}, {"supervisor.backoff_max_ms", "100"}},
                env);
  });
  CAF_CHECK(msg.find("backoff") != std::string::npos);
  msg = error_of([&] { load_config(std::nullopt, {{"billing.currencies", "TZS:9"}}, env); });
  CAF_CHECK(msg.find("billing.currencies") != std::string::npos);
}

CAF_TEST(environment_names_follow_the_key) {
  CAF_CHECK_EQUAL(env_name_of("http.listen"), "BILLD_HTTP_LISTEN");
  CAF_CHECK_EQUAL(env_name_of("admin.user"), "BILLD_ADMIN_USER");
  CAF_CHECK_EQUAL(env_name_of("gateway.secret_out"), "BILLD_GATEWAY_SECRET_OUT");
  CAF_CHECK_EQUAL(env_name_of("data_dir"), "BILLD_DATA_DIR");
}

CAF_TEST(the_command_line_splits_commands_config_flags_and_command_flags) {
  const char* argv[] = {"billd",
                        "user",
                        "create",
                        "--username",
                        "ann",
                        "--role=clerk",
                        "--http.listen=127.0.0.1:1",
                        "--config",
                        "/x.conf"};
  auto cl = parse_command_line(9, const_cast<char**>(argv));
  CAF_CHECK(cl.command == (std::vector<std::string>{"user", "create"}));
  CAF_CHECK_EQUAL(cl.command_flags.size(), 2u);
  CAF_CHECK_EQUAL(cl.config_flags.size(), 1u);
  CAF_CHECK_EQUAL(*cl.config_file, "/x.conf");
  const char* bad[] = {"billd", "--no-such-option=1"};
  CAF_CHECK(!error_of([&] { parse_command_line(2, const_cast<char**>(bad)); }).empty());
  const char* none[] = {"billd"};
  CAF_CHECK(parse_command_line(1, const_cast<char**>(none)).command ==
            std::vector<std::string>{"serve"});
}
