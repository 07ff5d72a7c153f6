#include "actors/webhook_sender.hpp"

#include <caf/all.hpp>

#include <map>

namespace billd {
namespace {

/// Connections kept per sender; beyond it the oldest-keyed are dropped (bounded memory).
constexpr std::size_t max_origins = 32;

struct webhook_sender_state {
  static inline const char* name = "webhook-sender";
  url_transport_factory make;
  std::map<std::string, std::unique_ptr<http_transport>> by_origin;
};

webhook_sender_actor::behavior_type webhook_sender_impl(
    webhook_sender_actor::stateful_pointer<webhook_sender_state> self, url_transport_factory make) {
  self->state.make = std::move(make);
  return {
      [self](exchange_atom, const webhook_post_ptr& post) -> exchange_answer {
        auto& st = self->state;
        std::string origin, path, error;
        auto fresh = st.make(post->url, origin, path, error);
        if (!fresh) {
          outbound_response r;
          r.error = wire_error::connect_failed;
          r.error_text = error;
          return std::make_shared<const outbound_response>(std::move(r));
        }
        auto it = st.by_origin.find(origin);
        if (it == st.by_origin.end()) {
          if (st.by_origin.size() >= max_origins) st.by_origin.clear();
          it = st.by_origin.emplace(origin, std::move(fresh)).first;
        }
        auto req = post->request;
        req.target = path;
        return std::make_shared<const outbound_response>(it->second->exchange(req, post->timeout));
      },
  };
}

}  // namespace

webhook_sender_actor spawn_webhook_sender(caf::actor_system& sys, url_transport_factory make) {
  return sys.spawn<caf::detached>(webhook_sender_impl, std::move(make));
}

}  // namespace billd
