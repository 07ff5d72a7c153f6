// Module levels as configured, and the log file sink that falls back to stderr.
#define CAF_SUITE logging
#include <utility>

#include "caf/test/unit_test.hpp"

#include <spdlog/logger.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "log/fallback_file_sink.hpp"
#include "log/module_log.hpp"

using namespace billd;
namespace fs = std::filesystem;

CAF_TEST(module_levels_parse_and_unknown_names_are_refused) {
  std::string error;
  auto levels = parse_module_levels(" db=debug, http = warn ,ops=off", error);
  CAF_REQUIRE(levels.has_value());
  CAF_CHECK_EQUAL(levels->size(), 3u);
  CAF_CHECK(levels->at(log_module::db) == spdlog::level::debug);
  CAF_CHECK(levels->at(log_module::http) == spdlog::level::warn);
  CAF_CHECK(levels->at(log_module::ops) == spdlog::level::off);
  CAF_CHECK(parse_module_levels("", error).has_value());
  CAF_CHECK(!parse_module_levels("dbx=debug", error).has_value());
  CAF_CHECK_EQUAL(error, "unknown log module 'dbx'");
  CAF_CHECK(!parse_module_levels("db=loud", error).has_value());
  CAF_CHECK(!parse_module_levels("db", error).has_value());
}

CAF_TEST(a_full_disk_sends_lines_to_stderr_without_throwing) {
  auto sink = std::make_shared<fallback_file_sink>("/dev/full", 1 << 20, 2,
                                                   std::chrono::milliseconds{60'000});
  spdlog::logger logger{"test", sink};
  logger.set_level(spdlog::level::info);
  std::string line(512, 'x');
  for (int i = 0; i < 50; ++i) logger.info("{}", line);  // more than stdio buffers hold
  logger.flush();
  CAF_CHECK(sink->fallback_lines() > 0);
}

CAF_TEST(an_unusable_directory_is_used_once_it_can_be) {
  // A plain file where the log directory should be: the file cannot be opened.
  auto dir = fs::temp_directory_path() / ("billd-logsink-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  std::ofstream{dir} << "in the way";
  auto path = dir / "billd.log";
  auto sink =
      std::make_shared<fallback_file_sink>(path.string(), 1 << 20, 2, std::chrono::milliseconds{0});
  spdlog::logger logger{"test", sink};
  logger.info("before");
  CAF_CHECK_EQUAL(sink->fallback_lines(), 1u);
  fs::remove(dir);
  fs::create_directories(dir);
  logger.info("after");
  logger.flush();
  CAF_CHECK_EQUAL(sink->fallback_lines(), 1u);
  std::ifstream f{path};
  std::string all{std::istreambuf_iterator<char>{f}, {}};
  CAF_CHECK(all.find("after") != std::string::npos);
  CAF_CHECK(all.find("before") == std::string::npos);
  fs::remove_all(dir);
}
