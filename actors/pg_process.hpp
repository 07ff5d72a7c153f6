#pragma once
// pg-process: the embedded postmaster as a supervised child. Runs on its own thread because
// PR_SET_PDEATHSIG fires when the *thread* that forked exits: the postmaster lives exactly as
// long as this actor, and dies with billd even under SIGKILL.

#include <caf/fwd.hpp>

#include <atomic>
#include <memory>

namespace billd {

class embedded_postgres;

/// Starts the postmaster, reports `up` once it accepts connections, dies when the postmaster
/// dies (so the storage supervisor restarts it within its budget), stops it on shutdown.
caf::actor spawn_pg_process(caf::actor_system& sys, std::shared_ptr<embedded_postgres> pg,
                            std::shared_ptr<std::atomic<bool>> up);

}  // namespace billd
