#include "actors/pg_process.hpp"

#include <spdlog/spdlog.h>
#include <caf/all.hpp>

#include "actors/atoms.hpp"
#include "log/module_log.hpp"
#include "storage/embedded_postgres.hpp"

namespace billd {
namespace {

constexpr std::chrono::milliseconds poll_interval{200};
constexpr std::chrono::milliseconds ready_timeout{60'000};

struct pg_process_state {
  static inline const char* name = "pg-process";
  std::shared_ptr<embedded_postgres> pg;
  std::shared_ptr<std::atomic<bool>> up;
  ~pg_process_state() {
    if (up) up->store(false);
    if (pg) pg->stop();
  }
};

caf::behavior pg_process_impl(caf::stateful_actor<pg_process_state>* self,
                              std::shared_ptr<embedded_postgres> pg,
                              std::shared_ptr<std::atomic<bool>> up) {
  self->state.pg = pg;
  self->state.up = up;
  try {
    pg->start();
  } catch (const std::exception& e) {
    logger_of(log_module::db).error("embedded PostgreSQL did not start: {}", e.what());
    self->quit(caf::make_error(caf::sec::runtime_error, e.what()));
    return {};
  }
  if (!pg->wait_ready(ready_timeout)) {
    self->quit(caf::make_error(caf::sec::runtime_error, "embedded PostgreSQL is not ready"));
    return {};
  }
  up->store(true);
  self->delayed_send(self, poll_interval, tick_atom::value);
  return {
      [self](tick_atom) {
        if (!self->state.pg->poll_alive()) {
          self->state.up->store(false);
          self->quit(caf::make_error(caf::sec::runtime_error, "embedded PostgreSQL exited"));
          return;
        }
        self->delayed_send(self, poll_interval, tick_atom::value);
      },
  };
}

}  // namespace

caf::actor spawn_pg_process(caf::actor_system& sys, std::shared_ptr<embedded_postgres> pg,
                            std::shared_ptr<std::atomic<bool>> up) {
  return sys.spawn<caf::detached>(pg_process_impl, std::move(pg), std::move(up));
}

}  // namespace billd
