#include "actors/monitor.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <array>
#include <deque>
#include <optional>
#include <unordered_map>
#include <utility>

#include "actors/db_call.hpp"
#include "storage/job_store.hpp"

namespace billd {
namespace {

using clock = std::chrono::steady_clock;

/// Ten seconds of request figures; thirty of them make the five-minute window.
struct window_slot {
  std::int64_t id = -1;  // steady seconds / 10
  window_figures figures;
};
constexpr std::int64_t slot_seconds = 10;
constexpr std::size_t window_slots = 30;
constexpr auto session_window = std::chrono::minutes{30};

/// One scrape in progress: the snapshot being filled and the owners still to answer.
struct pull {
  caf::typed_response_promise<metrics_snapshot_ptr> rp;
  std::shared_ptr<metrics_snapshot> snap;
  std::size_t pending = 0;
  void one_done() {
    if (--pending == 0) rp.deliver(metrics_snapshot_ptr{std::move(snap)});
  }
};
using pull_ptr = std::shared_ptr<pull>;

/// The last job count and the scrapes waiting for the one in flight: a count reads every open
/// job, so scrapes share it instead of each running their own (metrics.job_counts_max_age_ms).
struct job_count_share {
  std::optional<job_counts> last;
  clock::time_point counted_at;   // when the count that gave `last` started
  std::vector<pull_ptr> waiting;  // not empty: a count is in flight and fills these
};

struct monitor_state {
  static inline const char* name = "monitor";
  monitor_config cfg;
  clock::time_point started = clock::now();
  route_table routes;
  std::map<int, std::uint64_t> statuses;
  std::uint64_t shed = 0, rate_limited = 0, late_answers = 0;
  std::map<std::uint32_t, std::uint32_t> in_flight;  // front → latest
  std::map<std::uint32_t, std::uint32_t> mailbox;    // front → latest
  std::array<window_slot, window_slots> window;
  std::deque<slow_request> slow;
  std::unordered_map<std::string, clock::time_point> sessions;
  std::map<std::string, std::uint64_t> restarts;
  std::map<std::string, std::deque<clock::time_point>> recent_restarts;  // the last minute's
  job_count_share job_count;
};

constexpr std::size_t recent_restarts_max = 1'000;  // per kind: enough to say "too many"

using self_ptr = monitor_actor::stateful_pointer<monitor_state>;

std::int64_t slot_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(clock::now().time_since_epoch()).count() /
         slot_seconds;
}

window_figures& current_slot(monitor_state& st) {
  auto id = slot_now();
  auto& slot = st.window[static_cast<std::size_t>(id) % window_slots];
  if (slot.id != id) slot = window_slot{id, {}};
  return slot.figures;
}

void track_sessions(monitor_state& st, const std::vector<std::string>& seen) {
  auto now = clock::now();
  for (const auto& hash : seen) {
    auto it = st.sessions.find(hash);
    if (it != st.sessions.end()) {
      it->second = now;
    } else if (st.sessions.size() < st.cfg.metrics.sessions_max) {
      st.sessions.emplace(hash, now);
    }
  }
}

void absorb(monitor_state& st, const front_report& r) {
  auto& slot = current_slot(st);
  for (const auto& [key, fig] : r.routes) {
    auto& total = st.routes[key];
    total.count += fig.count;
    total.latency.merge(fig.latency);
    slot.requests += fig.count;
    if (key.second == 5) slot.server_errors += fig.count;
    slot.latency_sum_ms += static_cast<double>(fig.latency.sum()) / 1000.0;
  }
  for (auto [status, n] : r.statuses) st.statuses[status] += n;
  st.shed += r.shed;
  st.rate_limited += r.rate_limited;
  st.late_answers += r.late_answers;
  st.in_flight[r.front] = r.in_flight;
  st.mailbox[r.front] = r.mailbox;
  slot.slow += r.slow.size();
  for (const auto& s : r.slow) {
    st.slow.push_back(s);
    if (st.slow.size() > st.cfg.metrics.slow_request_keep) st.slow.pop_front();
  }
  track_sessions(st, r.sessions);
}

/// Adds `from` into `into`, summing series that several actors of one kind report alike.
void merge_figures(figure_set& into, const figure_set& from) {
  for (const auto& f : from.values) {
    auto it = std::find_if(into.values.begin(), into.values.end(), [&](const figure& g) {
      return g.family == f.family && g.labels == f.labels;
    });
    if (it == into.values.end()) {
      into.values.push_back(f);
    } else {
      it->value += f.value;
    }
  }
  for (const auto& h : from.histograms) {
    auto it = std::find_if(
        into.histograms.begin(), into.histograms.end(),
        [&](const histogram_figure& g) { return g.family == h.family && g.labels == h.labels; });
    if (it == into.histograms.end()) {
      into.histograms.push_back(h);
    } else {
      it->latency.merge(h.latency);
    }
  }
  into.slow.insert(into.slow.end(), from.slow.begin(), from.slow.end());
}

/// The part of a snapshot the monitor itself owns.
std::shared_ptr<metrics_snapshot> own_snapshot(self_ptr self) {
  auto& st = self->state;
  auto snap = std::make_shared<metrics_snapshot>();
  snap->routes = st.routes;
  snap->statuses = st.statuses;
  snap->shed = st.shed;
  snap->rate_limited = st.rate_limited;
  snap->late_answers = st.late_answers;
  for (auto [front, n] : st.in_flight) snap->in_flight += n;
  auto now_id = slot_now();
  for (const auto& slot : st.window) {
    if (slot.id < 0 || slot.id <= now_id - static_cast<std::int64_t>(window_slots)) continue;
    snap->last_5min.requests += slot.figures.requests;
    snap->last_5min.server_errors += slot.figures.server_errors;
    snap->last_5min.slow += slot.figures.slow;
    snap->last_5min.latency_sum_ms += slot.figures.latency_sum_ms;
  }
  snap->slow.assign(st.slow.begin(), st.slow.end());
  auto cutoff = clock::now() - session_window;
  std::erase_if(st.sessions, [&](const auto& kv) { return kv.second < cutoff; });
  snap->active_sessions = st.sessions.size();
  snap->restarts = st.restarts;
  auto minute_ago = clock::now() - std::chrono::minutes{1};
  for (auto& [child, recent] : st.recent_restarts) {
    while (!recent.empty() && recent.front() < minute_ago) recent.pop_front();
    if (!recent.empty()) snap->restarts_last_minute[child] = recent.size();
  }
  snap->uptime_s = std::chrono::duration<double>(clock::now() - st.started).count();
  figure_set fronts;  // one series per kind: merging sums the fronts
  for (auto [front, depth] : st.mailbox) add_mailbox_depth(fronts, "http-front", depth);
  merge_figures(snap->owned, fronts);
  add_mailbox_depth(snap->owned, "monitor", self->mailbox().size());
  for (const auto& [child, n] : st.restarts)
    snap->owned.add("billd_actor_restarts_total", kind_label(child), static_cast<double>(n));
  return snap;
}

template <class Handle>
void ask(self_ptr self, const pull_ptr& p, const slot_ptr<Handle>& slot, std::string name) {
  auto handle = slot ? slot->get() : Handle{};
  if (!handle) return;  // not running here (a gateway-less node) or restarting
  ++p->pending;
  self->request(handle, self->state.cfg.metrics.pull_timeout, metrics_atom::value)
      .then(
          [p](figures_ptr& f) {
            if (f) merge_figures(p->snap->owned, *f);
            p->one_done();
          },
          [p, name](caf::error&) {
            p->snap->missing.push_back(name);
            p->one_done();
          });
}

void add_job_counts(figure_set& f, const job_counts& counts) {
  f.add("billd_jobs", "status=\"queued\"", static_cast<double>(counts.queued));
  f.add("billd_jobs", "status=\"running\"", static_cast<double>(counts.running));
  f.add("billd_jobs", "status=\"waiting\"", static_cast<double>(counts.waiting));
  f.add("billd_jobs", "status=\"dead\"", static_cast<double>(counts.dead));
}

/// Jobs per status come from PostgreSQL (queued and dead jobs live nowhere else). A recent
/// count is reused and one in flight is joined; a failed count is not kept.
void ask_job_counts(self_ptr self, const pull_ptr& p) {
  auto& share = self->state.job_count;
  auto now = clock::now();
  if (share.last && now - share.counted_at <= self->state.cfg.metrics.job_counts_max_age) {
    add_job_counts(p->snap->owned, *share.last);
    return;
  }
  ++p->pending;
  share.waiting.push_back(p);
  if (share.waiting.size() > 1) return;  // the count in flight answers this pull too
  db_call<job_counts>(
      self, self->state.cfg.sources.pool, "job_counts", false, self->state.cfg.metrics.pull_timeout,
      [](pg_connection& c) { return count_jobs(c); },
      [self, now](const db_outcome&, std::optional<job_counts>&& counts) {
        auto& counted = self->state.job_count;
        auto waiting = std::exchange(counted.waiting, {});
        if (counts) {
          counted.last = counts;
          counted.counted_at = now;
        }
        for (const auto& waiter : waiting) {
          if (counts) {
            add_job_counts(waiter->snap->owned, *counts);
          } else {
            waiter->snap->missing.push_back("jobs-table");
          }
          waiter->one_done();
        }
      });
}

/// Pulls every owner's figures; the durable job counts only when `with_job_counts`.
caf::result<metrics_snapshot_ptr> start_pull(self_ptr self, bool with_job_counts) {
  auto p = std::make_shared<pull>();
  p->rp = self->make_response_promise<metrics_snapshot_ptr>();
  p->snap = own_snapshot(self);
  p->pending = 1;  // held until every request is out
  const auto& src = self->state.cfg.sources;
  ask(self, p, src.pool, "db-pool");
  for (const slot_ptr<bill_cache_actor> c : src.caches) ask(self, p, c, "cache");
  for (const auto& s : src.shards) ask(self, p, s, "billing-shard");
  ask(self, p, src.auth, "auth");
  ask(self, p, src.jobs, "jobs");
  ask(self, p, src.gateway, "gateway-client");
  ask(self, p, src.maintenance, "maintenance");
  if (src.pool && with_job_counts) ask_job_counts(self, p);
  auto rp = p->rp;
  p->one_done();
  return rp;
}

monitor_actor::behavior_type monitor_impl(self_ptr self, monitor_config cfg) {
  self->state.cfg = std::move(cfg);
  return {
      [self](report_atom, const front_report_ptr& r) {
        if (r) absorb(self->state, *r);
      },
      [self](restart_atom, const std::string& child) {
        auto& st = self->state;
        ++st.restarts[child];
        auto& recent = st.recent_restarts[child];
        recent.push_back(clock::now());
        if (recent.size() > recent_restarts_max) recent.pop_front();
      },
      [self](metrics_atom) { return start_pull(self, true); },
      [self](metrics_atom, alerts_atom) { return start_pull(self, false); },
      [self](stats_atom) {
        auto& st = self->state;
        std::uint64_t requests = 0, errors = 0, restarts = 0;
        for (const auto& [key, fig] : st.routes) {
          requests += fig.count;
          if (key.second == 5) errors += fig.count;
        }
        for (const auto& [name, n] : st.restarts) restarts += n;
        return caf::result<std::uint64_t, std::uint64_t, std::uint64_t>(requests, errors, restarts);
      },
  };
}

}  // namespace

double window_figures::error_rate_pct() const {
  return requests ? 100.0 * static_cast<double>(server_errors) / static_cast<double>(requests)
                  : 0.0;
}

double window_figures::avg_ms() const {
  return requests ? latency_sum_ms / static_cast<double>(requests) : 0.0;
}

std::uint64_t metrics_snapshot::requests() const {
  std::uint64_t n = 0;
  for (const auto& [key, fig] : routes) n += fig.count;
  return n;
}

std::uint64_t metrics_snapshot::server_errors() const {
  std::uint64_t n = 0;
  for (const auto& [key, fig] : routes)
    if (key.second == 5) n += fig.count;
  return n;
}

latency_histogram metrics_snapshot::all_latency() const {
  latency_histogram all;
  for (const auto& [key, fig] : routes) all.merge(fig.latency);
  return all;
}

monitor_actor spawn_monitor(caf::actor_system& sys, const monitor_config& cfg) {
  return sys.spawn(monitor_impl, cfg);
}

}  // namespace billd
