#include "actors/billing_shard.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <deque>
#include <unordered_set>

#include "actors/changed_bills.hpp"
#include "actors/db_call.hpp"
#include "actors/idempotent_tx.hpp"
#include "actors/reply_mapping.hpp"
#include "domain/ids.hpp"
#include "domain/json_text.hpp"
#include "log/module_log.hpp"
#include "storage/alert_store.hpp"
#include "storage/bill_store.hpp"
#include "storage/gateway_answer_store.hpp"
#include "storage/job_store.hpp"
#include "storage/payment_store.hpp"
#include "storage/pg_connection.hpp"
#include "storage/webhook_store.hpp"

namespace billd {
namespace {

/// A create without an Idempotency-Key, waiting to be written with others.
struct pending_create {
  create_bill_cmd cmd;
  caf::typed_response_promise<api_reply> rp;
};

/// A payment notification waiting to be recorded with others.
struct pending_payment {
  payment_cmd cmd;
  caf::typed_response_promise<api_reply> rp;
  bool alone = false;  // its batch failed for a reason of its rows: it goes in a batch of one
};

/// A gateway answer (a control number or a refusal) waiting to be recorded with others.
struct pending_answer {
  control_number_cmd cmd;
  caf::typed_response_promise<api_reply> rp;
  std::chrono::steady_clock::time_point deadline;  // its asker's budget (billing db timeout)
  bool alone = false;  // its batch failed for a reason of its rows: it goes in a batch of one
};

/// How a shard's batches of one kind went, for /metrics: mean batch size is members / batches.
struct batch_counts {
  std::uint64_t batches = 0;        // batches written, batches of one included
  std::uint64_t members = 0;        // creates or notifications carried by them
  std::uint64_t retried_alone = 0;  // members of batches that failed for a reason of their rows

