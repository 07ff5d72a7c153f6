#include "app/logging.hpp"

#include <spdlog/async.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

#include "domain/json_text.hpp"
#include "log/fallback_file_sink.hpp"
#include "log/module_log.hpp"

namespace billd {
namespace {

/// %* in a pattern: the message as a JSON string literal (quotes included, escaped), so a
/// message with quotes or newlines still makes one valid JSON line.
class json_message_flag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string quoted;
    append_json_string(quoted, std::string_view{msg.payload.data(), msg.payload.size()});
    dest.append(quoted.data(), quoted.data() + quoted.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<json_message_flag>();
  }
};

std::unique_ptr<spdlog::formatter> make_formatter(const std::string& format) {
  auto f = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  f->add_flag<json_message_flag>('*');
  if (format == "json")
    f->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","module":"%n","msg":%*})");
  else
    f->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ [%n] %v");
  return f;
}

}  // namespace

void setup_logging(const log_settings& cfg) {
  std::string error;
  auto levels = parse_module_levels(cfg.levels, error);
  if (!levels) throw std::invalid_argument("log.levels: " + error);
  spdlog::init_thread_pool(cfg.queue_lines, 1);
  spdlog::sink_ptr sink;
  if (cfg.file.empty()) {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  } else {
    sink = std::make_shared<fallback_file_sink>(cfg.file, cfg.file_max_bytes, cfg.file_max_files,
                                                cfg.file_retry);
  }
  sink->set_formatter(make_formatter(cfg.format));
  // overrun_oldest: a full queue drops its oldest line; a request never waits on logging.
  auto logger = std::make_shared<spdlog::async_logger>(
      "app", sink, spdlog::thread_pool(), spdlog::async_overflow_policy::overrun_oldest);
  logger->set_level(spdlog::level::from_str(cfg.level));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  install_module_loggers(logger, *levels);
}

}  // namespace billd
