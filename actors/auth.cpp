#include "actors/auth.hpp"

#include <spdlog/spdlog.h>
#include <caf/all.hpp>

#include <unordered_map>
#include <unordered_set>

#include "actors/db_call.hpp"
#include "actors/hash_pool.hpp"
#include "actors/idempotent_tx.hpp"
#include "actors/login_throttle.hpp"
#include "actors/reply_mapping.hpp"
#include "domain/civil_time.hpp"
#include "domain/crypto.hpp"
#include "domain/ids.hpp"
#include "domain/json_text.hpp"
#include "storage/bill_store.hpp"
#include "storage/pg_connection.hpp"
#include "storage/user_store.hpp"

namespace billd {
namespace {

struct auth_state {
  static inline const char* name = "auth";
  slot_ptr<db_pool_actor> db;
  auth_config cfg;
  std::unique_ptr<hash_pool> hashing;
  std::string dummy_hash;  // verified for unknown users so they cost the same time
  login_throttle throttle{login_throttle::limits{}};
  std::uint64_t next_job = 0;
  std::unordered_map<std::uint64_t, std::function<void()>> continuations;
};

using self_ptr = auth_actor::stateful_pointer<auth_state>;

/// Runs job on the hash pool, then `then` on the actor's thread. False when the pool is full.
bool off_thread(self_ptr self, std::function<void()> job, std::function<void()> then) {
  auto seq = ++self->state.next_job;
  caf::weak_actor_ptr weak = self->ctrl();
  bool queued = self->state.hashing->try_submit([job = std::move(job), weak, seq] {
    job();
    if (auto strong = caf::actor_cast<caf::strong_actor_ptr>(weak))
      caf::anon_send(caf::actor_cast<auth_actor>(strong), done_atom::value, seq);
  });
  if (queued) self->state.continuations.emplace(seq, std::move(then));
  return queued;
}

api_reply login_body(const std::string& token, const session_info& s) {
  auto u = json_object{}
               .str("id", s.account.id)
               .str("username", s.account.username)
               .str("role", to_string(s.account.role))
               .finish();
  return ok_reply(
      200,
      json_object{}.str("token", token).str("expires_at", s.expires_at).raw("user", u).finish());
}

api_reply throttled(std::uint32_t seconds) {
  auto r = make_reply(reply_kind::rate_limited, "too many failed logins; try again later");
  r.retry_after_s = seconds;
  return r;
}

void finish_login(self_ptr self, caf::typed_response_promise<api_reply> rp,
                  std::optional<user_credentials> creds, std::string username, std::string ip,
                  bool password_ok) {
  auto now = self->clock().now();
  if (!creds || !password_ok || creds->account.disabled) {
    self->state.throttle.record_failure(username, ip, now);
    rp.deliver(make_reply(reply_kind::unauthenticated, "invalid username or password"));
    return;
  }
  auto token = random_token();
  auto hash = sha256_hex(token);
  auto ttl = self->state.cfg.limits.token_ttl.count();
  auto account = creds->account;
  db_call<std::string>(
      self, self->state.db, "session_insert", true, self->state.cfg.db_timeout,
      [hash, id = account.id, ttl](pg_connection& c) { return insert_session(c, hash, id, ttl); },
      [rp, token, account](const db_outcome& o, std::optional<std::string>&& expires) mutable {
        if (!expires) return rp.deliver(reply_for_failure(o, true)), void();
        rp.deliver(login_body(token, session_info{account, *expires}));
      });
}

caf::result<api_reply> login(self_ptr self, std::string username, std::string password,
                             std::string ip) {
  if (auto wait = self->state.throttle.blocked_for(username, ip, self->clock().now()))
    return throttled(wait);
  auto rp = self->make_response_promise<api_reply>();
  db_call<std::optional<user_credentials>>(
      self, self->state.db, "user_credentials", false, self->state.cfg.db_timeout,
      [username](pg_connection& c) { return find_credentials(c, username); },
      [self, rp, username, password, ip](
          const db_outcome& o, std::optional<std::optional<user_credentials>>&& r) mutable {
        if (!r) return rp.deliver(reply_for_failure(o, false)), void();
        auto creds = std::move(*r);
        auto hash = creds ? creds->password_hash : self->state.dummy_hash;
        auto ok = std::make_shared<bool>(false);
        bool queued = off_thread(
            self, [hash, password, ok] { *ok = verify_password(hash, password); },
            [self, rp, creds, username, ip, ok] {
              finish_login(self, rp, creds, username, ip, *ok);
            });
        if (!queued) {
          auto busy = make_reply(reply_kind::overloaded, "too many logins in progress");
          busy.retry_after_s = 1;
          rp.deliver(busy);
        }
      });
  return rp;
}

std::string field_change(std::string_view before, std::string_view after) {
  std::string out = "{\"before\":";
  if (before.empty())
    out += "null";
  else
    append_json_string(out, before);
  out += ",\"after\":";
  append_json_string(out, after);
  return out + "}";
}

bool would_remove_last_admin(pg_connection& c, const user& target, const user_change_cmd& cmd) {
  if (target.role != user_role::admin || target.disabled) return false;
  bool demoted = cmd.role && *cmd.role != user_role::admin;
  bool disabled = cmd.disabled && *cmd.disabled;
  if (!demoted && !disabled) return false;
  auto rows = c.exec(
      "SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled AND id <> $1", {target.id});
  return rows.int64(0, 0) == 0;
}

api_reply create_user_effect(pg_connection& c, const user_change_cmd& cmd,
                             const std::string& hash) {
  user created;
  try {
    created = insert_user(c, new_id("usr"), *cmd.username, hash, *cmd.role);
  } catch (const db_error& e) {
    if (e.code() == db_errc::unique_violation)
      return make_reply(reply_kind::conflict, "username already exists");
    throw;
  }
  auto changes = json_object{}
                     .raw("username", field_change("", created.username))
                     .raw("role", field_change("", to_string(created.role)))
                     .finish();
  record_audit(c, "user", created.id, "create", cmd.actor_id, changes);
  auto r = ok_reply(201, user_json(created));
  r.location = "/api/v1/users/" + created.id;
  return r;
}

api_reply modify_user_effect(pg_connection& c, const user_change_cmd& cmd,
                             const std::optional<std::string>& hash) {
  auto before = find_user(c, cmd.user_id);
  if (!before) return make_reply(reply_kind::not_found, "no such user");
  if (would_remove_last_admin(c, *before, cmd))
    return make_reply(reply_kind::conflict, "the last active admin cannot be disabled or demoted");
  auto after = update_user(c, cmd.user_id, cmd.role, cmd.disabled, hash);
  if (!after) return make_reply(reply_kind::not_found, "no such user");
  if ((cmd.disabled && *cmd.disabled) || hash) revoke_user_sessions(c, cmd.user_id);
  json_object changes;
  if (before->role != after->role)
    changes.raw("role", field_change(to_string(before->role), to_string(after->role)));
  if (before->disabled != after->disabled)
    changes.raw("disabled", field_change(before->disabled ? "true" : "false",
                                         after->disabled ? "true" : "false"));
  if (hash) changes.raw("password", "{\"before\":null,\"after\":\"changed\"}");
  record_audit(c, "user", cmd.user_id, "update", cmd.actor_id, std::move(changes).finish());
  return ok_reply(200, user_json(*after));
}

/// Hashes the command's password (when any) off-thread, then runs effect in an idempotent
/// transaction, then `after` on success.
template <class Effect>
caf::result<api_reply> user_write(self_ptr self, user_change_cmd cmd, Effect effect,
                                  bool revoke_after) {
  auto rp = self->make_response_promise<api_reply>();
  auto hash = std::make_shared<std::optional<std::string>>();
  auto run = [self, rp, cmd, hash, effect, revoke_after]() mutable {
    auto cfg = self->state.cfg;
    db_call<api_reply>(
        self, self->state.db, "user_write", true, cfg.db_timeout,
        [cmd, hash, effect, ttl = cfg.idempotency_ttl](pg_connection& c) {
          return run_idempotent(c, cmd.actor_id, cmd.idem, ttl,
                                [&](pg_connection& conn) { return effect(conn, cmd, *hash); });
        },
        [self, rp, cmd, revoke_after](const db_outcome& o, std::optional<api_reply>&& r) mutable {
          if (!r) return rp.deliver(reply_for_failure(o, true)), void();
          if (revoke_after && r->kind == reply_kind::ok && !r->replayed)
            revoke_everywhere(self->state.cfg.tokens, "", cmd.user_id);
          rp.deliver(std::move(*r));
        },
        cmd.idem.request_id);
  };
  if (!cmd.password) {
    run();
    return rp;
  }
  auto limits = self->state.cfg.limits;
  auto password = *cmd.password;
  if (!off_thread(
          self,
          [hash, password, limits] {
            *hash = hash_password(password, limits.argon2_ops, limits.argon2_mem_kib);
          },
          run)) {
    auto busy = make_reply(reply_kind::overloaded, "too many password changes in progress");
    busy.retry_after_s = 1;
    rp.deliver(busy);
  }
  return rp;
}

}  // namespace

auth_actor spawn_auth(caf::actor_system& sys, slot_ptr<db_pool_actor> db, const auth_config& cfg) {
  auto impl = [](self_ptr self, slot_ptr<db_pool_actor> pool,
                 auth_config conf) -> auth_actor::behavior_type {
    auto& st = self->state;
    st.db = std::move(pool);
    st.cfg = std::move(conf);
    st.hashing =
        std::make_unique<hash_pool>(st.cfg.limits.hash_workers, st.cfg.limits.hash_queue_max);
    st.dummy_hash =
        hash_password(random_token(), st.cfg.limits.argon2_ops, st.cfg.limits.argon2_mem_kib);
    return {
        [self](metrics_atom) {
          auto f = std::make_shared<figure_set>();
          f->add("billd_auth_hash_queue", "", static_cast<double>(self->state.hashing->queued()));
          f->add("billd_auth_hash_queue_max", "", self->state.cfg.limits.hash_queue_max);
          add_mailbox_depth(*f, "auth", self->mailbox().size());
          return figures_ptr{f};
        },
        [self](login_atom, std::string& username, std::string& password, std::string& ip) {
          return login(self, std::move(username), std::move(password), std::move(ip));
        },
        [self](verify_atom, const std::string& token_hash) -> caf::result<principal> {
          auto rp = self->make_response_promise<principal>();
          db_call<std::optional<session_info>>(
              self, self->state.db, "session_find", false, self->state.cfg.db_timeout,
              [token_hash, touch = self->state.cfg.limits.session_touch_interval](
                  pg_connection& c) { return find_session(c, token_hash, touch); },
              [rp](const db_outcome& o, std::optional<std::optional<session_info>>&& s) mutable {
                if (!s)
                  return rp.deliver(caf::make_error(caf::sec::request_timeout, o.message)), void();
                principal p;
                if (*s) {
                  p.user_id = (*s)->account.id;
                  p.username = (*s)->account.username;
                  p.role = (*s)->account.role;
                  p.expires_at_ms = parse_rfc3339_ms((*s)->expires_at).value_or(0);
                }
                rp.deliver(std::move(p));
              });
          return rp;
        },
        [self](logout_atom, const std::string& token_hash,
               const std::string& user_id) -> caf::result<api_reply> {
          auto rp = self->make_response_promise<api_reply>();
          db_call<bool>(
              self, self->state.db, "session_revoke", true, self->state.cfg.db_timeout,
              [token_hash](pg_connection& c) { return revoke_session(c, token_hash); },
              [self, rp, token_hash, user_id](const db_outcome& o,
                                              std::optional<bool>&& ok) mutable {
                if (!ok) return rp.deliver(reply_for_failure(o, true)), void();
                revoke_everywhere(self->state.cfg.tokens, token_hash, "");
                rp.deliver(ok_reply(204, ""));
              });
          return rp;
        },
        [self](user_add_atom, user_change_cmd& cmd) {
          return user_write(
              self, std::move(cmd),
              [](pg_connection& c, const user_change_cmd& x, const std::optional<std::string>& h) {
                return create_user_effect(c, x, h.value_or(""));
              },
              false);
        },
        [self](user_mod_atom, user_change_cmd& cmd) {
          return user_write(self, std::move(cmd), modify_user_effect, true);
        },
        [self](done_atom, std::uint64_t seq) {
          auto it = self->state.continuations.find(seq);
          if (it == self->state.continuations.end()) return;
          auto then = std::move(it->second);
          self->state.continuations.erase(it);
          then();
        },
    };
  };
  return sys.spawn(impl, std::move(db), cfg);
}

}  // namespace billd
