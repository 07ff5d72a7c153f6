#include "net/http_types.hpp"

namespace billd {

std::optional<std::string_view> http_request::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return std::string_view{v};
  return std::nullopt;
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

}  // namespace billd
