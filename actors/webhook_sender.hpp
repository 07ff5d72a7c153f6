#pragma once
// webhook-sender: posts one signed event to a merchant's URL on its own thread (detached), so
// a slow receiver never blocks a scheduler worker. Keeps a keep-alive connection per origin.
// The jobs actor owns a bounded pool of them (webhooks.senders).

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <memory>

#include "actors/atoms.hpp"
#include "actors/gateway_conn.hpp"
#include "actors/http_transport.hpp"

namespace billd {

/// One POST: the absolute URL, the request (target filled in by the sender) and its timeout.
struct webhook_post {
  std::string url;
  outbound_request request;
  std::chrono::milliseconds timeout{10'000};
};
using webhook_post_ptr = std::shared_ptr<const webhook_post>;

using webhook_sender_actor =
    caf::typed_actor<caf::replies_to<exchange_atom, webhook_post_ptr>::with<exchange_answer>>;

webhook_sender_actor spawn_webhook_sender(caf::actor_system& sys, url_transport_factory make);

}  // namespace billd

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(billd::webhook_post_ptr)
