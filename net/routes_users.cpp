// Auth and users: login, logout, me, create/list/update users.

#include "actors/db_call.hpp"
#include "domain/ids.hpp"
#include "net/front_state.hpp"
#include "net/json_input.hpp"
#include "net/pagination.hpp"
#include "net/query.hpp"
#include "storage/user_store.hpp"

namespace billd {
namespace {

template <class Atom, class... Ts>
void ask_auth(front_self self, request_ctx ctx, bool write, Atom atom, Ts... args) {
  auto auth = self->state.deps->auth->get();
  if (!auth) return respond_problem(self, ctx, problem::overloaded, "authentication is restarting");
  self->request(auth, request_timeout(self), atom, std::move(args)...)
      .then(
          [self, ctx](api_reply& reply) {
            auto resp = reply_to_http(reply, ctx.req());
            // A login answer carries the session token: never compressed (BREACH).
            resp.sensitive = std::is_same_v<Atom, login_atom>;
            respond(self, ctx, std::move(resp));
          },
          [self, ctx, write](caf::error& err) {
            auto p = (!write || err == caf::sec::request_receiver_down) ? problem::overloaded
                                                                        : problem::outcome_unknown;
            respond_problem(self, ctx, p, "authentication did not answer");
          });
}

void require(field_errors& errors, const std::string& field, bool present) {
  if (!present && !has_error_for(errors, field)) errors.push_back({field, "is required"});
}

}  // namespace

void handle_login(front_self self, request_ctx ctx) {
  auto doc = object_body(self, ctx);
  if (!doc) return;
  field_errors errors;
  object_reader r{*doc, "", errors};
  r.reject_unknown({"username", "password"});
  auto username = r.string("username");
  auto password = r.string("password");
  require(errors, "username", username.has_value());
  require(errors, "password", password.has_value());
  if (!errors.empty())
    return respond_problem(self, ctx, problem::validation_failed, "some fields are invalid",
                           errors);
  auto ip = ctx.req().remote_ip;
  ask_auth(self, std::move(ctx), false, login_atom::value, std::move(*username),
           std::move(*password), std::move(ip));
}

void handle_logout(front_self self, request_ctx ctx) {
  auto hash = ctx.token_hash;
  auto user = ctx.who.user_id;
  ask_auth(self, std::move(ctx), true, logout_atom::value, std::move(hash), std::move(user));
}

namespace {

/// Answers one user, or `missing` when there is none.
void respond_user(front_self self, request_ctx ctx, std::string id, problem missing) {
  db_call<std::optional<user>>(
      self, self->state.deps->db, "user_find", false, request_timeout(self),
      [id](pg_connection& c) { return find_user(c, id); },
      [self, ctx, missing](const db_outcome& o, std::optional<std::optional<user>>&& found) {
        if (!found) return respond_failure(self, ctx, o, false);
        if (!*found) return respond_problem(self, ctx, missing, "no such user");
        http_response r;
        r.body = user_json(**found);
        respond(self, ctx, std::move(r));
      },
      ctx.req().request_id);
}

}  // namespace

void handle_me(front_self self, request_ctx ctx) {
  auto id = ctx.who.user_id;
  respond_user(self, std::move(ctx), std::move(id), problem::unauthenticated);
}

void handle_users_get(front_self self, request_ctx ctx) {
  auto id = ctx.route.param;
  if (!is_valid_id(id, "usr"))
    return respond_problem(self, ctx, problem::not_found, "no such user");
  respond_user(self, std::move(ctx), std::move(id), problem::not_found);
}

void handle_users_create(front_self self, request_ctx ctx) {
  auto doc = object_body(self, ctx);
  if (!doc) return;
  field_errors errors;
  auto key = read_idempotency_key(ctx.req(), errors);
  object_reader r{*doc, "", errors};
  r.reject_unknown({"username", "password", "role"});
  user_change_cmd cmd;
  cmd.username = r.string("username");
  cmd.password = r.string("password");
  auto role = r.string("role");
  require(errors, "username", cmd.username.has_value());
  require(errors, "password", cmd.password.has_value());
  require(errors, "role", role.has_value());
  if (cmd.username)
    if (auto e = check_username(*cmd.username)) errors.push_back({"username", *e});
  if (cmd.password)
    if (auto e = check_password(*cmd.password)) errors.push_back({"password", *e});
  if (role) {
    cmd.role = parse_user_role(*role);
    if (!cmd.role) errors.push_back({"role", "must be one of admin, clerk, viewer"});
  }
  if (!errors.empty())
    return respond_problem(self, ctx, problem::validation_failed, "some fields are invalid",
                           errors);
  cmd.actor_id = ctx.who.user_id;
  cmd.idem = idempotency_of(ctx.req(), std::move(key));
  ask_auth(self, std::move(ctx), true, user_add_atom::value, std::move(cmd));
}

void handle_users_update(front_self self, request_ctx ctx) {
  auto doc = object_body(self, ctx);
  if (!doc) return;
  field_errors errors;
  auto key = read_idempotency_key(ctx.req(), errors);
  object_reader r{*doc, "", errors};
  r.reject_unknown({"role", "disabled", "password"});
  user_change_cmd cmd;
  cmd.password = r.string("password");
  cmd.disabled = r.boolean("disabled");
  if (auto role = r.string("role")) {
    cmd.role = parse_user_role(*role);
    if (!cmd.role) errors.push_back({"role", "must be one of admin, clerk, viewer"});
  }
  if (cmd.password)
    if (auto e = check_password(*cmd.password)) errors.push_back({"password", *e});
  if (!errors.empty())
    return respond_problem(self, ctx, problem::validation_failed, "some fields are invalid",
                           errors);
  if (!is_valid_id(ctx.route.param, "usr"))
    return respond_problem(self, ctx, problem::not_found, "no such user");
  cmd.user_id = ctx.route.param;
  cmd.actor_id = ctx.who.user_id;
  cmd.idem = idempotency_of(ctx.req(), std::move(key));
  ask_auth(self, std::move(ctx), true, user_mod_atom::value, std::move(cmd));
}

void handle_users_list(front_self self, request_ctx ctx) {
  field_errors errors;
  query_params q{ctx.req().query, errors};
  q.check({"limit", "cursor"}, errors);
  auto page = read_page_request(q.get("limit"), q.get("cursor"), "users", errors);
  if (!errors.empty())
    return respond_problem(self, ctx, problem::validation_failed, "invalid query", errors);
  db_call<std::vector<user>>(
      self, self->state.deps->db, "user_list", false, request_timeout(self),
      [page](pg_connection& c) { return list_users(c, page.before_id, page.limit + 1); },
      [self, ctx, limit = page.limit](const db_outcome& o,
                                      std::optional<std::vector<user>>&& rows) {
        if (!rows) return respond_failure(self, ctx, o, false);
        bool more = static_cast<int>(rows->size()) > limit;
        if (more) rows->resize(static_cast<std::size_t>(limit));
        std::string items = "[";
        for (std::size_t i = 0; i < rows->size(); ++i) {
          if (i > 0) items += ',';
          items += user_json((*rows)[i]);
        }
        items += ']';
        std::optional<std::string> next;
        if (more) next = make_cursor(rows->back().id, "users");
        http_response r;
        r.body = page_json(items, next);
        respond(self, ctx, std::move(r));
      },
      ctx.req().request_id);
}

}  // namespace billd
