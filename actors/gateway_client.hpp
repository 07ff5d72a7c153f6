#pragma once
// gateway-client: the one actor that talks to the payment gateway (ARCHITECTURE.md). It owns
// the gateway breaker, a bounded pool of keep-alive connections (gateway-conn actors), the
// attempts of each call (full jitter, Retry-After honoured) and the gateway-log rows.

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <functional>
#include <string>

#include "actors/actor_slot.hpp"
#include "actors/atoms.hpp"
#include "actors/db_pool.hpp"
#include "actors/gateway_conn.hpp"
#include "actors/http_transport.hpp"
#include "actors/messages.hpp"
#include "config/settings.hpp"

namespace billd {

using gateway_client_actor =
    caf::typed_actor<caf::replies_to<call_atom, gateway_call>::with<gateway_result>,
                     caf::replies_to<state_atom>::with<std::string, std::uint32_t>,
                     caf::reacts_to<run_atom, std::uint64_t>, caf::reacts_to<expire_atom>,
                     caf::replies_to<metrics_atom>::with<figures_ptr>>;

struct gateway_client_config {
  gateway_settings gateway;
  transport_factory make_transport;
  /// How connections are made; empty: detached gateway-conn actors over make_transport
  /// (tests give scripted connections here).
  std::function<gateway_conn_actor(caf::actor_system&)> spawn_conn;
  std::string sign_prefix;                 // the gateway URL's base path, part of what is signed
  std::function<std::int64_t()> unix_now;  // injected clock for signatures
  slot_ptr<db_pool_actor> db;
  std::chrono::milliseconds db_timeout{10'000};
};

gateway_client_actor spawn_gateway_client(caf::actor_system& sys, gateway_client_config cfg);

/// The longest a caller may wait for one call (every attempt, delay and queueing included).
std::chrono::milliseconds gateway_call_budget(const gateway_settings& g);

}  // namespace billd
