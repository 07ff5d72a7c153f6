#include "net/http_types.hpp"

#include "domain/text_rules.hpp"
#include "net/problem.hpp"

namespace billd {

std::optional<std::string_view> http_request::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return std::string_view{v};
  return std::nullopt;
}

http_response& http_response::with(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

std::string media_type(std::string_view content_type) {
  auto type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return ascii_lower(type);
}

bool is_utf8_media(std::string_view content_type, std::string_view media) {
  if (media_type(content_type) != media) return false;
  auto semi = content_type.find(';');
  if (semi == std::string_view::npos) return true;
  auto params = ascii_lower(content_type.substr(semi + 1));
  return params.find("charset") == std::string::npos || params.find("utf-8") != std::string::npos;
}

namespace {

class memory_source final : public body_source {
 public:
  explicit memory_source(std::string body) : body_(std::move(body)) {}
  void next(deliver_fn deliver) override {
    bool first = !delivered_;
    delivered_ = true;
    deliver(first ? std::move(body_) : std::string{}, true, body_status::ok);
  }

 private:
  std::string body_;
  bool delivered_ = false;
};

}  // namespace

std::shared_ptr<body_source> memory_body(std::string body) {
  return std::make_shared<memory_source>(std::move(body));
}

void http_exchange::answer(http_response resp) {
  if (answered) return;
  answered = true;
  reply(std::move(resp));
}

http_exchange::~http_exchange() {
  if (answered || !reply) return;
  try {
    bool safe = request.method == "GET" || request.method == "HEAD";
    answer(problem_response(safe ? problem::overloaded : problem::outcome_unknown,
                            "billd lost this request: an actor serving it restarted",
                            request.path));
  } catch (...) {
    // Out of memory while answering: the connection then ends by its idle timeout.
  }
}

}  // namespace billd
