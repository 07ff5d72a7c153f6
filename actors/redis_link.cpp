#include "actors/redis_link.hpp"

#include <caf/all.hpp>

#include <memory>

#include "storage/redis_client.hpp"

namespace billd {
namespace {

using clock = std::chrono::steady_clock;

/// The key whose INCR hands out epochs.
constexpr const char* epoch_key = "billd:cache:epoch";

struct redis_link_state {
  static inline const char* name = "redis-link";
  redis_link_config cfg;
  std::unique_ptr<redis_client> client;
  std::string epoch;  // empty: take a new one before the next command
};

using self_ptr = redis_link_actor::stateful_pointer<redis_link_state>;

/// Runs `command` on the key of bill `id` in the current epoch (taking one first if needed).
template <class Command>
redis_reply on_bill(self_ptr self, const std::string& id, Command command) {
  auto& st = self->state;
  auto start = clock::now();
  redis_reply out;
  auto finish = [&](const redis_result& r) {
    out.failed = r.failed;
    out.error = r.error;
    out.value = r.value;
    out.took = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - start);
    return out;
  };
  if (st.epoch.empty()) {
    auto r = st.client->incr(epoch_key);
    if (r.failed) return finish(r);
    st.epoch = std::to_string(r.integer);
  }
  return finish(command(*st.client, "billd:bill:" + st.epoch + ":" + id));
}

redis_link_actor::behavior_type redis_link_impl(self_ptr self, redis_link_config cfg) {
  self->state.cfg = std::move(cfg);
  self->state.client =
      std::make_unique<redis_client>(self->state.cfg.target, self->state.cfg.timeout);
  return {
      [self](redis_get_atom, const std::string& id) {
        return on_bill(self, id,
                       [](redis_client& c, const std::string& key) { return c.get(key); });
      },
      [self](redis_set_atom, const std::string& id, const std::string& value) {
        auto ttl = self->state.cfg.ttl;
        return on_bill(self, id, [&](redis_client& c, const std::string& key) {
          return c.set(key, value, ttl);
        });
      },
      [self](redis_del_atom, const std::string& id) {
        auto r =
            on_bill(self, id, [](redis_client& c, const std::string& key) { return c.del(key); });
        if (r.failed) self->state.epoch.clear();  // this invalidation may be lost
        return r;
      },
      [self](redis_lost_atom) { self->state.epoch.clear(); },
  };
}

}  // namespace

redis_link_actor spawn_redis_link(caf::actor_system& sys, const redis_link_config& cfg) {
  return sys.spawn<caf::detached>(redis_link_impl, cfg);
}

}  // namespace billd
