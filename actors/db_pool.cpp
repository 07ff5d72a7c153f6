#include "actors/db_pool.hpp"

#include <spdlog/spdlog.h>
#include <caf/all.hpp>

#include <algorithm>
#include <deque>
#include <optional>
#include <unordered_set>

#include "actors/circuit_breaker.hpp"
#include "actors/group_commit.hpp"
#include "actors/restart_policy.hpp"
#include "log/module_log.hpp"

namespace billd {
namespace {

using clock = std::chrono::steady_clock;

struct waiting_task {
  db_task_ptr task;
  caf::typed_response_promise<db_outcome> rp;
};

/// What a connection is running: one task, or a group-commit batch of several.
struct running_work {
  db_task_ptr task;  // sent to the connection (a group task for a batch)
  std::vector<caf::typed_response_promise<db_outcome>> promises;  // one per member
  std::vector<db_task_ptr> members;                               // set for a batch
  member_outcomes outcomes;                                       // set for a batch
};

struct conn_slot {
  db_conn_actor handle;
  std::optional<running_work> current;
  clock::time_point started;   // of the current task, for the breaker's slow calls
  clock::time_point deadline;  // the latest deadline of the current work's tasks
  /// When the current work last made progress (steady_clock nanoseconds): stamped at dispatch,
  /// as the task starts and at each round trip to the server (db_conn_config::progress).
  std::shared_ptr<std::atomic<std::int64_t>> progress;
  /// The work's callers were answered while it still ran (see give_up_overdue): the
  /// connection stays out of use until its thread returns or the connection is replaced.
  bool abandoned = false;
  /// The work made no progress for stuck_after: counted as a PostgreSQL failure then.
  bool stuck = false;
  /// Its db-conn was told to stop (replace_stuck); a fresh one starts when it is down.
  bool replacing = false;
  std::uint64_t seq = 0;
  std::uint64_t restarts = 0;
  std::unique_ptr<restart_backoff> backoff;
};

/// The answer for work whose callers must hear before it ended (its connection died or hung,
/// or the pool stopped): a write may have committed, a read changed nothing and may be retried.
db_outcome ended_unseen(bool write, std::string why) {
  db_outcome out;
  out.code = write ? db_outcome_code::outcome_unknown : db_outcome_code::overloaded;
  out.message = std::move(why);
  return out;
}

struct db_pool_state {
  static inline const char* name = "db-pool";
  db_pool_config cfg;
  std::vector<conn_slot> conns;
  std::deque<waiting_task> waiting;
  std::unique_ptr<restart_budget> budget;
  std::unique_ptr<circuit_breaker> breaker;
  // Statement figures: every execution on a connection, and the slowest recent ones.
  latency_histogram query_latency;
  std::uint64_t slow_total = 0;
  std::deque<slow_statement> slow;
  // Group commit: transactions that carried several writes, and the writes they carried.
  std::uint64_t batches = 0;
  std::uint64_t batched_writes = 0;
  std::uint64_t abandoned = 0;  // work whose callers were answered while it still ran
  std::uint64_t replaced = 0;   // hung connections replaced by fresh ones
  /// When the tick that is due soonest fires (max: none pending). Held work is checked only
  /// at the moments something in it falls due, so a busy pool ticks about once per deadline.
  clock::time_point next_tick = clock::time_point::max();
  /// The generation of the tick set for next_tick; earlier ticks still pending are stale and
  /// ignored, so moving next_tick earlier never leaves two ticks rescheduling themselves.
  std::uint64_t tick_generation = 0;
  /// Callers reach the pool with no CAF request timeout (db_call), so the pool answers every
  /// request it holds, also when it stops: the waiting ones ran nothing, the running ones may
  /// have written.
  ~db_pool_state() {
    for (auto& w : waiting) w.rp.deliver(ended_unseen(false, "db-pool stopped"));
    for (auto& c : conns) {
      if (c.current)
        for (auto& rp : c.current->promises)
          rp.deliver(ended_unseen(c.current->task->write, "db-pool stopped"));
      if (c.handle) caf::anon_send_exit(c.handle, caf::exit_reason::user_shutdown);
    }
  }
};

using self_ptr = db_pool_actor::stateful_pointer<db_pool_state>;

db_outcome make_outcome(db_outcome_code code, std::string message = {}) {
  db_outcome out;
  out.code = code;
  out.message = std::move(message);
  return out;
}

void pump(self_ptr self);

bool in_use(const conn_slot& c) { return c.current || c.abandoned; }

std::uint32_t busy_conns(const db_pool_state& st) {
  return static_cast<std::uint32_t>(std::count_if(st.conns.begin(), st.conns.end(), in_use));
}

/// Work that has not made progress (a task start, a round trip) for this long is stuck: a
/// statement is bounded by db.statement_timeout_ms (PostgreSQL cancels it) and a reconnect by
/// libpq's connect_timeout (whole seconds, at least 2), so only a hung connection gets there.
std::chrono::milliseconds stuck_after(self_ptr self) {
  using namespace std::chrono;
  const auto& c = self->state.cfg.conn;
  milliseconds connect = std::max<milliseconds>(ceil<seconds>(c.connect_timeout), seconds{2});
  return std::max(c.statement_timeout, connect) + seconds{1};
}

clock::time_point last_progress(const conn_slot& slot) {
  return clock::time_point{clock::duration{slot.progress->load(std::memory_order_relaxed)}};
}

/// When held work falls due: a running read at its deadline (nothing is lost by answering
/// it), any work, answered or not, once it is stuck; max when nothing is due.
clock::time_point held_due(self_ptr self, const conn_slot& slot) {
  if (!slot.current && !(slot.abandoned && !slot.stuck)) return clock::time_point::max();
  auto stuck = last_progress(slot) + stuck_after(self);
  if (!slot.current || slot.current->task->write) return stuck;
  return std::min(stuck, slot.deadline);
}

/// Makes sure a tick fires at `due` (or earlier). delayed_send cannot be cancelled: a tick
/// that finds nothing due simply schedules the next.
void tick_at(self_ptr self, clock::time_point due) {
  auto& st = self->state;
  if (due >= st.next_tick) return;
  st.next_tick = due;
  auto wait = std::chrono::ceil<std::chrono::milliseconds>(due - clock::now());
  self->delayed_send(self, std::max(wait, std::chrono::milliseconds{1}), tick_atom::value,
                     ++st.tick_generation);
}

/// The answer while the breaker holds statements back.
db_outcome refused_by_breaker(self_ptr self) {
  auto out = make_outcome(db_outcome_code::overloaded, "PostgreSQL breaker open");
  auto wait = self->state.breaker->retry_after(clock::now());
  out.retry_after_s =
      static_cast<std::uint32_t>(std::max<std::int64_t>(1, (wait.count() + 999) / 1000));
  return out;
}

/// What the breaker counts as PostgreSQL failing (ARCHITECTURE.md): a lost connection, a
/// cancelled statement, classes 08/53/57P0x. Constraint violations and conflicts are answers.
bool dependency_failed(const db_outcome& o) {
  return o.code == db_outcome_code::outcome_unknown ||
         (o.code == db_outcome_code::failed && is_dependency_failure(o.error));
}

void record(self_ptr self, const conn_slot& slot, bool failed) {
  auto& st = self->state;
  auto now = clock::now();
  auto took = now - slot.started;
  st.breaker->record(failed, std::chrono::duration_cast<std::chrono::milliseconds>(took), now);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(took).count();
  st.query_latency.record(static_cast<std::uint64_t>(micros));
  if (took >= st.cfg.conn.slow_query && slot.current) {
    ++st.slow_total;
    st.slow.push_back(slow_statement{slot.current->task->name, slot.current->task->request_id,
                                     static_cast<double>(micros) / 1000.0, unix_now_ms()});
    while (st.slow.size() > st.cfg.slow_keep) st.slow.pop_front();
  }
}

figures_ptr pool_figures(self_ptr self) {
  auto& st = self->state;
  auto f = std::make_shared<figure_set>();
  auto busy = busy_conns(st);
  f->add("billd_db_pool_connections", "state=\"busy\"", busy);
  f->add("billd_db_pool_connections", "state=\"idle\"",
         static_cast<double>(st.conns.size() - busy));
  f->add("billd_db_pool_waiting", "", static_cast<double>(st.waiting.size()));
  f->add("billd_db_pool_waiting_max", "", st.cfg.max_waiting);
  f->add("billd_db_slow_queries_total", "", static_cast<double>(st.slow_total));
  f->add("billd_db_group_commits_total", "", static_cast<double>(st.batches));
  f->add("billd_db_group_commit_writes_total", "", static_cast<double>(st.batched_writes));
  f->add("billd_db_abandoned_total", "", static_cast<double>(st.abandoned));
  f->add("billd_db_replaced_total", "", static_cast<double>(st.replaced));
  f->add("billd_db_stranded_workers", "", stranded_db_conn_workers());
  add_breaker_figures(*f, "postgresql", *st.breaker, clock::now());
  add_mailbox_depth(*f, "db-pool", self->mailbox().size());
  f->histograms.push_back(
      histogram_figure{"billd_db_query_duration_seconds", "", st.query_latency});
  f->slow.assign(st.slow.begin(), st.slow.end());
  return f;
}

/// Answers every caller of the work. A committed batch answers each member with its own
/// outcome, except a member that lost a lock race with another batch: it queues again at the
/// front, to run alone. A batch that failed as a whole answers everyone with its failure.
void answer(self_ptr self, running_work& work, const db_outcome& outcome) {
  if (!work.outcomes || outcome.code != db_outcome_code::ok) {
    for (auto& rp : work.promises) rp.deliver(outcome);
    return;
  }
  for (std::size_t i = 0; i < work.promises.size(); ++i) {
    auto& member = (*work.outcomes)[i];
    if (!lost_to_another_batch(member)) {
      work.promises[i].deliver(std::move(member));
      continue;
    }
    work.members[i]->grouped = false;
    tick_at(self, work.members[i]->deadline);
    self->state.waiting.push_front(waiting_task{work.members[i], work.promises[i]});
  }
}

void finish(self_ptr self, std::size_t index, std::uint64_t seq, db_outcome outcome) {
  auto& slot = self->state.conns[index];
  if (slot.seq != seq) return;  // already answered (connection died)
  // Abandoned: its callers were answered long ago; say what became of it, then use it again.
  bool abandoned = std::exchange(slot.abandoned, false);
  bool was_stuck = std::exchange(slot.stuck, false);
  if (!abandoned && !slot.current) return;
  if (!was_stuck) record(self, slot, dependency_failed(outcome));
  // One lost connection: the others were probably cut by the same event; they reconnect.
  if (outcome.code == db_outcome_code::failed && outcome.error == db_errc::connection_lost)
    ++*self->state.cfg.conn.epoch;
  if (abandoned) {
    logger_of(log_module::db)
        .warn("db-pool: abandoned work on db-conn {} ended after all: {}", index,
              outcome.code == db_outcome_code::ok ? "it succeeded" : outcome.message);
  } else {
    auto work = std::move(*slot.current);
    slot.current.reset();
    answer(self, work, outcome);
  }
  pump(self);
}

/// The grouped writes that can join `first` in one transaction: queued, grouped, not past
/// their deadline, at most db.group_commit_max in all, and none sharing a group key.
running_work gather_batch(self_ptr self, waiting_task first) {
  running_work work;
  std::vector<waiting_task> picked{std::move(first)};
  auto& st = self->state;
  if (picked.front().task->grouped) {
    std::unordered_set<std::string> keys;
    auto key_free = [&keys](const db_task& t) {
      return t.group_key.empty() || keys.insert(t.group_key).second;
    };
    key_free(*picked.front().task);
    auto now = clock::now();
    for (auto it = st.waiting.begin();
         it != st.waiting.end() && picked.size() < st.cfg.group_commit_max;) {
      if (it->task->grouped && it->task->deadline > now && key_free(*it->task)) {
        picked.push_back(std::move(*it));
        it = st.waiting.erase(it);
      } else {
        ++it;
      }
    }
  }
  if (picked.size() == 1) {
    work.task = std::move(picked.front().task);
    work.promises.push_back(std::move(picked.front().rp));
    return work;
  }
  std::stable_sort(picked.begin(), picked.end(), [](const waiting_task& a, const waiting_task& b) {
    return a.task->group_key < b.task->group_key;
  });
  for (auto& p : picked) {
    work.members.push_back(std::move(p.task));
    work.promises.push_back(std::move(p.rp));
  }
  ++st.batches;
  st.batched_writes += work.members.size();
  work.outcomes = std::make_shared<std::vector<db_outcome>>();
  work.task = make_group_task(work.members, work.outcomes);
  return work;
}

void dispatch(self_ptr self, std::size_t index, waiting_task first) {
  auto work = gather_batch(self, std::move(first));
  auto& slot = self->state.conns[index];
  auto task = work.task;
  auto seq = ++slot.seq;
  slot.deadline = work.task->deadline;
  for (const auto& m : work.members) slot.deadline = std::max(slot.deadline, m->deadline);
  slot.current = std::move(work);
  slot.started = clock::now();
  slot.progress->store(slot.started.time_since_epoch().count(), std::memory_order_relaxed);
  tick_at(self, held_due(self, slot));
  self->request(slot.handle, caf::infinite, run_atom::value, task)
      .then([self, index, seq](db_outcome& outcome) { finish(self, index, seq, outcome); },
            [self, index, seq](caf::error& err) {
              finish(self, index, seq,
                     make_outcome(db_outcome_code::outcome_unknown, caf::to_string(err)));
            });
}

std::optional<std::size_t> idle_conn(self_ptr self) {
  for (std::size_t i = 0; i < self->state.conns.size(); ++i) {
    const auto& c = self->state.conns[i];
    if (c.handle && !in_use(c)) return i;
  }
  return std::nullopt;
}

/// Answers the waiting tasks whose deadline passed, wherever they are in the queue: with every
/// connection stuck, nothing else would reach them.
void drop_overdue(self_ptr self, clock::time_point now) {
  auto& waiting = self->state.waiting;
  for (auto it = waiting.begin(); it != waiting.end();) {
    if (it->task->deadline > now) {
      ++it;
      continue;
    }
    it->rp.deliver(make_outcome(db_outcome_code::deadline_passed));
    it = waiting.erase(it);
  }
}

/// Replaces a hung connection with a fresh one while fewer than db.max_stranded worker
/// threads are stranded: its db-conn stops, which cancels the statement and leaves the thread
/// to end when the statement returns (a backend that is itself hung, or a peer that takes
/// bytes and never answers, may hold it for good). At the bound the slot waits for its work,
/// so hung connections cost at most that many extra threads and server connections.
void replace_stuck(self_ptr self, std::size_t index) {
  auto& st = self->state;
  auto replacing = std::count_if(st.conns.begin(), st.conns.end(),
                                 [](const conn_slot& c) { return c.replacing; });
  auto stranded = stranded_db_conn_workers() + static_cast<std::uint32_t>(replacing);
  auto& slot = st.conns[index];
  if (stranded >= st.cfg.max_stranded) {
    logger_of(log_module::db)
        .error(
            "db-pool: db-conn {} is hung and {} are stranded already (db.max_stranded): it "
            "stays out of use until its work returns",
            index, stranded);
    return;
  }
  ++slot.seq;  // whatever its db-conn still answers belongs to no one now
  slot.replacing = true;
  ++st.replaced;
  caf::anon_send_exit(slot.handle, caf::exit_reason::user_shutdown);
}

/// Answers the callers of held work that fell due (held_due). Stuck work counts as a
/// PostgreSQL failure and its connection is replaced (replace_stuck); a read that merely
/// outlived its deadline keeps its connection out of use until it returns (recorded then, as
/// any statement is) or is found stuck in turn.
void give_up_overdue(self_ptr self, clock::time_point now) {
  auto& st = self->state;
  for (std::size_t i = 0; i < st.conns.size(); ++i) {
    auto& slot = st.conns[i];
    if (held_due(self, slot) > now) continue;
    // One read of the stamp: the worker may stamp again meanwhile, and a write that is not
    // stuck must never be given up (it may still commit).
    bool stuck = now >= last_progress(slot) + stuck_after(self);
    if (stuck) {
      slot.stuck = true;
      record(self, slot, true);
      logger_of(log_module::db)
          .error("db-pool: {} on db-conn {} made no progress for {} ms: the connection is hung",
                 slot.current ? slot.current->task->name : "work answered at its deadline", i,
                 stuck_after(self).count());
    }
    if (slot.current) {
      auto work = std::move(*slot.current);
      slot.current.reset();
      slot.abandoned = true;
      ++st.abandoned;
      answer(self, work,
             stuck ? ended_unseen(work.task->write, "the database connection is stuck")
                   : make_outcome(db_outcome_code::deadline_passed,
                                  "its deadline passed while it ran"));
    }
    if (stuck) replace_stuck(self, i);
  }
}

void on_tick(self_ptr self, std::uint64_t generation) {
  auto& st = self->state;
  if (generation != st.tick_generation) return;  // superseded by an earlier one
  st.next_tick = clock::time_point::max();
  auto now = clock::now();
  drop_overdue(self, now);
  give_up_overdue(self, now);
  pump(self);
  auto due = clock::time_point::max();
  for (const auto& w : st.waiting) due = std::min(due, w.task->deadline);
  for (const auto& c : st.conns) due = std::min(due, held_due(self, c));
  if (due != clock::time_point::max()) tick_at(self, due);
}

void pump(self_ptr self) {
  auto& waiting = self->state.waiting;
  while (!waiting.empty()) {
    if (waiting.front().task->deadline <= clock::now()) {
      waiting.front().rp.deliver(make_outcome(db_outcome_code::deadline_passed));
      waiting.pop_front();
      continue;
    }
    auto idle = idle_conn(self);
    if (!idle) return;
    auto work = std::move(waiting.front());
    waiting.pop_front();
    if (!self->state.breaker->allow(clock::now())) {
      work.rp.deliver(refused_by_breaker(self));
      continue;
    }
    dispatch(self, *idle, std::move(work));
  }
}

void start_conn(self_ptr self, std::size_t index) {
  auto& slot = self->state.conns[index];
  // A fresh stamp: a worker thread left behind by a killed db-conn may still write the old.
  slot.progress = std::make_shared<std::atomic<std::int64_t>>(0);
  auto conn_cfg = self->state.cfg.conn;
  conn_cfg.progress = slot.progress;
  slot.handle = spawn_db_conn(self->system(), conn_cfg);
  self->monitor(slot.handle);
}

void on_conn_down(self_ptr self, const caf::down_msg& msg) {
  auto& st = self->state;
  for (std::size_t i = 0; i < st.conns.size(); ++i) {
    auto& slot = st.conns[i];
    if (!slot.handle || slot.handle.address() != msg.source) continue;
    slot.handle = nullptr;
    slot.abandoned = false;  // its replacement starts clean
    slot.stuck = false;
    bool replaced = std::exchange(slot.replacing, false);
    if (slot.current) {
      record(self, slot, true);
      auto work = std::move(*slot.current);
      slot.current.reset();
      answer(self, work, ended_unseen(work.task->write, "db-conn stopped mid-statement"));
    }
    auto now = self->clock().now();
    if (!st.budget->admit(now)) {
      logger_of(log_module::db).error("db-pool: db-conn restart budget exhausted, escalating");
      self->quit(caf::make_error(caf::sec::runtime_error, "db-pool restart budget exhausted"));
      return;
    }
    ++slot.restarts;
    if (st.cfg.on_restart) st.cfg.on_restart("db-conn");
    auto delay = slot.backoff->on_failure(now);
    logger_of(log_module::db)
        .warn(
            "db-pool: db-conn {} {}, restarting in {} ms", i,
            replaced ? std::string{"stopped as hung"} : "died (" + caf::to_string(msg.reason) + ")",
            delay.count());
    self->delayed_send(self, delay, restart_atom::value, static_cast<std::uint64_t>(i));
    return;
  }
}

db_pool_actor::behavior_type db_pool_impl(self_ptr self, db_pool_config cfg) {
  auto& state = self->state;
  state.cfg = std::move(cfg);
  state.budget = std::make_unique<restart_budget>(state.cfg.restarts);
  if (!state.cfg.conn.epoch) state.cfg.conn.epoch = std::make_shared<std::atomic<std::uint64_t>>(0);
  // Each transition is logged once; requests refused meanwhile are not logged one by one.
  state.breaker = std::make_unique<circuit_breaker>(state.cfg.breaker, [](breaker_state from,
                                                                          breaker_state to) {
    if (to == breaker_state::open)
      logger_of(log_module::db)
          .error("PostgreSQL breaker {} -> open: statements are refused until a probe",
                 to_string(from));
    else
      logger_of(log_module::db).warn("PostgreSQL breaker {} -> {}", to_string(from), to_string(to));
  });
  state.conns.resize(state.cfg.size);
  for (std::size_t i = 0; i < state.conns.size(); ++i) {
    state.conns[i].backoff = std::make_unique<restart_backoff>(state.cfg.restarts, 31 * i + 7);
    start_conn(self, i);
  }
  self->set_down_handler([self](caf::down_msg& msg) { on_conn_down(self, msg); });
  return {
      [self](run_atom, db_task_ptr& task) -> caf::result<db_outcome> {
        // Decide before making a promise: in CAF 0.17 a response promise takes over the
        // request, after which a returned value is never delivered.
        auto now = clock::now();
        if (task->deadline <= now) return make_outcome(db_outcome_code::deadline_passed);
        auto& st = self->state;
        if (st.breaker->state(now) == breaker_state::open) return refused_by_breaker(self);
        auto idle = idle_conn(self);
        bool dispatch_now = idle && (st.waiting.empty() || task->urgent);
        if (!dispatch_now && !task->urgent && st.waiting.size() >= st.cfg.max_waiting)
          return make_outcome(db_outcome_code::overloaded, "db.max_waiting reached");
        if (dispatch_now && !st.breaker->allow(now)) return refused_by_breaker(self);
        auto rp = self->make_response_promise<db_outcome>();
        if (dispatch_now) {
          dispatch(self, *idle, waiting_task{std::move(task), rp});
          return rp;
        }
        tick_at(self, task->deadline);
        if (task->urgent)
          st.waiting.push_front(waiting_task{std::move(task), rp});
        else
          st.waiting.push_back(waiting_task{std::move(task), rp});
        return rp;
      },
      [self](stats_atom) {
        auto& st = self->state;
        std::uint64_t restarts = 0;
        for (const auto& c : st.conns) restarts += c.restarts;
        auto busy = busy_conns(st);
        return caf::result<std::uint32_t, std::uint32_t, std::uint32_t, std::uint64_t>(
            static_cast<std::uint32_t>(st.conns.size()), busy,
            static_cast<std::uint32_t>(st.waiting.size()), restarts);
      },
      [self](metrics_atom) { return pool_figures(self); },
      [self](conns_atom) {
        std::vector<caf::actor> out;
        for (const auto& c : self->state.conns)
          if (c.handle) out.push_back(caf::actor_cast<caf::actor>(c.handle));
        return out;
      },
      [self](tick_atom, std::uint64_t generation) { on_tick(self, generation); },
      [self](restart_atom, std::uint64_t index) {
        if (index >= self->state.conns.size() || self->state.conns[index].handle) return;
        start_conn(self, static_cast<std::size_t>(index));
        pump(self);
      },
  };
}

}  // namespace

db_pool_actor spawn_db_pool(caf::actor_system& sys, const db_pool_config& cfg) {
  return sys.spawn(db_pool_impl, cfg);
}

}  // namespace billd
