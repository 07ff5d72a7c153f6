#include "storage/gateway_answer_store.hpp"

#include <stdexcept>
#include <unordered_map>

#include "domain/json_text.hpp"
#include "storage/audit_store.hpp"
#include "storage/bill_store.hpp"
#include "storage/gateway_log_store.hpp"
#include "storage/job_store.hpp"
#include "storage/pg_connection.hpp"
#include "storage/webhook_store.hpp"

namespace billd {
namespace {

/// The change an answer makes to its bill (nullopt: none), and the answer's own outcome.
struct decision {
  answer_recorded outcome;
  std::optional<bill_gateway_update> update;
};

decision decide(const bill* current, const gateway_answer& a) {
  decision d;
  if (!current) {
    d.outcome.what = answer_recorded::kind::unknown_bill;
    return d;
  }
  bool pending = current->status == bill_status::pending;
  if (!a.failure.empty()) {
    // A refusal matters only while the bill still waits for its number.
    if (pending && !current->control_number)
      d.update = bill_gateway_update{current->id, current->version, std::nullopt,
                                     bill_status::failed, a.failure};
    return d;
  }
  if (current->control_number) {
    if (*current->control_number != a.control_number) {
      d.outcome.what = answer_recorded::kind::conflict;
      d.outcome.number_held = current->control_number;
    }
    return d;  // the same number again: a repeated answer or callback
  }
  d.update = bill_gateway_update{current->id, current->version, a.control_number,
                                 pending ? bill_status::issued : current->status, std::nullopt};
  return d;
}

/// The audit row, event and follow-up job of one bill the answer changed.
void follow_up(const bill& before, const bill& after, const gateway_answer& a,
               std::vector<audit_entry>& audits, std::vector<event_draft>& events,
               pg_pipeline& writes) {
  std::string status_before{to_string(before.status)}, status_after{to_string(after.status)};
  if (!a.failure.empty()) {
    audits.push_back({"bill", after.id, "fail", "gateway",
                      audit_changes({{"status", status_before, status_after},
                                     {"failure_reason", std::nullopt, a.failure}})});
    events.push_back({"bill.failed", after.id, bill_event_data(after)});
    return;
  }
  audits.push_back({"bill", after.id, "control_number", "gateway",
                    audit_changes({{"control_number", std::nullopt, a.control_number},
                                   {"status", status_before, status_after}})});
  if (before.status == bill_status::pending) {
    events.push_back({"bill.issued", after.id, bill_event_data(after)});
    return;
  }
  // Cancelled (or expired) while the gateway was working: the number must not stay payable.
  enqueue_job(writes, job_withdrawal, after.id,
              json_object{}.str("control_number", a.control_number).finish());
}

gateway_log_entry callback_log(const gateway_answer& a) {
  gateway_log_entry e;
  e.bill_id = a.bill_id;
  e.req_type = "callback";
  e.status = a.failure.empty() ? "issued" : "refused";
  e.http_status = 200;
  e.detail = a.failure.empty() ? a.control_number : a.failure;
  return e;
}

}  // namespace

std::vector<answer_recorded> record_gateway_answers(pg_connection& conn,
                                                    const std::vector<gateway_answer>& answers) {
  std::vector<std::string> ids;
  ids.reserve(answers.size());
  for (const auto& a : answers) ids.push_back(a.bill_id);
  std::unordered_map<std::string, bill> locked;
  for (auto& b : lock_bills(conn, std::move(ids))) {
    auto id = b.id;
    locked.emplace(std::move(id), std::move(b));
  }

  std::vector<answer_recorded> out;
  out.reserve(answers.size());
  std::vector<bill_gateway_update> updates;
  std::vector<std::size_t> updated;  // the answer of each update
  for (std::size_t i = 0; i < answers.size(); ++i) {
    auto it = locked.find(answers[i].bill_id);
    auto d = decide(it == locked.end() ? nullptr : &it->second, answers[i]);
    out.push_back(std::move(d.outcome));
    if (d.update) {
      updates.push_back(std::move(*d.update));
      updated.push_back(i);
    }
  }
  auto after = set_bills_from_gateway(conn, updates);

  std::vector<audit_entry> audits;
  std::vector<event_draft> events;
  std::vector<job_lease_ref> done;
  std::vector<gateway_log_entry> callbacks;
  pg_pipeline writes;
  for (std::size_t u = 0; u < updates.size(); ++u) {
    const auto& a = answers[updated[u]];
    // The bill is locked: its version cannot have moved since it was read.
    if (!after[u]) throw std::logic_error("bill " + a.bill_id + " changed under its lock");
    follow_up(locked.at(a.bill_id), *after[u], a, audits, events, writes);
  }
  for (std::size_t i = 0; i < answers.size(); ++i) {
    if (out[i].what != answer_recorded::kind::recorded) continue;
    const auto& a = answers[i];
    if (!a.job_id.empty()) {
      done.push_back({a.job_id, a.fence});
      continue;
    }
    finish_control_number_job(writes, a.bill_id);
    callbacks.push_back(callback_log(a));
  }
  // Nothing below reads a row back: the writes go in one round trip.
  record_audits(writes, audits);
  emit_events(writes, events);
  if (!done.empty()) finish_jobs(writes, done);
  insert_gateway_logs(writes, callbacks);
  if (!writes.empty()) conn.run(writes);
  return out;
}

}  // namespace billd
