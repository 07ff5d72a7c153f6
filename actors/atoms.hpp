#pragma once
// Atoms of billd's actor protocols (CAF 0.17: at most 10 characters each).

#include <caf/atom.hpp>

namespace billd {

using run_atom = caf::atom_constant<caf::atom("run")>;
using done_atom = caf::atom_constant<caf::atom("done")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using conns_atom = caf::atom_constant<caf::atom("conns")>;
using restart_atom = caf::atom_constant<caf::atom("restart")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using expire_atom = caf::atom_constant<caf::atom("expire")>;
using create_atom = caf::atom_constant<caf::atom("create")>;
using cancel_atom = caf::atom_constant<caf::atom("cancel")>;
using login_atom = caf::atom_constant<caf::atom("login")>;
using logout_atom = caf::atom_constant<caf::atom("logout")>;
using verify_atom = caf::atom_constant<caf::atom("verify")>;
using user_add_atom = caf::atom_constant<caf::atom("useradd")>;
using user_mod_atom = caf::atom_constant<caf::atom("usermod")>;
using handle_atom = caf::atom_constant<caf::atom("handle")>;
using count_atom = caf::atom_constant<caf::atom("count")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;
using issue_atom = caf::atom_constant<caf::atom("issue")>;
using pay_atom = caf::atom_constant<caf::atom("pay")>;
using call_atom = caf::atom_constant<caf::atom("call")>;
using exchange_atom = caf::atom_constant<caf::atom("exchange")>;
using wake_atom = caf::atom_constant<caf::atom("wake")>;
using state_atom = caf::atom_constant<caf::atom("state")>;
using ready_atom = caf::atom_constant<caf::atom("ready")>;
using piece_atom = caf::atom_constant<caf::atom("piece")>;
using metrics_atom = caf::atom_constant<caf::atom("metrics")>;

}  // namespace billd