  void add_figures(figure_set& f, const char* write) const {
    auto label = std::string{"write=\""} + write + "\"";
    f.add("billd_billing_batches_total", label, static_cast<double>(batches));
    f.add("billd_billing_batch_members_total", label, static_cast<double>(members));
    f.add("billd_billing_batch_retries_total", label, static_cast<double>(retried_alone));
  }
};

struct billing_shard_state {
  static inline const char* name = "billing-shard";
  std::uint32_t index = 0;
  slot_ptr<db_pool_actor> db;
  billing_shard_config cfg;
  // Creates arriving while a batch of creates is being written wait here and go together in
  // the next one (one statement for all). Bounded by the fronts' admission: each is an
  // admitted request waiting for its answer.
  std::vector<pending_create> creates;
  std::uint32_t create_batches_in_flight = 0;  // at most billing.create_batches_in_flight
  batch_counts create_counts;
  // Payment notifications wait here the same way, for billing.payment_batches_in_flight.
  std::deque<pending_payment> payments;
  // The batches being recorded (at most billing.payment_batches_in_flight): a waiting notification
  // sharing a transaction_ref or control number with one of them waits for it to end (it would only
  // wait on its locks otherwise).
  std::vector<std::shared_ptr<const std::vector<pending_payment>>> payment_batches;
  batch_counts payment_counts;
  // Gateway answers wait here the same way, for billing.answer_batches_in_flight.
  std::deque<pending_answer> answers;
  std::uint32_t answer_batches_in_flight = 0;
  batch_counts answer_counts;
};

using self_ptr = billing_shard_actor::stateful_pointer<billing_shard_state>;

api_reply bill_reply(std::uint16_t status, const bill& b) {
  auto r = ok_reply(status, bill_json(b));
  r.etag = "W/\"" + std::to_string(b.version) + "\"";
  return r;
}

/// The answer to a create: 201 with the bill, or 422 when its due date had passed.
api_reply create_reply(const std::optional<bill>& created) {
  if (!created) {
    auto r = make_reply(reply_kind::validation_failed, "must not be in the past");
    r.field = "due_date";
    return r;
  }
  auto r = bill_reply(201, *created);
  r.location = "/api/v1/bills/" + created->id;
  return r;
}

api_reply create_effect(pg_connection& conn, const create_bill_cmd& cmd,
                        const billing_shard_config& cfg) {
  return create_reply(insert_bill(conn, cmd.bill_id, cmd.draft, cmd.actor_id, cfg.timezone));
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
  // An issued number must stop being payable: withdraw it at the gateway, durably.
  if (current->control_number)
    enqueue_job(conn, job_withdrawal, cmd.bill_id,
                json_object{}.str("control_number", *current->control_number).finish());
  conn.exec(
      "UPDATE jobs SET status = 'cancelled', updated_at = now()"
      " WHERE bill_id = $1 AND kind = 'control_number' AND status = 'queued'",
      {cmd.bill_id});
  std::string change = "{\"status\":{\"before\":";
  append_json_string(change, to_string(current->status));
  change += ",\"after\":\"cancelled\"}}";
  record_audit(conn, "bill", cmd.bill_id, "cancel", cmd.actor_id, change);
  emit_event(conn, "bill.cancelled", cmd.bill_id, bill_event_data(*updated));
  return bill_reply(200, *updated);
}

gateway_answer answer_of(const control_number_cmd& cmd) {
  return {cmd.bill_id, cmd.control_number, cmd.failure, cmd.job_id, cmd.fence};
}

/// The answer to the one who brought the gateway's answer (its job, or the callback route).
api_reply answer_reply(const control_number_cmd& cmd, answer_recorded&& r) {
  switch (r.what) {
    case answer_recorded::kind::unknown_bill:
      return make_reply(reply_kind::not_found, "no such bill");
    case answer_recorded::kind::conflict:
      logger_of(log_module::billing)
          .error("[{}] gateway sent control number {} for {}, which already has {}", cmd.request_id,
                 cmd.control_number, cmd.bill_id, r.number_held.value_or("-"));
      return make_reply(reply_kind::conflict, "the bill already has another control number");
    case answer_recorded::kind::recorded:
      break;
  }
  return ok_reply(200, R"({"status":"recorded"})");
}

/// The alert of a payment that could not be applied: the money is in, a person must look.
alert_event unapplied_alert(const payment_cmd& cmd, const std::string& reason) {
  const auto& n = cmd.notice;
  return {"payment_unapplied", "warning",
          "payment " + n.transaction_ref + " for control number " + n.control_number +
              " was not applied: " + reason,
          json_object{}
              .str("payment_id", cmd.payment_id)
              .str("transaction_ref", n.transaction_ref)
              .str("control_number", n.control_number)
              .str("reason", reason)
              .finish()};
}

/// What recording one notification did, with the alert it raised if it was unapplied.
struct payment_result {
  payment_recorded rec;
  std::optional<alert_raised> alert;
};

/// Records the notifications in the caller's transaction (record_payments) and raises the alert
/// of each new unapplied one in it too: no unapplied payment goes unreported.
std::vector<payment_result> record_with_alerts(pg_connection& conn,
                                               const std::vector<const payment_cmd*>& cmds,
                                               const alert_policy& alerts) {
  std::vector<payment_input> inputs;
  inputs.reserve(cmds.size());
  for (const auto* cmd : cmds) inputs.push_back({cmd->notice, cmd->payment_id});
  auto recorded = record_payments(conn, inputs);
  std::vector<payment_result> out;
  out.reserve(cmds.size());
  for (std::size_t i = 0; i < cmds.size(); ++i) {
    auto& rec = recorded[i];
    std::optional<alert_raised> alert;
    if (rec.what == payment_recorded::kind::recorded && rec.outcome == "unapplied")
      alert = raise_alert(conn, unapplied_alert(*cmds[i], rec.reason.value_or("")), alerts);
    out.push_back({std::move(rec), std::move(alert)});
  }
  return out;
}

/// The answer to a notification (its alert logged once the transaction has committed).
api_reply payment_reply(const payment_cmd& cmd, payment_result&& result) {
  if (result.alert)
    logger_of(log_module::billing)
        .warn("[{}] payment {} for control number {} not applied; alert {} {}", cmd.request_id,
              cmd.notice.transaction_ref, cmd.notice.control_number, result.alert->id,
              result.alert->fired ? "raised" : "repeated within its cooldown");
  auto& rec = result.rec;
  if (rec.what == payment_recorded::kind::conflict)
    return make_reply(reply_kind::conflict,
                      "transaction_ref was already used with different fields");
  auto r = ok_reply(200, std::move(rec.body));
  r.replayed = rec.what == payment_recorded::kind::replayed;
  return r;
}

/// The bills a command names up front leave the cache when its write is answered.
changed_bills_ptr changing(self_ptr self, std::vector<std::string> known = {}) {
  return std::make_shared<changed_bills>(self->state.cfg.caches, std::move(known));
}

/// A write without an Idempotency-Key: the effect carries its own transaction and identity.
/// The changed bill leaves the cache before the write is answered (also when the outcome is
/// unknown: it may have committed), so no read after the answer can see the old bill.
/// Every billing write may share a group-commit transaction; `lock_key` names what it locks
/// first (empty: nothing another write could hold).
/// The answer goes to `rp` (by default, the current request's).
template <class Effect>
caf::typed_response_promise<api_reply> run_plain_write(
    self_ptr self, std::string name, std::string request_id, std::string lock_key, Effect effect,
    changed_bills_ptr changed = nullptr,
    std::optional<caf::typed_response_promise<api_reply>> to = {}) {
  auto rp = to ? *to : self->make_response_promise<api_reply>();
  db_call<api_reply>(
      self, self->state.db, std::move(name), /*write=*/true, self->state.cfg.db_timeout,
      std::move(effect),
      [self, rp, changed](const db_outcome& outcome, std::optional<api_reply>&& reply) mutable {
        if (changed) changed->invalidate();
        rp.deliver(reply ? std::move(*reply) : reply_for_failure(outcome, true));
      },
      std::move(request_id), db_queueing::grouped_write(std::move(lock_key)));
  return rp;
}

/// A write under an Idempotency-Key: the effect runs inside the idempotent transaction.
/// Its lock key is the Idempotency-Key (claimed first), else `lock_key`.
template <class Effect>
caf::typed_response_promise<api_reply> run_write(
    self_ptr self, std::string name, std::string actor_id, idempotency_ref idem,
    std::string lock_key, Effect effect, changed_bills_ptr changed = nullptr,
    std::optional<caf::typed_response_promise<api_reply>> to = {}) {
  auto request_id = idem.request_id;
  if (!idem.key.empty()) lock_key = "key:" + actor_id + ":" + idem.key;
  return run_plain_write(
      self, std::move(name), std::move(request_id), std::move(lock_key),
      [actor_id = std::move(actor_id), idem = std::move(idem),
       ttl = self->state.cfg.idempotency_ttl,
       effect](pg_connection& c) { return run_idempotent(c, actor_id, idem, ttl, effect); },
      std::move(changed), std::move(to));
}

/// Answers every member of a finished batch: each with its own result when the batch
/// committed; when it failed for a reason of its rows (not of the database), each is retried
/// alone so a bad one fails by itself; otherwise each with the failure.
template <class Pending, class Result, class Reply, class RetryAlone>
void answer_batch(std::vector<Pending>& batch, const db_outcome& outcome,
                  std::optional<std::vector<Result>>& results, Reply reply,
                  RetryAlone retry_alone) {
  if (results) {
    for (std::size_t i = 0; i < batch.size(); ++i)
      batch[i].rp.deliver(reply(batch[i].cmd, std::move((*results)[i])));
  } else if (batch.size() > 1 && outcome.code == db_outcome_code::failed &&
             !is_dependency_failure(outcome.error)) {
    for (auto& p : batch) retry_alone(std::move(p.cmd), p.rp);
  } else {
    for (auto& p : batch) p.rp.deliver(reply_for_failure(outcome, true));
  }
}

/// A create under an Idempotency-Key, or one retried alone: its own idempotent transaction.
caf::typed_response_promise<api_reply> run_create(
    self_ptr self, create_bill_cmd cmd,
    std::optional<caf::typed_response_promise<api_reply>> to = {}) {
  auto shard_cfg = self->state.cfg;
  auto actor_id = cmd.actor_id;
  auto idem = cmd.idem;
  // A new bill id: nothing to lock but its Idempotency-Key, if any.
  return run_write(
      self, "bill_create", std::move(actor_id), std::move(idem), {},
      [cmd = std::move(cmd), shard_cfg](pg_connection& c) {
        return create_effect(c, cmd, shard_cfg);
      },
      nullptr, std::move(to));
}

/// Writes the waiting creates (at most billing.create_batch_max) in one statement and answers
/// each. If the statement fails for a reason of its rows (not of the database), every create
/// is retried alone, so a bad one fails by itself.
void write_create_batch(self_ptr self) {
  auto& st = self->state;
  if (st.create_batches_in_flight >= st.cfg.create_batches_in_flight || st.creates.empty()) return;
  auto take = std::min<std::size_t>(st.creates.size(), st.cfg.create_batch_max);
  auto batch = std::make_shared<std::vector<pending_create>>(
      std::make_move_iterator(st.creates.begin()),
      std::make_move_iterator(st.creates.begin() + static_cast<std::ptrdiff_t>(take)));
  st.creates.erase(st.creates.begin(), st.creates.begin() + static_cast<std::ptrdiff_t>(take));
  ++st.create_batches_in_flight;
  ++st.create_counts.batches;
  st.create_counts.members += batch->size();
  std::vector<new_bill> rows;
  rows.reserve(batch->size());
  for (const auto& p : *batch) rows.push_back({p.cmd.bill_id, p.cmd.draft, p.cmd.actor_id});
  auto request_id = batch->front().cmd.idem.request_id;
  db_call<std::vector<std::optional<bill>>>(
      self, st.db, "bill_create_batch", /*write=*/true, st.cfg.db_timeout,
      // One statement is a transaction of its own: it commits before its answer comes back,
      // so no BEGIN and COMMIT (a round trip) around it. In a db-pool group-commit batch it
      // runs under its member's savepoint like any other body.
      [rows = std::move(rows), tz = st.cfg.timezone](pg_connection& c) {
        return insert_bills(c, rows, tz);
      },
      [self, batch](const db_outcome& outcome,
                    std::optional<std::vector<std::optional<bill>>>&& created) {
        --self->state.create_batches_in_flight;
        answer_batch(
            *batch, outcome, created,
            [](const create_bill_cmd&, std::optional<bill>&& b) { return create_reply(b); },
            [self](create_bill_cmd&& cmd, caf::typed_response_promise<api_reply>& rp) {
              ++self->state.create_counts.retried_alone;
              run_create(self, std::move(cmd), rp);
            });
        write_create_batch(self);
      },
      std::move(request_id), db_queueing::grouped_write({}));
}

/// A notification recorded in its own transaction, as every one is with
/// billing.payment_batch_max=1 (a failed batch's notifications go back to the queue instead).
caf::typed_response_promise<api_reply> run_payment(
    self_ptr self, payment_cmd cmd, std::optional<caf::typed_response_promise<api_reply>> to = {}) {
  auto request_id = cmd.request_id;
  auto changed = changing(self);
  // It locks its transaction_ref (contended only by a duplicate), then the bill of its control
  // number: batches ordered by control number lock bills in one order.
  auto lock_key = "bill-cn:" + cmd.notice.control_number;
  return run_plain_write(
      self, "payment_record", std::move(request_id), std::move(lock_key),
      [cmd = std::move(cmd), alerts = self->state.cfg.alerts, changed](pg_connection& c) {
        auto result = in_transaction(c, [&] {
          changed->restart();
          auto results = record_with_alerts(c, {&cmd}, alerts);
          if (const auto& id = results.front().rec.bill_id) changed->note(*id);
          return std::move(results.front());
        });
        return payment_reply(cmd, std::move(result));
      },
      changed, std::move(to));
}

/// Takes the next batch of waiting notifications: in arrival order, at most
/// billing.payment_batch_max, none sharing a transaction_ref or control number with one before
/// it or with one being recorded (those wait for a later batch, so each bill takes its payments
/// in arrival order and batches recorded side by side never wait on each other's locks).
/// Notifications of a failed batch wait at the front, and go one per batch. Empty when every
/// waiting notification waits for a batch being recorded.
std::vector<pending_payment> take_payment_batch(billing_shard_state& st) {
  std::vector<const payment_notice*> notices;
  for (const auto& running : st.payment_batches)
    for (const auto& p : *running) notices.push_back(&p.cmd.notice);
  auto busy = notices.size();
  for (const auto& p : st.payments) notices.push_back(&p.cmd.notice);
  auto first = first_round(notices);
  std::vector<pending_payment> batch;
  if (st.payments.front().alone) {
    if (first[busy]) {
      batch.push_back(std::move(st.payments.front()));
      st.payments.pop_front();
    }
    return batch;
  }
  std::deque<pending_payment> rest;
  for (std::size_t i = 0; i < st.payments.size(); ++i) {
    if (first[busy + i] && batch.size() < st.cfg.payment_batch_max)
      batch.push_back(std::move(st.payments[i]));
    else
      rest.push_back(std::move(st.payments[i]));
  }
  st.payments = std::move(rest);
  return batch;
}

/// Records the next batch of waiting notifications in one transaction and answers each. If it
/// fails for a reason of its rows (not of the database), its notifications go back to the front
/// of the queue to be recorded one per batch, so a bad one fails by itself and none is
/// overtaken by a later notification of its bill.
void write_payment_batch(self_ptr self) {
  auto& st = self->state;
  if (st.payment_batches.size() >= st.cfg.payment_batches_in_flight || st.payments.empty()) return;
  auto taken = take_payment_batch(st);
  if (taken.empty()) return;
  auto batch = std::make_shared<std::vector<pending_payment>>(std::move(taken));
  st.payment_batches.push_back(batch);
  ++st.payment_counts.batches;
  st.payment_counts.members += batch->size();
  // The bills the batch changed leave the cache whatever the outcome (a batch whose answer
  // was lost may have committed).
  auto changed = changing(self);
  std::vector<payment_cmd> cmds;
  cmds.reserve(batch->size());
  for (const auto& p : *batch) cmds.push_back(p.cmd);
  auto request_id = batch->front().cmd.request_id;
  db_call<std::vector<payment_result>>(
      self, st.db, "payment_record_batch", /*write=*/true, st.cfg.db_timeout,
      [cmds = std::move(cmds), alerts = st.cfg.alerts, changed](pg_connection& c) {
        std::vector<const payment_cmd*> ptrs;
        for (const auto& cmd : cmds) ptrs.push_back(&cmd);
        return in_transaction(c, [&] {
          changed->restart();
          auto results = record_with_alerts(c, ptrs, alerts);
          for (const auto& r : results)
            if (r.rec.bill_id) changed->note(*r.rec.bill_id);
          return results;
        });
      },
      [self, batch, changed](const db_outcome& outcome,
                             std::optional<std::vector<payment_result>>&& results) {
        std::erase(self->state.payment_batches, batch);
        changed->invalidate();
        std::vector<pending_payment> again;
        answer_batch(*batch, outcome, results, payment_reply,
                     [&again](payment_cmd&& cmd, caf::typed_response_promise<api_reply>& rp) {
                       again.push_back(pending_payment{std::move(cmd), rp, true});
                     });
        self->state.payment_counts.retried_alone += again.size();
        auto& queue = self->state.payments;
        queue.insert(queue.begin(), std::make_move_iterator(again.begin()),
                     std::make_move_iterator(again.end()));
        write_payment_batch(self);
      },
      std::move(request_id), db_queueing::grouped_write({}));
  // Another may go too: a failed batch's notifications go back one per batch.
  write_payment_batch(self);
}

/// A gateway answer recorded in its own transaction (with billing.answer_batch_max=1).
caf::typed_response_promise<api_reply> run_answer(
    self_ptr self, control_number_cmd cmd,
    std::optional<caf::typed_response_promise<api_reply>> to = {}) {
  auto request_id = cmd.request_id;
  auto changed = changing(self, {cmd.bill_id});
  auto lock_key = "bill:" + cmd.bill_id;
  return run_plain_write(
      self, "bill_control_number", std::move(request_id), std::move(lock_key),
      [cmd = std::move(cmd)](pg_connection& c) {
        auto recorded = in_transaction(
            c, [&] { return std::move(record_gateway_answers(c, {answer_of(cmd)}).front()); });
        return answer_reply(cmd, std::move(recorded));
      },
      std::move(changed), std::move(to));
}

/// Answers, with a deadline failure, the waiting answers whose asker's budget has passed: the
/// asker has given up on them (and retries its job), so they are not written.
void drop_expired_answers(billing_shard_state& st) {
  auto now = std::chrono::steady_clock::now();
  std::deque<pending_answer> live;
  for (auto& p : st.answers) {
    if (p.deadline > now) {
      live.push_back(std::move(p));
      continue;
    }
    db_outcome late;
    late.code = db_outcome_code::deadline_passed;
    late.message = "waited past its deadline for an answer batch";
    p.rp.deliver(reply_for_failure(late, true));
  }
  st.answers = std::move(live);
}

/// Takes the next batch of waiting answers: in arrival order, at most
/// billing.answer_batch_max, one per bill (a later answer for a bill waits for the next
/// batch, so each bill takes its answers in arrival order). Answers of a failed batch wait at
/// the front and go one per batch.
std::vector<pending_answer> take_answer_batch(billing_shard_state& st) {
  std::vector<pending_answer> batch;
  if (st.answers.front().alone) {
    batch.push_back(std::move(st.answers.front()));
    st.answers.pop_front();
    return batch;
  }
  std::deque<pending_answer> rest;
  std::unordered_set<std::string> bills;
  for (auto& p : st.answers) {
    // The bill is taken even by one that waits: what follows it for that bill waits too.
    bool first = bills.insert(p.cmd.bill_id).second;
    if (first && batch.size() < st.cfg.answer_batch_max)
      batch.push_back(std::move(p));
    else
      rest.push_back(std::move(p));
  }
  st.answers = std::move(rest);
  return batch;
}

/// Records the next batch of waiting gateway answers in one transaction and answers each. If
/// it fails for a reason of its rows (not of the database), its answers go back to the front
/// of the queue to be recorded one per batch, so a bad one fails by itself and none is
/// overtaken by a later answer for its bill. A batch is a transaction of its own, not a
/// group-commit member: it locks many bills, in id order, and a group runs its members in the
/// order of one key each.
void write_answer_batch(self_ptr self) {
  auto& st = self->state;
  if (st.answer_batches_in_flight >= st.cfg.answer_batches_in_flight) return;
  drop_expired_answers(st);
  if (st.answers.empty()) return;
  auto batch = std::make_shared<std::vector<pending_answer>>(take_answer_batch(st));
  ++st.answer_batches_in_flight;
  ++st.answer_counts.batches;
  st.answer_counts.members += batch->size();
  std::vector<gateway_answer> answers;
  std::vector<std::string> ids;
  answers.reserve(batch->size());
  auto deadline = batch->front().deadline;
  for (const auto& p : *batch) {
    answers.push_back(answer_of(p.cmd));
    ids.push_back(p.cmd.bill_id);
    deadline = std::min(deadline, p.deadline);
  }
  auto changed = changing(self, std::move(ids));
  auto request_id = batch->front().cmd.request_id;
  auto budget = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  db_call<std::vector<answer_recorded>>(
      self, st.db, "bill_control_number_batch", /*write=*/true,
      std::max(budget, std::chrono::milliseconds{1}),
      [answers = std::move(answers)](pg_connection& c) {
        return in_transaction(c, [&] { return record_gateway_answers(c, answers); });
      },
      [self, batch, changed](const db_outcome& outcome,
                             std::optional<std::vector<answer_recorded>>&& results) {
        --self->state.answer_batches_in_flight;
        changed->invalidate();
        std::vector<pending_answer> again;
        std::size_t next = 0;  // answer_batch retries every member, in batch order
        answer_batch(*batch, outcome, results, answer_reply,
                     [&again, &next, &batch](control_number_cmd&& cmd,
                                             caf::typed_response_promise<api_reply>& rp) {
                       auto due = (*batch)[next++].deadline;
                       again.push_back(pending_answer{std::move(cmd), rp, due, true});
                     });
        self->state.answer_counts.retried_alone += again.size();
        auto& queue = self->state.answers;
        queue.insert(queue.begin(), std::make_move_iterator(again.begin()),
                     std::make_move_iterator(again.end()));
        write_answer_batch(self);
      },
      std::move(request_id));
}

billing_shard_actor::behavior_type billing_shard_impl(self_ptr self, std::uint32_t index,
                                                      slot_ptr<db_pool_actor> db,
                                                      billing_shard_config cfg) {
  self->state.index = index;
  self->state.db = std::move(db);
  self->state.cfg = std::move(cfg);
  return {
      [self](metrics_atom) {
        auto f = std::make_shared<figure_set>();
        add_mailbox_depth(*f, "billing-shard", self->mailbox().size());
        self->state.create_counts.add_figures(*f, "create");
        self->state.payment_counts.add_figures(*f, "payment");
        self->state.answer_counts.add_figures(*f, "gateway_answer");
        return figures_ptr{f};
      },
      [self](create_atom, create_bill_cmd& cmd) -> caf::result<api_reply> {
        if (!cmd.idem.key.empty() || self->state.cfg.create_batch_max <= 1)
          return run_create(self, std::move(cmd));
        auto rp = self->make_response_promise<api_reply>();
        self->state.creates.push_back(pending_create{std::move(cmd), rp});
        write_create_batch(self);
        return rp;
      },
      [self](cancel_atom, cancel_bill_cmd& cmd) -> caf::result<api_reply> {
        auto actor_id = cmd.actor_id;
        auto idem = cmd.idem;
        auto changed = changing(self, {cmd.bill_id});
        auto lock_key = "bill:" + cmd.bill_id;
        return run_write(
            self, "bill_cancel", std::move(actor_id), std::move(idem), std::move(lock_key),
            [cmd = std::move(cmd)](pg_connection& c) { return cancel_effect(c, cmd); },
            std::move(changed));
      },
      [self](issue_atom, control_number_cmd& cmd) -> caf::result<api_reply> {
        if (self->state.cfg.answer_batch_max <= 1) return run_answer(self, std::move(cmd));
        auto rp = self->make_response_promise<api_reply>();
        auto deadline = std::chrono::steady_clock::now() + self->state.cfg.db_timeout;
        self->state.answers.push_back(pending_answer{std::move(cmd), rp, deadline});
        write_answer_batch(self);
        return rp;
      },
      [self](pay_atom, payment_cmd& cmd) -> caf::result<api_reply> {
        if (self->state.cfg.payment_batch_max <= 1) return run_payment(self, std::move(cmd));
        auto rp = self->make_response_promise<api_reply>();
        self->state.payments.push_back(pending_payment{std::move(cmd), rp});
        write_payment_batch(self);
        return rp;
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
