#pragma once
// The log file sink of ARCHITECTURE.md "Observability": spdlog's rotating file, and stderr
// whenever the file cannot be written (disk full, permissions, a vanished directory). A failed
// write never reaches the request that logged (the async logger's worker thread writes) and
// never stops logging: the line goes to stderr, the failure is reported there once, and the
// file is tried again after `retry`.

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

namespace billd {

class fallback_file_sink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  fallback_file_sink(std::string path, std::size_t max_bytes, std::size_t max_files,
                     std::chrono::milliseconds retry);

  /// Lines that went to stderr because the file failed.
  std::uint64_t fallback_lines() const { return fallback_lines_.load(); }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override;
  void set_pattern_(const std::string& pattern) override;
  void set_formatter_(std::unique_ptr<spdlog::formatter> formatter) override;

 private:
  /// The file sink, reopened when the retry time passed; null while it cannot be opened.
  spdlog::sinks::rotating_file_sink_st* file();
  void failed(const std::string& why);

  std::string path_;
  std::size_t max_bytes_, max_files_;
  std::chrono::milliseconds retry_;
  std::unique_ptr<spdlog::sinks::rotating_file_sink_st> file_;
  std::chrono::steady_clock::time_point retry_at_{};
  spdlog::sinks::stderr_sink_st stderr_;
  std::atomic<std::uint64_t> fallback_lines_{0};
};

}  // namespace billd
