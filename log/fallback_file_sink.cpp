#include "log/fallback_file_sink.hpp"

#include <spdlog/pattern_formatter.h>

namespace billd {

fallback_file_sink::fallback_file_sink(std::string path, std::size_t max_bytes,
                                       std::size_t max_files, std::chrono::milliseconds retry)
    : path_(std::move(path)), max_bytes_(max_bytes), max_files_(max_files), retry_(retry) {}

spdlog::sinks::rotating_file_sink_st* fallback_file_sink::file() {
  if (file_) return file_.get();
  if (std::chrono::steady_clock::now() < retry_at_) return nullptr;
  try {
    file_ = std::make_unique<spdlog::sinks::rotating_file_sink_st>(path_, max_bytes_, max_files_);
    file_->set_formatter(formatter_->clone());
    return file_.get();
  } catch (const spdlog::spdlog_ex& e) {
    failed(e.what());
    return nullptr;
  }
}

void fallback_file_sink::failed(const std::string& why) {
  file_.reset();
  retry_at_ = std::chrono::steady_clock::now() + retry_;
  // Said once per failure, on the stream that still works.
  std::fprintf(
      stderr, "billd: log file %s cannot be written (%s); logging to stderr, retrying in %lld ms\n",
      path_.c_str(), why.c_str(), static_cast<long long>(retry_.count()));
}

void fallback_file_sink::sink_it_(const spdlog::details::log_msg& msg) {
  if (auto* f = file()) {
    try {
      f->log(msg);
      return;
    } catch (const spdlog::spdlog_ex& e) {
      failed(e.what());
    }
  }
  ++fallback_lines_;
  stderr_.log(msg);
}

void fallback_file_sink::flush_() {
  if (file_) {
    try {
      file_->flush();
    } catch (const spdlog::spdlog_ex& e) {
      failed(e.what());
    }
  }
  stderr_.flush();
}

void fallback_file_sink::set_pattern_(const std::string& pattern) {
  set_formatter_(std::make_unique<spdlog::pattern_formatter>(pattern));
}

void fallback_file_sink::set_formatter_(std::unique_ptr<spdlog::formatter> formatter) {
  if (file_) file_->set_formatter(formatter->clone());
  stderr_.set_formatter(formatter->clone());
  formatter_ = std::move(formatter);
}

}  // namespace billd
