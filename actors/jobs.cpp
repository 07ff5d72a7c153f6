#include "actors/jobs.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <caf/all.hpp>

#include <deque>
#include <random>
#include <set>

#include "actors/ask_within.hpp"
#include "actors/backoff.hpp"
#include "actors/db_call.hpp"
#include "domain/crypto.hpp"
#include "domain/json_text.hpp"
#include "domain/money.hpp"
#include "domain/signature.hpp"
#include "domain/url.hpp"
#include "log/module_log.hpp"
#include "storage/alert_store.hpp"
#include "storage/bill_store.hpp"
#include "storage/import_store.hpp"
#include "storage/job_store.hpp"
#include "storage/pg_connection.hpp"
#include "storage/webhook_store.hpp"

namespace billd {
namespace {

using std::chrono::milliseconds;

/// A leased job and, for control-number jobs, its bill as of the lease.
struct job_work {
  leased_job job;
  std::optional<bill> bill_now;
};

struct jobs_state {
  static inline const char* name = "jobs";
  jobs_config cfg;
  std::uint32_t running = 0;
  bool leasing = false;
  bool leasing_deliveries = false;
  // Wake-ups coalesce: at most one lease round per jobs.wake_interval, the rest deferred.
  std::chrono::steady_clock::time_point last_wake_round;
  bool wake_deferred = false;
  std::vector<webhook_sender_actor> idle_senders;
  std::set<std::string> busy_webhooks;
  // Leased alert notifications waiting for a sender (counted in `running`, so bounded by
  // jobs.max_running); they go before webhook deliveries.
  std::deque<leased_job> alerts_to_send;
  std::minstd_rand rng{std::random_device{}()};
  call_deadlines calls;  // this actor's requests to shards, the gateway client and senders
};

using self_ptr = jobs_actor::stateful_pointer<jobs_state>;

void lease(self_ptr self);
void lease_deliveries_round(self_ptr self);

void settle(self_ptr self, const leased_job& job, std::string what,
            std::function<bool(pg_connection&)> body) {
  db_call<bool>(self, self->state.cfg.db, std::move(what), true, self->state.cfg.db_timeout,
                std::move(body),
                [self, id = job.id](const db_outcome& o, std::optional<bool>&& ok) {
                  // A lost settle is safe: the lease expires and the job runs again.
                  if (!ok)
                    logger_of(log_module::jobs)
                        .warn("job {} not settled ({}); it will run again", id, o.message);
                  --self->state.running;
                });
}

void finish(self_ptr self, const leased_job& job, std::string status = "done") {
  settle(self, job, "job_finish",
         [job, status](pg_connection& c) { return finish_job(c, job.id, job.fence, status); });
}

alert_policy policy_of(const alert_settings& s) { return {s.cooldown, s.notify()}; }

/// A settle body that marks work dead with `mark` and, in the same transaction (only if the
/// lease still held), raises `alert`.
std::function<bool(pg_connection&)> dead_and_alerted(std::function<bool(pg_connection&)> mark,
                                                     std::optional<alert_event> alert,
                                                     alert_policy policy) {
  return [mark = std::move(mark), alert = std::move(alert), policy](pg_connection& c) {
    return in_transaction(c, [&] {
      if (!mark(c)) return false;
      if (alert) raise_alert(c, *alert, policy);
      return true;
    });
  };
}

/// Marks a job dead and raises the alert that says so (a dead alert notification only logs:
/// alerting about alerting could not end).
void bury(self_ptr self, const leased_job& job, const std::string& why) {
  logger_of(log_module::jobs)
      .error("job {} ({} of {}) is dead after {} attempts: {}", job.id, job.kind, job.bill_id,
             job.attempt, why);
  std::optional<alert_event> alert;
  if (job.kind != job_alert_notify)
    alert =
        alert_event{"job_dead", "critical", "job " + job.id + " (" + job.kind + ") is dead: " + why,
                    json_object{}
                        .str("job_id", job.id)
                        .str("job_kind", job.kind)
                        .str("bill_id", job.bill_id)
                        .num("attempts", job.attempt)
                        .str("last_error", why)
                        .finish()};
  settle(
      self, job, "job_bury",
      dead_and_alerted([job](pg_connection& c) { return finish_job(c, job.id, job.fence, "dead"); },
                       std::move(alert), policy_of(self->state.cfg.alerts)));
}

/// When a failed attempt of work `age_s` old runs again (at least `at_least` from now), or
/// nullopt when that would pass jobs.give_up_after: then the work is dead. Jobs and webhook
/// deliveries share this schedule.
std::optional<milliseconds> next_attempt_in(self_ptr self, std::int32_t attempt, std::int64_t age_s,
                                            milliseconds at_least) {
  auto& st = self->state;
  auto delay = std::max(job_retry_delay(st.cfg.jobs.backoff_min, st.cfg.jobs.backoff_max,
                                        static_cast<std::uint32_t>(attempt), st.rng),
                        at_least);
  auto age = std::chrono::seconds{age_s} + std::chrono::duration_cast<std::chrono::seconds>(delay);
  if (age > st.cfg.jobs.give_up_after) return std::nullopt;
  return delay;
}

void retry_later(self_ptr self, const leased_job& job, milliseconds at_least,
                 const std::string& why) {
  auto next = next_attempt_in(self, job.attempt, job.age_s, at_least);
  if (!next) return bury(self, job, why);
  auto delay = *next;
  logger_of(log_module::jobs)
      .info("job {} ({} of {}) retries in {} ms: {}", job.id, job.kind, job.bill_id, delay.count(),
            why);
  settle(self, job, "job_reschedule", [job, delay, why](pg_connection& c) {
    return reschedule_job(c, job.id, job.fence, delay, why);
  });
}

void to_shard(self_ptr self, const leased_job& job, control_number_cmd cmd) {
  auto& shards = self->state.cfg.shards;
  auto shard = shards[shard_of(job.bill_id, static_cast<std::uint32_t>(shards.size()))]->get();
  if (!shard) return retry_later(self, job, milliseconds{0}, "billing shard restarting");
  // The shard answers within db_timeout from now (a waiting answer past it is dropped and
  // answered as late); the margin covers its mailbox and the pool's cancel of a late write,
  // so the job is not given up while its answer may still commit.
  ask_within<api_reply>(
      self, shard, self->state.cfg.db_timeout + std::chrono::seconds{2},
      [self, job](const api_reply& r) {
        if (r.kind == reply_kind::ok) {
          --self->state.running;  // the shard ended the job in its own transaction
          return;
        }
        if (r.kind == reply_kind::not_found || r.kind == reply_kind::conflict)
          return bury(self, job, "the gateway's answer cannot be recorded: " + r.detail);
        retry_later(self, job, milliseconds{0}, r.detail);
      },
      [self, job](const caf::error& err) {
        retry_later(self, job, milliseconds{0}, caf::to_string(err));
      },
      issue_atom::value, std::move(cmd));
}

std::string control_number_body(const bill& b, const std::string& callback_url) {
  return json_object{}
      .str("bill_id", b.id)
      .str("amount", format_amount(b.amount, b.currency_exponent))
      .str("currency", b.currency)
      .raw("payer", json_object{}
                        .str("name", b.payer_name)
                        .str("phone", b.payer_phone)
                        .opt("email", b.payer_email)
                        .finish())
      .str("due_date", b.due_date)
      .str("callback_url", callback_url)
      .finish();
}

std::string withdrawal_number(const std::string& payload) {
  rapidjson::Document doc;
  doc.Parse(payload.c_str(), payload.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("control_number") ||
      !doc["control_number"].IsString())
    return {};
  return doc["control_number"].GetString();
}

void on_result(self_ptr self, const leased_job& job, gateway_result r) {
  switch (r.verdict) {
    case gateway_verdict::issued:
      return to_shard(self, job, {job.bill_id, r.control_number, "", job.id, job.fence, job.id});
    case gateway_verdict::refused:
      if (job.kind == job_withdrawal)
        return bury(self, job, "the gateway refused the withdrawal: " + r.reason);
      return to_shard(self, job, {job.bill_id, "", r.reason, job.id, job.fence, job.id});
    case gateway_verdict::accepted: {
      // The answer comes by callback; if it never does, ask again (the gateway is idempotent).
      auto wait = self->state.cfg.gateway.callback_wait;
      return settle(self, job, "job_wait", [job, wait](pg_connection& c) {
        return reschedule_job(c, job.id, job.fence, wait, "awaiting callback", "waiting");
      });
    }
    case gateway_verdict::done:
      return finish(self, job);
    case gateway_verdict::retry_later:
      return retry_later(self, job, milliseconds{r.retry_after_ms}, r.reason);
  }
}

/// One batch of an import, then the next until the file is done (each its own transaction).
void run_import(self_ptr self, leased_job job) {
  auto& st = self->state;
  auto batch = st.cfg.import_batch;
  auto lease_for = st.cfg.jobs.lease;
  db_call<import_batch>(
      self, st.cfg.db, "import_batch", true, st.cfg.db_timeout,
      [job, batch, lease_for, currencies = st.cfg.currencies,
       tz = st.cfg.timezone](pg_connection& c) {
        return run_import_batch(c, job.id, job.fence, batch, lease_for, currencies, tz);
      },
      [self, job](const db_outcome& o, std::optional<import_batch>&& done) {
        if (!done) return retry_later(self, job, std::chrono::milliseconds{0}, o.message);
        if (done->lease_lost || done->finished) {
          --self->state.running;
          if (done->finished) logger_of(log_module::jobs).info("import {} finished", job.id);
          return;
        }
        run_import(self, job);
      });
}

void send_alerts(self_ptr self);

void run_job(self_ptr self, job_work w) {
  auto& st = self->state;
  const auto& job = w.job;
  if (job.kind == job_import) return run_import(self, job);
  if (job.kind == job_alert_notify) {
    st.alerts_to_send.push_back(job);
    return send_alerts(self);
  }
  gateway_call call;
  call.bill_id = job.bill_id;
  if (job.kind == job_control_number) {
    if (!w.bill_now || w.bill_now->status != bill_status::pending || w.bill_now->control_number)
      return finish(self, job);  // nothing left to ask for
    call.kind = gateway_call_kind::control_number;
    call.target = "/v1/control-numbers";
    call.body = control_number_body(*w.bill_now, st.cfg.callback_url->get());
  } else {
    auto cn = withdrawal_number(job.payload);
    if (cn.empty()) return bury(self, job, "the withdrawal names no control number");
    call.kind = gateway_call_kind::withdrawal;
    call.target = "/v1/control-numbers/" + cn + "/cancel";
    call.body = "{}";
  }
  auto gw = st.cfg.client->get();
  if (!gw) return retry_later(self, job, milliseconds{0}, "gateway client restarting");
  ask_within<gateway_result>(
      self, gw, gateway_call_budget(st.cfg.gateway),
      [self, job](gateway_result& r) { on_result(self, job, std::move(r)); },
      [self, job](const caf::error& err) {
        retry_later(self, job, milliseconds{0}, caf::to_string(err));
      },
      call_atom::value, std::move(call));
}

void lease(self_ptr self) {
  auto& st = self->state;
  if (st.leasing || st.running >= st.cfg.jobs.max_running || st.cfg.callback_url->get().empty())
    return;
  // Without a gateway, only imports run; gateway jobs wait for one to be configured.
  std::vector<std::string> kinds{job_import};
  if (st.cfg.alerts.notify() && st.cfg.make_url_transport) kinds.emplace_back(job_alert_notify);
  if (st.cfg.gateway_enabled) {
    kinds.emplace_back(job_control_number);
    kinds.emplace_back(job_withdrawal);
  }
  st.leasing = true;
  auto limit = std::min(st.cfg.jobs.batch, st.cfg.jobs.max_running - st.running);
  auto lease_for = st.cfg.jobs.lease;
  db_call<std::vector<job_work>>(
      self, st.cfg.db, "job_lease", true, st.cfg.db_timeout,
      [limit, lease_for, kinds](pg_connection& c) {
        std::vector<job_work> work;
        std::vector<std::string> bill_ids;  // of the control-number jobs, read in one statement
        for (auto& j : lease_jobs(c, kinds, limit, lease_for)) {
          if (j.kind == job_control_number) bill_ids.push_back(j.bill_id);
          work.push_back(job_work{std::move(j), std::nullopt});
        }
        if (bill_ids.empty()) return work;
        auto bills = find_bills(c, bill_ids);
        std::size_t next = 0;
        for (auto& w : work)
          if (w.job.kind == job_control_number) w.bill_now = std::move(bills[next++]);
        return work;
      },
      [self, limit](const db_outcome& o, std::optional<std::vector<job_work>>&& work) {
        self->state.leasing = false;
        if (!work) {
          logger_of(log_module::jobs).warn("jobs: lease failed: {}", o.message);
          return;
        }
        auto full = work->size() == limit;
        for (auto& w : *work) {
          ++self->state.running;
          run_job(self, std::move(w));
        }
        if (full) lease(self);  // more may be due: keep going without waiting for the tick
      });
}

/// The alert object of an alert_notify job's payload ({"alert": {...}}), or "" when absent.
std::string alert_of(const std::string& payload) {
  rapidjson::Document doc;
  doc.Parse(payload.c_str(), payload.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("alert") || !doc["alert"].IsObject())
    return {};
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> writer{out};
  doc["alert"].Accept(writer);
  return {out.GetString(), out.GetSize()};
}

/// How long a webhook sender may take over one POST: its own timeout and a margin for its
/// mailbox and for connecting.
milliseconds sender_budget(const jobs_config& cfg) {
  return cfg.webhooks.timeout + std::chrono::seconds{2};
}

/// POSTs one alert to alerts.notify_url, signed like a webhook; X-Event-Id is the job's id,
/// the same on every attempt, so a receiver can drop repeats.
void notify(self_ptr self, leased_job job, webhook_sender_actor sender) {
  auto& st = self->state;
  auto body = alert_of(job.payload);
  if (body.empty()) {
    st.idle_senders.push_back(std::move(sender));
    return bury(self, job, "the notification holds no alert");
  }
  auto post = std::make_shared<webhook_post>();
  post->url = st.cfg.alerts.notify_url;
  post->timeout = st.cfg.webhooks.timeout;
  post->request.body = body;
  post->request.headers = {
      {"X-Event-Id", job.id},
      {"X-Signature", sign_request(st.cfg.alerts.notify_secret, st.cfg.unix_now(), "POST",
                                   split_url(post->url).path, body)}};
  auto released = [self](webhook_sender_actor s) {
    self->state.idle_senders.push_back(std::move(s));
    send_alerts(self);
    lease_deliveries_round(self);
  };
  ask_within<exchange_answer>(
      self, sender, sender_budget(st.cfg),
      [self, job, sender, released](const exchange_answer& a) {
        released(sender);
        const auto& r = *a;
        if (r.error == wire_error::none && r.status >= 200 && r.status < 300)
          return finish(self, job);
        retry_later(
            self, job, milliseconds{0},
            r.error != wire_error::none ? r.error_text : "HTTP " + std::to_string(r.status));
      },
      [self, job, sender, released](const caf::error& err) {
        released(sender);
        retry_later(self, job, milliseconds{0}, caf::to_string(err));
      },
      exchange_atom::value, webhook_post_ptr{post});
}

void send_alerts(self_ptr self) {
  auto& st = self->state;
  while (!st.alerts_to_send.empty() && !st.idle_senders.empty()) {
    auto job = std::move(st.alerts_to_send.front());
    st.alerts_to_send.pop_front();
    auto sender = std::move(st.idle_senders.back());
    st.idle_senders.pop_back();
    notify(self, std::move(job), std::move(sender));
  }
}

void end_delivery(self_ptr self, const leased_delivery& d, webhook_sender_actor sender,
                  std::function<bool(pg_connection&)> body) {
  auto& st = self->state;
  st.idle_senders.push_back(std::move(sender));
  st.busy_webhooks.erase(d.webhook_id);
  send_alerts(self);  // alerts first: they are rare and someone is waiting for them
  db_call<bool>(self, st.cfg.db, "webhook_settle", true, st.cfg.db_timeout, std::move(body),
                [self, id = d.id](const db_outcome& o, std::optional<bool>&& ok) {
                  if (!ok)
                    logger_of(log_module::jobs)
                        .warn("delivery {} not settled ({}); it runs again", id, o.message);
                  lease_deliveries_round(self);  // the next event of that bill may be due now
                });
}

/// Marks a delivery dead and raises the alert that says so, in one transaction.
void bury_delivery(self_ptr self, const leased_delivery& d, webhook_sender_actor sender,
                   std::optional<int> status, const std::string& why) {
  logger_of(log_module::jobs)
      .error("webhook delivery {} of {} to {} is dead: {}", d.id, d.event_id, d.url, why);
  alert_event alert{"webhook_delivery_dead", "warning",
                    "webhook delivery of " + d.event_id + " to " + d.url + " is dead: " + why,
                    json_object{}
                        .num("delivery_id", d.id)
                        .str("webhook_id", d.webhook_id)
                        .str("event_id", d.event_id)
                        .str("url", d.url)
                        .str("last_error", why)
                        .finish()};
  end_delivery(self, d, std::move(sender),
               dead_and_alerted(
                   [d, status, why](pg_connection& c) {
                     return settle_delivery(c, d.id, d.fence, "dead", status, why);
                   },
                   std::move(alert), policy_of(self->state.cfg.alerts)));
}

void deliver(self_ptr self, leased_delivery d, webhook_sender_actor sender) {
  auto& st = self->state;
  std::string secret;
  if (!open_secret(st.cfg.webhook_key, d.secret_box, secret))
    return bury_delivery(self, d, std::move(sender), std::nullopt,
                         "its secret cannot be decrypted with this key");
  auto post = std::make_shared<webhook_post>();
  post->url = d.url;
  post->timeout = st.cfg.webhooks.timeout;
  post->request.body = d.body;
  // Signed afresh per attempt: a receiver may refuse stale signatures.
  post->request.headers = {{"X-Event-Id", d.event_id},
                           {"X-Signature", sign_request(secret, st.cfg.unix_now(), "POST",
                                                        split_url(d.url).path, d.body)}};
  ask_within<exchange_answer>(
      self, sender, sender_budget(st.cfg),
      [self, d, sender](const exchange_answer& a) {
        const auto& r = *a;
        std::optional<int> status;
        if (r.error == wire_error::none) status = r.status;
        if (status && *status >= 200 && *status < 300)
          return end_delivery(self, d, sender, [d, status](pg_connection& c) {
            return settle_delivery(c, d.id, d.fence, "delivered", status, "");
          });
        auto why = r.error != wire_error::none ? r.error_text : "HTTP " + std::to_string(r.status);
        auto next = next_attempt_in(self, d.attempt, d.age_s, milliseconds{0});
        if (!next) return bury_delivery(self, d, sender, status, why);
        end_delivery(self, d, sender, [d, status, why, delay = *next](pg_connection& c) {
          return retry_delivery(c, d.id, d.fence, delay, status, why);
        });
      },
      [self, d, sender](const caf::error& err) {
        auto why = caf::to_string(err);
        end_delivery(self, d, sender, [d, why](pg_connection& c) {
          return retry_delivery(c, d.id, d.fence, std::chrono::seconds{1}, std::nullopt, why);
        });
      },
      exchange_atom::value, webhook_post_ptr{post});
}

void lease_deliveries_round(self_ptr self) {
  auto& st = self->state;
  // callback_url is set once the schema is migrated and the listener runs: nothing before.
  if (st.leasing_deliveries || st.idle_senders.empty() || st.cfg.webhook_key.empty() ||
      st.cfg.callback_url->get().empty())
    return;
  st.leasing_deliveries = true;
  auto limit = static_cast<std::uint32_t>(st.idle_senders.size());
  std::vector<std::string> busy{st.busy_webhooks.begin(), st.busy_webhooks.end()};
  db_call<std::vector<leased_delivery>>(
      self, st.cfg.db, "webhook_lease", true, st.cfg.db_timeout,
      [limit, lease_for = st.cfg.jobs.lease, busy](pg_connection& c) {
        return lease_deliveries(c, limit, lease_for, busy);
      },
      [self](const db_outcome& o, std::optional<std::vector<leased_delivery>>&& leased) {
        auto& s = self->state;
        s.leasing_deliveries = false;
        if (!leased) {
          logger_of(log_module::jobs).warn("jobs: delivery lease failed: {}", o.message);
          return;
        }
        for (auto& d : *leased) {
          if (s.idle_senders.empty() || s.busy_webhooks.count(d.webhook_id)) break;
          auto sender = std::move(s.idle_senders.back());
          s.idle_senders.pop_back();
          s.busy_webhooks.insert(d.webhook_id);
          deliver(self, std::move(d), std::move(sender));
        }
      });
}

jobs_actor::behavior_type jobs_impl(self_ptr self, jobs_config cfg) {
  self->state.cfg = std::move(cfg);
  if (self->state.cfg.make_url_transport)
    for (std::uint32_t i = 0; i < self->state.cfg.webhooks.senders; ++i) {
      auto sender = spawn_webhook_sender(self->system(), self->state.cfg.make_url_transport);
      self->link_to(sender);
      self->state.idle_senders.push_back(sender);
    }
  if (!self->state.cfg.gateway_enabled)
    logger_of(log_module::jobs)
        .warn("gateway.url is empty: control-number jobs wait until a gateway is configured");
  self->send(self, tick_atom::value);
  return {
      [self](tick_atom) {
        lease(self);
        lease_deliveries_round(self);
        self->delayed_send(self, self->state.cfg.jobs.poll_interval, tick_atom::value);
      },
      [self](wake_atom) {
        // Under load every create wakes the actor; one lease round per interval serves them
        // all (a round leases up to jobs.batch, and a full one leases again at once).
        auto& st = self->state;
        auto now = std::chrono::steady_clock::now();
        auto due = st.last_wake_round + st.cfg.jobs.wake_interval;
        if (now < due) {
          if (!st.wake_deferred) {
            st.wake_deferred = true;
            self->delayed_send(self, due - now, wake_atom::value);
          }
          return;
        }
        st.wake_deferred = false;
        st.last_wake_round = now;
        lease(self);
        lease_deliveries_round(self);
      },
      [self](expire_atom) { expire_calls(self); },
      [self](stats_atom) { return self->state.running; },
      [self](metrics_atom) {
        auto f = std::make_shared<figure_set>();
        f->add("billd_jobs_in_progress", "", self->state.running);
        f->add("billd_jobs_in_progress_max", "", self->state.cfg.jobs.max_running);
        add_mailbox_depth(*f, "jobs", self->mailbox().size());
        return figures_ptr{f};
      },
  };
}

}  // namespace

jobs_actor spawn_jobs(caf::actor_system& sys, jobs_config cfg) {
  return sys.spawn(jobs_impl, std::move(cfg));
}

}  // namespace billd
