#include "actors/maintenance.hpp"

#include <caf/all.hpp>

#include <optional>

#include "actors/db_call.hpp"
#include "actors/seal_watermarks.hpp"
#include "log/module_log.hpp"
#include "storage/audit_store.hpp"
#include "storage/bill_store.hpp"
#include "storage/import_store.hpp"

namespace billd {
namespace {

struct maintenance_state {
  static inline const char* name = "maintenance";
  maintenance_config cfg;
  bool sealing = false;
  seal_watermarks marks;  // ids drawn by time: what may be sealed
  // Since when an open transaction has kept the seal from its bound (warned about once a
  // minute has passed).
  std::optional<seal_watermarks::clock::time_point> held_since;
  bool held_warned = false;
  bool expiring = false;
  bool discarding = false;
};

using self_ptr = maintenance_actor::stateful_pointer<maintenance_state>;

/// What one seal round did.
struct seal_round {
  std::int64_t sealed = 0;
  bool held_back = false;  // an open transaction kept it from its bound
  audit_draw_mark drawn;   // how far ids had been drawn after it
};

/// Warns once when an open transaction has held the seal back for a minute, and says when it
/// moves again: audit rows stay unsealed meanwhile.
void note_held_back(maintenance_state& st, bool held_back) {
  auto now = seal_watermarks::clock::now();
  if (!held_back) {
    if (st.held_warned) logger_of(log_module::jobs).info("audit_seal: no longer held back");
    st.held_since.reset();
    st.held_warned = false;
    return;
  }
  if (!st.held_since) st.held_since = now;
  if (!st.held_warned && now - *st.held_since >= std::chrono::minutes{1}) {
    st.held_warned = true;
    logger_of(log_module::jobs)
        .warn(
            "audit_seal: held back for a minute by a transaction left open (pg_stat_activity: "
            "the oldest xact_start); new audit rows stay unsealed until it ends");
  }
}

/// Runs one round of `body` unless the previous one still runs; logs what it did.
template <class Body>
void round(self_ptr self, bool& busy, const char* name, Body body,
           std::function<void()> after = nullptr) {
  if (busy || !self->state.cfg.schema_ready->load()) return;
  busy = true;
  db_call<std::int64_t>(
      self, self->state.cfg.db, name, true, self->state.cfg.round_timeout, std::move(body),
      [self, &busy, name, after](const db_outcome& o, std::optional<std::int64_t>&& done) {
        busy = false;
        if (after) after();
        if (!done)
          logger_of(log_module::jobs)
              .warn("{} did not run ({}); the next tick retries", name, o.message);
        else if (*done > 0)
          logger_of(log_module::jobs).info("{}: {} row(s)", name, *done);
      });
}

/// What a seal round that ran says: whether it was held back, and how far ids had been drawn.
void note_seal_round(maintenance_state& st, seal_round& done) {
  note_held_back(st, done.held_back);
  if (done.drawn.per_session)
    logger_of(log_module::jobs)
        .error(
            "audit_seal: audit_log_id_seq caches ids per session (CACHE > 1), so no id bound is "
            "safe; nothing is sealed until it is set back to 1");
  // Noted when the answer is here, after the read: never earlier than it was.
  st.marks.note(seal_watermarks::clock::now(), std::move(done.drawn));
  if (done.sealed > 0) logger_of(log_module::jobs).info("audit_seal: {} row(s)", done.sealed);
}

maintenance_actor::behavior_type maintenance_impl(self_ptr self, maintenance_config cfg) {
  self->state.cfg = std::move(cfg);
  self->send(self, seal_atom::value);
  self->send(self, expire_atom::value);
  return {
      [self](seal_atom) {
        auto& st = self->state;
        self->delayed_send(self, st.cfg.audit.seal_interval, seal_atom::value);
        if (st.sealing || !st.cfg.schema_ready->load()) return;
        auto bound = st.marks.sealable(seal_watermarks::clock::now(), st.cfg.audit.seal_after);
        st.sealing = true;
        // Seal what has settled, then note how far ids have been drawn now.
        db_call<seal_round>(
            self, st.cfg.db, "audit_seal", true, st.cfg.round_timeout,
            [bound, ids_max = st.cfg.audit.seal_ids_max](pg_connection& c) {
              seal_round r;
              if (bound) {
                r.sealed = seal_audit(c, *bound, ids_max);
                r.held_back = r.sealed == 0 && audit_seal_held_back(c, *bound);
              }
              r.drawn = audit_ids_drawn(c);
              return r;
            },
            // Not inlined: inlined into db_call's error path (where there is no round), it drew
            // GCC 12's false -Wmaybe-uninitialized, -Warray-bounds and -Wstringop-overflow
            // warnings about the round's string in every Release build.
            [self](const db_outcome& o, std::optional<seal_round>&& done)
                __attribute__((noinline)) {
                  self->state.sealing = false;
                  if (done) return note_seal_round(self->state, *done);
                  logger_of(log_module::jobs)
                      .warn("audit_seal did not run ({}); the next tick retries", o.message);
                });
      },
      [self](metrics_atom) {
        auto& st = self->state;
        auto f = std::make_shared<figure_set>();
        auto held =
            st.held_since
                ? std::chrono::duration<double>(seal_watermarks::clock::now() - *st.held_since)
                      .count()
                : 0.0;
        f->add("billd_audit_seal_held_back_seconds", "", held);
        add_mailbox_depth(*f, "maintenance", self->mailbox().size());
        return figures_ptr{f};
      },
      [self](expire_atom) {
        auto& st = self->state;
        self->delayed_send(self, st.cfg.maintenance.expiry_interval, expire_atom::value);
        auto batch = st.cfg.maintenance.expiry_batch;
        // Expired bills leave their cache shard once the round committed (or may have).
        auto expired = std::make_shared<std::vector<std::string>>();
        round(
            self, st.expiring, "bill_expiry",
            [batch, expired](pg_connection& c) {
              *expired = expire_due_bills(c, batch);
              return static_cast<std::int64_t>(expired->size());
            },
            [self, expired] {
              for (const auto& id : *expired) invalidate_bill(self->state.cfg.caches, id);
            });
        round(self, st.discarding, "stale_uploads",
              [age = 2 * st.cfg.import_timeout](pg_connection& c) {
                return discard_stale_uploads(c, age);
              });
      },
  };
}

}  // namespace

maintenance_actor spawn_maintenance(caf::actor_system& sys, maintenance_config cfg) {
  return sys.spawn(maintenance_impl, std::move(cfg));
}

}  // namespace billd
