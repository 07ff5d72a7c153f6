#include "actors/jobs.hpp"

#include <rapidjson/document.h>
#include <caf/all.hpp>

#include <random>

#include "actors/backoff.hpp"
#include "actors/db_call.hpp"
#include "domain/json_text.hpp"
#include "domain/money.hpp"
#include "storage/bill_store.hpp"
#include "storage/job_store.hpp"

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
  std::minstd_rand rng{std::random_device{}()};
};

using self_ptr = jobs_actor::stateful_pointer<jobs_state>;

void lease(self_ptr self);

void settle(self_ptr self, const leased_job& job, std::string what,
            std::function<bool(pg_connection&)> body) {
  db_call<bool>(self, self->state.cfg.db, std::move(what), true, self->state.cfg.db_timeout,
                std::move(body),
                [self, id = job.id](const db_outcome& o, std::optional<bool>&& ok) {
                  // A lost settle is safe: the lease expires and the job runs again.
                  if (!ok)
                    spdlog::warn("job {} not settled ({}); it will run again", id, o.message);
                  --self->state.running;
                });
}

void finish(self_ptr self, const leased_job& job, std::string status = "done") {
  settle(self, job, "job_finish",
         [job, status](pg_connection& c) { return finish_job(c, job.id, job.fence, status); });
}

void retry_later(self_ptr self, const leased_job& job, milliseconds at_least,
                 const std::string& why) {
  auto& st = self->state;
  auto delay = std::max(job_retry_delay(st.cfg.jobs.backoff_min, st.cfg.jobs.backoff_max,
                                        static_cast<std::uint32_t>(job.attempt), st.rng),
                        at_least);
  auto age =
      std::chrono::seconds{job.age_s} + std::chrono::duration_cast<std::chrono::seconds>(delay);
  if (age > st.cfg.jobs.give_up_after) {
    spdlog::error("job {} ({} of {}) is dead after {} attempts: {}", job.id, job.kind, job.bill_id,
                  job.attempt, why);
    return finish(self, job, "dead");
  }
  spdlog::info("job {} ({} of {}) retries in {} ms: {}", job.id, job.kind, job.bill_id,
               delay.count(), why);
  settle(self, job, "job_reschedule", [job, delay, why](pg_connection& c) {
    return reschedule_job(c, job.id, job.fence, delay, why);
  });
}

void to_shard(self_ptr self, const leased_job& job, control_number_cmd cmd) {
  auto& shards = self->state.cfg.shards;
  auto shard = shards[shard_of(job.bill_id, static_cast<std::uint32_t>(shards.size()))]->get();
  if (!shard) return retry_later(self, job, milliseconds{0}, "billing shard restarting");
  self->request(shard, self->state.cfg.db_timeout, issue_atom::value, std::move(cmd))
      .then(
          [self, job](const api_reply& r) {
            if (r.kind == reply_kind::ok) {
              --self->state.running;  // the shard ended the job in its own transaction
              return;
            }
            if (r.kind == reply_kind::not_found || r.kind == reply_kind::conflict) {
              spdlog::error("job {}: the gateway's answer for {} cannot be recorded: {}", job.id,
                            job.bill_id, r.detail);
              return finish(self, job, "dead");
            }
            retry_later(self, job, milliseconds{0}, r.detail);
          },
          [self, job](const caf::error& err) {
            retry_later(self, job, milliseconds{0}, caf::to_string(err));
          });
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
      if (job.kind == job_withdrawal) {
        spdlog::error("job {}: the gateway refused to withdraw for {}: {}", job.id, job.bill_id,
                      r.reason);
        return finish(self, job, "dead");
      }
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

void run_job(self_ptr self, job_work w) {
  auto& st = self->state;
  const auto& job = w.job;
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
    if (cn.empty()) return finish(self, job, "dead");
    call.kind = gateway_call_kind::withdrawal;
    call.target = "/v1/control-numbers/" + cn + "/cancel";
    call.body = "{}";
  }
  auto gw = st.cfg.client->get();
  if (!gw) return retry_later(self, job, milliseconds{0}, "gateway client restarting");
  self->request(gw, gateway_call_budget(st.cfg.gateway), call_atom::value, std::move(call))
      .then([self, job](gateway_result& r) { on_result(self, job, std::move(r)); },
            [self, job](const caf::error& err) {
              retry_later(self, job, milliseconds{0}, caf::to_string(err));
            });
}

void lease(self_ptr self) {
  auto& st = self->state;
  if (st.leasing || !st.cfg.gateway_enabled || st.running >= st.cfg.jobs.max_running ||
      st.cfg.callback_url->get().empty())
    return;
  st.leasing = true;
  auto limit = std::min(st.cfg.jobs.batch, st.cfg.jobs.max_running - st.running);
  auto lease_for = st.cfg.jobs.lease;
  db_call<std::vector<job_work>>(
      self, st.cfg.db, "job_lease", true, st.cfg.db_timeout,
      [limit, lease_for](pg_connection& c) {
        std::vector<job_work> work;
        for (auto& j : lease_jobs(c, {job_control_number, job_withdrawal}, limit, lease_for)) {
          job_work w{std::move(j), std::nullopt};
          if (w.job.kind == job_control_number) w.bill_now = find_bill(c, w.job.bill_id);
          work.push_back(std::move(w));
        }
        return work;
      },
      [self, limit](const db_outcome& o, std::optional<std::vector<job_work>>&& work) {
        self->state.leasing = false;
        if (!work) {
          spdlog::warn("jobs: lease failed: {}", o.message);
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

jobs_actor::behavior_type jobs_impl(self_ptr self, jobs_config cfg) {
  self->state.cfg = std::move(cfg);
  if (!self->state.cfg.gateway_enabled)
    spdlog::warn("gateway.url is empty: control-number jobs wait until a gateway is configured");
  self->send(self, tick_atom::value);
  return {
      [self](tick_atom) {
        lease(self);
        self->delayed_send(self, self->state.cfg.jobs.poll_interval, tick_atom::value);
      },
      [self](wake_atom) { lease(self); },
      [self](stats_atom) { return self->state.running; },
  };
}

}  // namespace

jobs_actor spawn_jobs(caf::actor_system& sys, jobs_config cfg) {
  return sys.spawn(jobs_impl, std::move(cfg));
}

}  // namespace billd
