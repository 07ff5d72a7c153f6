#include "actors/supervisor.hpp"

#include <spdlog/spdlog.h>
#include <caf/all.hpp>

#include <memory>
#include <optional>

#include "actors/atoms.hpp"
#include "actors/restart_policy.hpp"
#include "log/module_log.hpp"

namespace billd {
namespace {

struct child_state {
  child_spec spec;
  caf::actor handle;
  bool running = false;
  bool stopping = false;  // stopped on purpose: its down_msg is not a failure
  std::uint64_t restarts = 0;
  std::unique_ptr<restart_backoff> backoff;
};

struct supervisor_state {
  static inline const char* name = "supervisor";
  supervisor_spec spec;
  std::vector<child_state> children;
  std::unique_ptr<restart_budget> budget;
  std::optional<caf::error> exit_reason;  // set once shutting down or escalating
  std::uint64_t generation = 0;           // invalidates restarts scheduled before a stop
};

using self_ptr = caf::stateful_actor<supervisor_state>*;

void start_child(self_ptr self, std::size_t index) {
  auto& c = self->state.children[index];
  if (c.running) return;
  c.handle = c.spec.start(self->system());
  c.running = true;
  c.stopping = false;
  self->monitor(c.handle);
}

/// Stops the last running child; the down handler calls it again until none runs.
void stop_next(self_ptr self) {
  auto& kids = self->state.children;
  for (auto it = kids.rbegin(); it != kids.rend(); ++it) {
    if (!it->running) continue;
    if (!it->stopping) {
      it->stopping = true;
      self->send_exit(it->handle, caf::exit_reason::user_shutdown);
    }
    return;
  }
  self->quit(*self->state.exit_reason);
}

void begin_stop(self_ptr self, caf::error reason) {
  if (self->state.exit_reason) return;
  self->state.exit_reason = std::move(reason);
  ++self->state.generation;
  stop_next(self);
}

void on_failure(self_ptr self, std::size_t index, const caf::error& reason) {
  auto& st = self->state;
  auto now = self->clock().now();
  auto& failed = st.children[index];
  logger_of(log_module::ops)
      .warn("{}: child {} died ({}), restarting", st.spec.name, failed.spec.name,
            caf::to_string(reason));
  if (!st.budget->admit(now)) {
    logger_of(log_module::ops)
        .error("{}: restart budget exhausted ({} restarts within {} ms), escalating", st.spec.name,
               st.spec.limits.max_restarts, st.spec.limits.period.count());
    begin_stop(self, restart_budget_exhausted(st.spec.name));
    return;
  }
  ++failed.restarts;
  if (st.spec.on_restart) st.spec.on_restart(failed.spec.name);
  auto delay = failed.backoff->on_failure(now);
  if (st.spec.strategy == restart_strategy::rest_for_one) {
    for (std::size_t j = st.children.size(); j-- > index + 1;) {
      auto& later = st.children[j];
      if (later.running && !later.stopping) {
        later.stopping = true;
        self->send_exit(later.handle, caf::exit_reason::user_shutdown);
      }
    }
  }
  self->delayed_send(self, delay, restart_atom::value, static_cast<std::uint64_t>(index),
                     st.generation);
}

void handle_down(self_ptr self, const caf::down_msg& msg) {
  auto& st = self->state;
  for (std::size_t i = 0; i < st.children.size(); ++i) {
    auto& c = st.children[i];
    if (!c.running || c.handle.address() != msg.source) continue;
    c.running = false;
    c.handle = nullptr;
    if (st.exit_reason) {
      stop_next(self);
    } else if (!c.stopping && msg.reason != caf::exit_reason::normal) {
      on_failure(self, i, msg.reason);
    }
    c.stopping = false;
    return;
  }
}

void restart_from(self_ptr self, std::size_t index) {
  auto& st = self->state;
  auto last = st.spec.strategy == restart_strategy::rest_for_one ? st.children.size() : index + 1;
  for (std::size_t i = index; i < last; ++i) {
    if (st.children[i].running) {
      // A later sibling is still shutting down: try again once it is gone, so the restarted
      // children come up in start order.
      self->delayed_send(self, std::chrono::milliseconds{10}, restart_atom::value,
                         static_cast<std::uint64_t>(index), st.generation);
      return;
    }
  }
  for (std::size_t i = index; i < last; ++i) start_child(self, i);
}

caf::behavior supervisor_impl(self_ptr self, supervisor_spec spec) {
  auto& st = self->state;
  st.budget = std::make_unique<restart_budget>(spec.limits);
  for (std::size_t i = 0; i < spec.children.size(); ++i) {
    child_state c;
    c.spec = spec.children[i];
    c.backoff = std::make_unique<restart_backoff>(spec.limits, spec.seed + i * 7919 + 1);
    st.children.push_back(std::move(c));
  }
  st.spec = std::move(spec);
  self->set_down_handler([self](caf::down_msg& msg) { handle_down(self, msg); });
  self->set_exit_handler([self](caf::exit_msg& msg) { begin_stop(self, msg.reason); });
  for (std::size_t i = 0; i < st.children.size(); ++i) start_child(self, i);
  if (st.spec.on_tick) {
    st.spec.on_tick();
    self->delayed_send(self, st.spec.tick_interval, tick_atom::value);
  }
  return {
      [self](restart_atom, std::uint64_t index, std::uint64_t generation) {
        if (self->state.exit_reason || generation != self->state.generation) return;
        restart_from(self, static_cast<std::size_t>(index));
      },
      [self](tick_atom) {
        if (self->state.exit_reason) return;
        self->state.spec.on_tick();
        self->delayed_send(self, self->state.spec.tick_interval, tick_atom::value);
      },
      [self](stats_atom) {
        std::vector<std::string> names;
        std::vector<std::uint64_t> restarts;
        for (const auto& c : self->state.children) {
          names.push_back(c.spec.name);
          restarts.push_back(c.restarts);
        }
        return caf::make_message(std::move(names), std::move(restarts));
      },
  };
}

}  // namespace

caf::actor spawn_supervisor(caf::actor_system& sys, supervisor_spec spec) {
  return sys.spawn(supervisor_impl, std::move(spec));
}

child_spec supervisor_child(supervisor_spec spec) {
  auto name = spec.name;
  return {name,
          [spec = std::move(spec)](caf::actor_system& sys) { return spawn_supervisor(sys, spec); }};
}

caf::error restart_budget_exhausted(const std::string& supervisor_name) {
  return caf::make_error(caf::sec::runtime_error, "restart budget exhausted in " + supervisor_name);
}

bool is_budget_exhausted(const caf::error& reason) { return reason == caf::sec::runtime_error; }

}  // namespace billd
