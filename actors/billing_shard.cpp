#include "actors/billing_shard.hpp"

#include <caf/all.hpp>

#include "actors/db_call.hpp"
#include "actors/idempotent_tx.hpp"
#include "actors/reply_mapping.hpp"
#include "domain/ids.hpp"
#include "domain/json_text.hpp"
#include "storage/bill_store.hpp"
#include "storage/pg_connection.hpp"

namespace billd {
namespace {

struct billing_shard_state {
  static inline const char* name = "billing-shard";
  std::uint32_t index = 0;
  slot_ptr<db_pool_actor> db;
  billing_shard_config cfg;
};

using self_ptr = billing_shard_actor::stateful_pointer<billing_shard_state>;

api_reply bill_reply(std::uint16_t status, const bill& b) {
  auto r = ok_reply(status, bill_json(b));
  r.etag = "W/\"" + std::to_string(b.version) + "\"";
  return r;
}

api_reply create_effect(pg_connection& conn, const create_bill_cmd& cmd,
                        const billing_shard_config& cfg) {
  auto created = insert_bill(conn, cmd.bill_id, cmd.draft, cmd.actor_id, cfg.timezone);
  if (!created) {
    auto r = make_reply(reply_kind::validation_failed, "must not be in the past");
    r.field = "due_date";
    return r;
  }
  auto r = bill_reply(201, *created);
  r.location = "/api/v1/bills/" + created->id;
  return r;
}

api_reply cancel_effect(pg_connection& conn, const cancel_bill_cmd& cmd) {
  auto current = lock_bill(conn, cmd.bill_id);
  if (!current) return make_reply(reply_kind::not_found, "no such bill");
  // State answers come in API.md's order: 409, then 412.
  auto decision = decide_cancel(current->status);
  if (decision == cancel_decision::conflict)
    return make_reply(reply_kind::conflict,
                      "a " + std::string{to_string(current->status)} + " bill cannot be cancelled");
  if (cmd.if_match_version && *cmd.if_match_version != current->version)
    return make_reply(reply_kind::precondition_failed,
                      "the bill's version is " + std::to_string(current->version));
  if (decision == cancel_decision::already_cancelled) return bill_reply(200, *current);
  auto updated = set_bill_status(conn, cmd.bill_id, current->version, bill_status::cancelled);
  if (!updated) return make_reply(reply_kind::conflict, "the bill changed concurrently");
  conn.exec(
      "UPDATE jobs SET status = 'cancelled', updated_at = now()"
      " WHERE bill_id = $1 AND kind = 'control_number' AND status = 'queued'",
      {cmd.bill_id});
  std::string change = "{\"status\":{\"before\":";
  append_json_string(change, to_string(current->status));
  change += ",\"after\":\"cancelled\"}}";
  record_audit(conn, "bill", cmd.bill_id, "cancel", cmd.actor_id, change);
  return bill_reply(200, *updated);
}

template <class Effect>
caf::typed_response_promise<api_reply> run_write(self_ptr self, std::string name,
                                                 std::string actor_id, idempotency_ref idem,
                                                 Effect effect) {
  auto rp = self->make_response_promise<api_reply>();
  auto ttl = self->state.cfg.idempotency_ttl;
  auto request_id = idem.request_id;
  db_call<api_reply>(
      self, self->state.db, std::move(name), /*write=*/true, self->state.cfg.db_timeout,
      [actor_id = std::move(actor_id), idem = std::move(idem), ttl, effect](pg_connection& c) {
        return run_idempotent(c, actor_id, idem, ttl, effect);
      },
      [rp](const db_outcome& outcome, std::optional<api_reply>&& reply) mutable {
        rp.deliver(reply ? std::move(*reply) : reply_for_failure(outcome, true));
      },
      std::move(request_id));
  return rp;
}

billing_shard_actor::behavior_type billing_shard_impl(self_ptr self, std::uint32_t index,
                                                      slot_ptr<db_pool_actor> db,
                                                      billing_shard_config cfg) {
  self->state.index = index;
  self->state.db = std::move(db);
  self->state.cfg = std::move(cfg);
  return {
      [self](create_atom, create_bill_cmd& cmd) -> caf::result<api_reply> {
        auto shard_cfg = self->state.cfg;
        auto actor_id = cmd.actor_id;
        auto idem = cmd.idem;
        return run_write(self, "bill_create", std::move(actor_id), std::move(idem),
                         [cmd = std::move(cmd), shard_cfg](pg_connection& c) {
                           return create_effect(c, cmd, shard_cfg);
                         });
      },
      [self](cancel_atom, cancel_bill_cmd& cmd) -> caf::result<api_reply> {
        auto actor_id = cmd.actor_id;
        auto idem = cmd.idem;
        return run_write(
            self, "bill_cancel", std::move(actor_id), std::move(idem),
            [cmd = std::move(cmd)](pg_connection& c) { return cancel_effect(c, cmd); });
      },
  };
}

}  // namespace

billing_shard_actor spawn_billing_shard(caf::actor_system& sys, std::uint32_t index,
                                        slot_ptr<db_pool_actor> db,
                                        const billing_shard_config& cfg) {
  return sys.spawn(billing_shard_impl, index, std::move(db), cfg);
}

std::uint32_t shard_of(const std::string& bill_id, std::uint32_t shards) {
  return static_cast<std::uint32_t>(stable_hash(bill_id) % shards);
}

}  // namespace billd
