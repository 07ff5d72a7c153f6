#pragma once
// alert (under the ops supervisor, beside the monitor): every alerts.check_interval_s, and on
// POST /api/v1/alerts/check, takes a snapshot from the monitor, the thresholds from the alert
// store, and raises what alert_rules calls for. Each kind fires at most once per the
// thresholds' cooldown_s: remembered here (so a quiet check costs no write) and enforced in
// PostgreSQL by raise_alert (so it also holds across nodes). Fired alerts are logged, stored
// and, with alerts.notify_url, sent by a durable job.

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <string>
#include <vector>

#include "actors/actor_slot.hpp"
#include "actors/alert_rules.hpp"
#include "actors/atoms.hpp"
#include "actors/db_pool.hpp"
#include "actors/monitor.hpp"

namespace billd {

/// What one check did: the alerts that fired (their stored JSON), or why it could not look.
struct alert_check_result {
  bool checked = false;
  std::string why;                 // when not checked
  std::vector<std::string> fired;  // JSON objects as GET /api/v1/alerts shows them
};

}  // namespace billd

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(billd::alert_check_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(billd::alert_thresholds)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(billd::alert_event)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(billd::alert_raised)

namespace billd {

using check_atom = caf::atom_constant<caf::atom("check")>;
using load_atom = caf::atom_constant<caf::atom("load")>;
using raise_atom = caf::atom_constant<caf::atom("raise")>;

/// Where thresholds come from and alerts go: PostgreSQL in billd, a fake in unit tests.
using alert_store_actor =
    caf::typed_actor<caf::replies_to<load_atom>::with<alert_thresholds>,
                     caf::replies_to<raise_atom, alert_event>::with<alert_raised>>;

/// check → result; tick: the periodic check (self-scheduled).
using alert_actor = caf::typed_actor<caf::replies_to<check_atom>::with<alert_check_result>,
                                     caf::reacts_to<tick_atom>>;

struct alert_actor_config {
  std::chrono::milliseconds interval{30'000};  // between periodic checks
  std::chrono::milliseconds timeout{2'000};    // for the monitor and each store call
  actor_alert_limits limits;
  slot_ptr<monitor_actor> monitor;
  slot_ptr<alert_store_actor> store;
};

alert_actor spawn_alert(caf::actor_system& sys, const alert_actor_config& cfg);

/// The PostgreSQL-backed store: thresholds from their table, raises through raise_alert in a
/// transaction of their own (notified when `policy.notify`).
alert_store_actor spawn_alert_store(caf::actor_system& sys, slot_ptr<db_pool_actor> db,
                                    alert_policy policy, std::chrono::milliseconds timeout);

}  // namespace billd
