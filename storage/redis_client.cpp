#include "storage/redis_client.hpp"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <vector>

namespace billd {
namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000),
                 static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

struct reply_deleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using reply_ptr = std::unique_ptr<redisReply, reply_deleter>;

}  // namespace

redis_client::redis_client(redis_target target, std::chrono::milliseconds timeout)
    : target_(std::move(target)), timeout_(timeout) {}

redis_client::~redis_client() { drop(); }

void redis_client::drop() {
  if (ctx_ != nullptr) redisFree(ctx_);
  ctx_ = nullptr;
}

std::optional<std::string> redis_client::connect() {
  ctx_ = redisConnectWithTimeout(target_.host.c_str(), target_.port, to_timeval(timeout_));
  if (ctx_ == nullptr) return "cannot allocate a Redis context";
  if (ctx_->err != 0) {
    std::string why = ctx_->errstr;
    drop();
    return why;
  }
  redisSetTimeout(ctx_, to_timeval(timeout_));
  redisEnableKeepAlive(ctx_);
  // AUTH and SELECT go through run(), which must not reconnect recursively: ctx_ is set.
  if (!target_.password.empty()) {
    if (auto r = run({"AUTH", target_.password}); r.failed) return "AUTH: " + r.error;
  }
  if (target_.db != 0) {
    if (auto r = run({"SELECT", std::to_string(target_.db)}); r.failed) return "SELECT: " + r.error;
  }
  return std::nullopt;
}

redis_result redis_client::run(std::initializer_list<std::string_view> argv) {
  redis_result out;
  if (ctx_ == nullptr) {
    if (auto why = connect()) {
      drop();
      out.failed = true;
      out.error = *why;
      return out;
    }
  }
  std::vector<const char*> args;
  std::vector<std::size_t> lens;
  for (auto a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  reply_ptr reply{static_cast<redisReply*>(
      redisCommandArgv(ctx_, static_cast<int>(args.size()), args.data(), lens.data()))};
  if (!reply) {
    out.failed = true;
    out.error = ctx_->err != 0 ? ctx_->errstr : "no reply";
    drop();  // a connection that failed mid-command cannot be reused
    return out;
  }
  switch (reply->type) {
    case REDIS_REPLY_STRING:
      out.value = std::string{reply->str, reply->len};
      break;
    case REDIS_REPLY_INTEGER:
      out.integer = reply->integer;
      break;
    case REDIS_REPLY_ERROR:
      out.failed = true;
      out.error = std::string{reply->str, reply->len};
      break;
    default:  // NIL (no such key), STATUS ("OK")
      break;
  }
  return out;
}

redis_result redis_client::get(std::string_view key) { return run({"GET", key}); }

redis_result redis_client::set(std::string_view key, std::string_view value,
                               std::chrono::milliseconds ttl) {
  return run({"SET", key, value, "PX", std::to_string(ttl.count())});
}

redis_result redis_client::del(std::string_view key) { return run({"DEL", key}); }

redis_result redis_client::incr(std::string_view key) { return run({"INCR", key}); }

}  // namespace billd
