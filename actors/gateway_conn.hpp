#pragma once
// gateway-conn: one keep-alive connection to the gateway, on its own thread (detached), so a
// slow or hanging gateway never blocks a CAF scheduler worker. Owned by gateway-client.

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <memory>

#include "actors/atoms.hpp"
#include "actors/http_transport.hpp"

namespace billd {

/// A request and its timeout in milliseconds, for one exchange on the connection.
using exchange_job = std::shared_ptr<const std::pair<outbound_request, std::int64_t>>;
using exchange_answer = std::shared_ptr<const outbound_response>;

using gateway_conn_actor =
    caf::typed_actor<caf::replies_to<exchange_atom, exchange_job>::with<exchange_answer>>;

/// Spawns a detached connection actor owning a transport made by `make`.
gateway_conn_actor spawn_gateway_conn(caf::actor_system& sys, const transport_factory& make);

}  // namespace billd

// Local only: the gateway client and its connections live on one node.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(billd::exchange_job)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(billd::exchange_answer)
