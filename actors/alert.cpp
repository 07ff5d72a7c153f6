#include "actors/alert.hpp"

#include <spdlog/spdlog.h>
#include <caf/all.hpp>

#include <map>

#include "actors/db_call.hpp"
#include "log/module_log.hpp"
#include "storage/pg_connection.hpp"
#include "storage/threshold_store.hpp"

namespace billd {
namespace {

using actor_clock = caf::actor_clock::clock_type;

struct alert_state {
  static inline const char* name = "alert";
  alert_actor_config cfg;
  alert_thresholds thresholds;  // the last ones read (defaults until the store answers)
  std::map<std::string, actor_clock::time_point> fired_at;    // kind → last fired here
  std::map<std::string, actor_clock::time_point> open_since;  // breaker → first seen open
  bool periodic_running = false;
};

using self_ptr = alert_actor::stateful_pointer<alert_state>;

/// Open breakers from the snapshot, with how long each has been seen open by this actor.
std::map<std::string, std::chrono::seconds> open_breakers(self_ptr self,
                                                          const metrics_snapshot& s) {
  auto& st = self->state;
  auto now = self->clock().now();
  std::map<std::string, actor_clock::time_point> still_open;
  for (const auto& f : s.owned.values)
    if (f.family == "billd_breaker_state" && f.value >= 2) {
      auto it = st.open_since.find(f.labels);
      still_open[f.labels] = it == st.open_since.end() ? now : it->second;
    }
  st.open_since = std::move(still_open);
  std::map<std::string, std::chrono::seconds> out;
  for (const auto& [labels, since] : st.open_since) {
    // dependency="redis",shard="1" → redis shard=1: what an operator reads in the alert.
    std::string name;
    for (char c : labels.substr(labels.find('=') + 1))
      if (c != '"') name += c == ',' ? ' ' : c;
    out[name] = std::chrono::duration_cast<std::chrono::seconds>(now - since);
  }
  return out;
}

bool cooling_down(self_ptr self, const std::string& kind) {
  auto it = self->state.fired_at.find(kind);
  return it != self->state.fired_at.end() &&
         self->clock().now() - it->second < std::chrono::seconds{self->state.thresholds.cooldown_s};
}

/// Raises each event in turn (one transaction each), then calls done(result).
void raise_all(self_ptr self, std::vector<alert_event> events,
               std::shared_ptr<alert_check_result> result,
               std::function<void(alert_check_result)> done) {
  if (events.empty()) return done(std::move(*result));
  auto ev = std::move(events.back());
  events.pop_back();
  auto next = [self, events = std::move(events), result, done]() mutable {
    raise_all(self, std::move(events), result, std::move(done));
  };
  auto store = self->state.cfg.store->get();
  if (!store) {
    logger_of(log_module::ops).warn("alert {} not stored: the alert store is restarting", ev.kind);
    return next();
  }
  self->request(store, self->state.cfg.timeout, raise_atom::value, ev)
      .then(
          [self, ev, result, next](alert_raised& r) mutable {
            // Fired here or held by another node's alert within the cooldown: quiet either way.
            self->state.fired_at[ev.kind] = self->clock().now();
            if (r.fired) {
              logger_of(log_module::ops)
                  .log(ev.severity == "critical" ? spdlog::level::err : spdlog::level::warn,
                       "alert {} ({}): {}", ev.kind, ev.severity, ev.message);
              result->fired.push_back(std::move(r.json));
            }
            next();
          },
          [ev, next](caf::error& err) mutable {
            logger_of(log_module::ops)
                .warn("alert {} could not be stored: {}", ev.kind, caf::to_string(err));
            next();  // not remembered: the next check tries again
          });
}

/// One check: snapshot, thresholds, rules, raises.
void run_check(self_ptr self, std::function<void(alert_check_result)> done) {
  auto monitor = self->state.cfg.monitor->get();
  if (!monitor) return done(alert_check_result{false, "the monitor is restarting", {}});
  self->request(monitor, self->state.cfg.timeout, metrics_atom::value, alerts_atom::value)
      .then(
          [self, done](metrics_snapshot_ptr& snap) {
            auto evaluate = [self, done, snap] {
              auto& st = self->state;
              alert_inputs in{snap->last_5min, snap->active_sessions, snap->restarts_last_minute,
                              open_breakers(self, *snap)};
              std::vector<alert_event> due;
              for (auto& ev : evaluate_alerts(in, st.thresholds, st.cfg.limits))
                if (!cooling_down(self, ev.kind)) due.push_back(std::move(ev));
              auto result = std::make_shared<alert_check_result>();
              result->checked = true;
              raise_all(self, std::move(due), result, done);
            };
            // The thresholds may have changed on any node; the last known ones if unreadable.
            auto store = self->state.cfg.store->get();
            if (!store) return evaluate();
            self->request(store, self->state.cfg.timeout, load_atom::value)
                .then(
                    [self, evaluate](alert_thresholds& t) {
                      self->state.thresholds = t;
                      evaluate();
                    },
                    [evaluate](caf::error&) { evaluate(); });
          },
          [done](caf::error& err) {
            done(alert_check_result{
                false, "the monitor did not answer: " + caf::to_string(err), {}});
          });
}

alert_actor::behavior_type alert_impl(self_ptr self, alert_actor_config cfg) {
  self->state.cfg = std::move(cfg);
  self->delayed_send(self, self->state.cfg.interval, tick_atom::value);
  return {
      [self](check_atom) -> caf::result<alert_check_result> {
        auto rp = self->make_response_promise<alert_check_result>();
        run_check(self, [rp](alert_check_result r) mutable { rp.deliver(std::move(r)); });
        return rp;
      },
      [self](tick_atom) {
        self->delayed_send(self, self->state.cfg.interval, tick_atom::value);
        if (self->state.periodic_running) return;  // the last one is still waiting
        self->state.periodic_running = true;
        run_check(self, [self](alert_check_result r) {
          self->state.periodic_running = false;
          if (!r.checked)
            logger_of(log_module::ops).warn("periodic alert check skipped: {}", r.why);
        });
      },
  };
}

struct store_state {
  static inline const char* name = "alert-store";
};

alert_store_actor::behavior_type alert_store_impl(
    alert_store_actor::stateful_pointer<store_state> self, slot_ptr<db_pool_actor> db,
    alert_policy policy, std::chrono::milliseconds timeout) {
  return {
      [self, db, timeout](load_atom) -> caf::result<alert_thresholds> {
        auto rp = self->make_response_promise<alert_thresholds>();
        db_call<alert_thresholds>(
            self, db, "thresholds_load", false, timeout,
            [](pg_connection& c) { return load_thresholds(c); },
            [rp](const db_outcome& o, std::optional<alert_thresholds>&& t) mutable {
              if (t) {
                rp.deliver(*t);
              } else {
                rp.deliver(caf::make_error(caf::sec::request_timeout, o.message));
              }
            });
        return rp;
      },
      [self, db, policy, timeout](raise_atom, const alert_event& ev) -> caf::result<alert_raised> {
        auto rp = self->make_response_promise<alert_raised>();
        db_call<alert_raised>(
            self, db, "alert_raise", true, timeout,
            [ev, policy](pg_connection& c) {
              return in_transaction(c, [&] { return raise_alert(c, ev, policy); });
            },
            [rp](const db_outcome& o, std::optional<alert_raised>&& r) mutable {
              if (r) {
                rp.deliver(std::move(*r));
              } else {
                rp.deliver(caf::make_error(caf::sec::request_timeout, o.message));
              }
            });
        return rp;
      },
  };
}

}  // namespace

alert_actor spawn_alert(caf::actor_system& sys, const alert_actor_config& cfg) {
  return sys.spawn(alert_impl, cfg);
}

alert_store_actor spawn_alert_store(caf::actor_system& sys, slot_ptr<db_pool_actor> db,
                                    alert_policy policy, std::chrono::milliseconds timeout) {
  return sys.spawn(alert_store_impl, std::move(db), policy, timeout);
}

}  // namespace billd
