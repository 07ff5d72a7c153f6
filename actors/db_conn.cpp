#include "actors/db_conn.hpp"

#include <spdlog/spdlog.h>
#include <caf/all.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <system_error>
#include <thread>
#include <unordered_map>

#include "log/module_log.hpp"
#include "storage/pg_connection.hpp"

namespace billd {
namespace {

using clock = std::chrono::steady_clock;

/// Worker threads still running, so the process can wait for their connections to close.
struct live_workers {
  std::mutex mutex;
  std::condition_variable ended;
  std::size_t count = 0;
  /// Of those, the ones whose db-conn stopped while they ran a statement
  /// (stranded_db_conn_workers).
  std::atomic<std::uint32_t> stranded{0};
};

live_workers& workers() {
  static live_workers w;
  return w;
}

/// The thread that owns the libpq connection. It outlives the actor briefly: on shutdown it
/// cancels the running statement, finishes, closes the connection and exits by itself.
class conn_worker : public std::enable_shared_from_this<conn_worker> {
 public:
  using completion = std::function<void(db_outcome)>;

  explicit conn_worker(db_conn_config cfg) : cfg_(std::move(cfg)) {}

  void start() {
    {
      std::lock_guard<std::mutex> guard{workers().mutex};
      ++workers().count;
    }
    std::thread{[self = shared_from_this()] {
      self->loop();
      std::lock_guard<std::mutex> guard{workers().mutex};
      --workers().count;
      workers().ended.notify_all();
    }}.detach();
  }

  void submit(db_task_ptr task, completion done) {
    std::lock_guard<std::mutex> guard{mutex_};
    task_ = std::move(task);
    done_ = std::move(done);
    cv_.notify_one();
  }

  /// Stops the loop; a running statement is cancelled and the thread ends once it returns.
  void shutdown() {
    pg_canceller cancel;
    {
      std::lock_guard<std::mutex> guard{mutex_};
      stop_ = true;
      if (running_ && !stranded_) {
        stranded_ = true;
        ++workers().stranded;
        if (conn_) cancel = conn_->canceller();
      }
      cv_.notify_one();
    }
    if (!cancel) return;
    // PQcancel blocks until the server takes the request, without bound on a peer that never
    // answers: on a thread of its own, never on the actor thread that runs this.
    try {
      std::thread{[cancel] { cancel.cancel(); }}.detach();
    } catch (const std::system_error& e) {
      logger_of(log_module::db).warn("db-conn: no thread to cancel a statement: {}", e.what());
    }
  }

 private:
  void loop() {
    connect_quietly();
    for (;;) {
      db_task_ptr task;
      completion done;
      {
        std::unique_lock<std::mutex> lock{mutex_};
        cv_.wait(lock, [this] { return stop_ || task_ != nullptr; });
        if (stop_) break;
        task = std::move(task_);
        done = std::move(done_);
        running_ = true;
      }
      auto outcome = execute(*task);
      {
        std::lock_guard<std::mutex> guard{mutex_};
        running_ = false;
      }
      done(std::move(outcome));
    }
    std::lock_guard<std::mutex> guard{mutex_};
    conn_.reset();
    if (stranded_) --workers().stranded;
  }

  void connect_quietly() {
    try {
      if (cfg_.epoch) connected_epoch_ = cfg_.epoch->load();
      auto conn = std::make_unique<pg_connection>(cfg_.conninfo, cfg_.connect_timeout,
                                                  cfg_.statement_timeout);
      if (cfg_.progress) conn->stamp_round_trips(cfg_.progress);
      std::lock_guard<std::mutex> guard{mutex_};
      conn_ = std::move(conn);
    } catch (const db_error& e) {
      logger_of(log_module::db).warn("db-conn: {}", e.what());
    }
  }

  db_outcome execute(db_task& task) {
    db_outcome out;
    if (past_deadline(task, out)) return out;
    auto started = clock::now();
    // Progress from here: a reconnect below is bounded by connect_timeout, each statement
    // then stamps again.
    if (cfg_.progress)
      cfg_.progress->store(started.time_since_epoch().count(), std::memory_order_relaxed);
    if (cfg_.epoch && cfg_.epoch->load() != connected_epoch_) {
      std::lock_guard<std::mutex> guard{mutex_};
      conn_.reset();  // opened before a lost connection elsewhere: probably stale too
    }
    if (!conn_ || !conn_->healthy()) {
      {
        std::lock_guard<std::mutex> guard{mutex_};
        conn_.reset();
      }
      connect_quietly();
    }
    if (conn_) {
      out = run_task_body(task, *conn_);
    } else {
      out.code = db_outcome_code::failed;
      out.error = db_errc::connection_lost;
      out.message = "PostgreSQL is unreachable";
    }
    if (out.code == db_outcome_code::failed && is_dependency_failure(out.error))
      logger_of(log_module::db).warn("[{}] {} failed: {}", task.request_id, task.name, out.message);
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - started);
    if (took >= cfg_.slow_query)
      logger_of(log_module::db)
          .warn("[{}] slow query: {} took {} ms", task.request_id, task.name, took.count());
    return out;
  }

  db_conn_config cfg_;
  std::mutex mutex_;
  std::condition_variable cv_;
  db_task_ptr task_;
  completion done_;
  bool stop_ = false;
  bool running_ = false;
  bool stranded_ = false;  // stopped while running: counted in live_workers::stranded
  std::unique_ptr<pg_connection> conn_;
  std::uint64_t connected_epoch_ = 0;
};

struct db_conn_state {
  static inline const char* name = "db-conn";
  std::shared_ptr<conn_worker> worker;
  std::uint64_t next_seq = 0;
  std::unordered_map<std::uint64_t, caf::typed_response_promise<db_outcome>> pending;
  ~db_conn_state() {
    if (worker) worker->shutdown();
  }
};

db_conn_actor::behavior_type db_conn_impl(db_conn_actor::stateful_pointer<db_conn_state> self,
                                          db_conn_config cfg) {
  self->state.worker = std::make_shared<conn_worker>(std::move(cfg));
  self->state.worker->start();
  return {
      [self](run_atom, db_task_ptr& task) -> caf::result<db_outcome> {
        auto rp = self->make_response_promise<db_outcome>();
        auto seq = ++self->state.next_seq;
        self->state.pending.emplace(seq, rp);
        caf::weak_actor_ptr weak = self->ctrl();
        self->state.worker->submit(std::move(task), [weak, seq](db_outcome outcome) {
          // The actor may be gone by now; then the pool already answered for it.
          if (auto strong = caf::actor_cast<caf::strong_actor_ptr>(weak))
            caf::anon_send(caf::actor_cast<db_conn_actor>(strong), done_atom::value, seq,
                           std::move(outcome));
        });
        return rp;
      },
      [self](done_atom, std::uint64_t seq, db_outcome& outcome) {
        auto it = self->state.pending.find(seq);
        if (it == self->state.pending.end()) return;
        it->second.deliver(std::move(outcome));
        self->state.pending.erase(it);
      },
  };
}

}  // namespace

db_conn_actor spawn_db_conn(caf::actor_system& sys, const db_conn_config& cfg) {
  return sys.spawn(db_conn_impl, cfg);
}

std::uint32_t stranded_db_conn_workers() { return workers().stranded.load(); }

bool await_db_conn_workers(std::chrono::milliseconds limit) {
  std::unique_lock<std::mutex> lock{workers().mutex};
  return workers().ended.wait_for(lock, limit, [] { return workers().count == 0; });
}

}  // namespace billd
