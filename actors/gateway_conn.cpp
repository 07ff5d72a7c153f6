#include "actors/gateway_conn.hpp"

#include <caf/all.hpp>

namespace billd {
namespace {

struct gateway_conn_state {
  static inline const char* name = "gateway-conn";
  std::unique_ptr<http_transport> transport;
};

gateway_conn_actor::behavior_type gateway_conn_impl(
    gateway_conn_actor::stateful_pointer<gateway_conn_state> self, transport_factory make) {
  self->state.transport = make();
  return {
      [self](exchange_atom, const exchange_job& job) -> exchange_answer {
        return std::make_shared<const outbound_response>(
            self->state.transport->exchange(job->first, std::chrono::milliseconds{job->second}));
      },
  };
}

}  // namespace

gateway_conn_actor spawn_gateway_conn(caf::actor_system& sys, const transport_factory& make) {
  return sys.spawn<caf::detached>(gateway_conn_impl, make);
}

}  // namespace billd
