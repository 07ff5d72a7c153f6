#pragma once
// auth: logins (hashing on a bounded worker pool), token verification, sessions, users.
// A revocation is made in every front's token cache (actors/token_cache.hpp) before it is
// answered, so a token stops working at once.

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <chrono>
#include <string>

#include "actors/actor_slot.hpp"
#include "actors/atoms.hpp"
#include "actors/db_pool.hpp"
#include "actors/figures.hpp"
#include "actors/messages.hpp"
#include "actors/token_cache.hpp"
#include "config/settings.hpp"

namespace billd {

/// login(username, password, client ip); verify(token hash hex) → principal (empty user_id
/// when invalid); logout(token hash hex, user id); create/modify users. A logout, or a user
/// change that ends sessions, is revoked in every front's token cache before it is answered.
using auth_actor = caf::typed_actor<
    caf::replies_to<login_atom, std::string, std::string, std::string>::with<api_reply>,
    caf::replies_to<verify_atom, std::string>::with<principal>,
    caf::replies_to<logout_atom, std::string, std::string>::with<api_reply>,
    caf::replies_to<user_add_atom, user_change_cmd>::with<api_reply>,
    caf::replies_to<user_mod_atom, user_change_cmd>::with<api_reply>,
    caf::reacts_to<done_atom, std::uint64_t>, caf::replies_to<metrics_atom>::with<figures_ptr>>;

/// What auth needs besides its database.
struct auth_config {
  auth_settings limits;
  std::chrono::seconds idempotency_ttl{86'400};
  std::chrono::milliseconds db_timeout{10'000};
  token_caches tokens;  // every front's verified tokens
};

/// Spawns the auth actor.
auth_actor spawn_auth(caf::actor_system& sys, slot_ptr<db_pool_actor> db, const auth_config& cfg);

}  // namespace billd
