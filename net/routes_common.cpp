// Helpers shared by the route handlers: actor replies to HTTP, idempotency headers.

#include "actors/db_call.hpp"
#include "actors/idempotent_tx.hpp"
#include "domain/crypto.hpp"
#include "net/front_state.hpp"
#include "net/json_input.hpp"
#include "net/pagination.hpp"
#include "net/query.hpp"

namespace billd {
namespace {

void set_header(http_response& r, const std::string& name, std::string value) {
  for (auto& [k, v] : r.headers)
    if (k == name) {
      v = std::move(value);
      return;
    }
  r.with(name, std::move(value));
}

http_response ok_response(const api_reply& reply) {
  http_response r;
  r.status = reply.status;
  r.body = reply.body;
  if (!reply.location.empty()) r.with("Location", reply.location);
  if (!reply.etag.empty()) {
    r.with("ETag", reply.etag);
    r.with("Cache-Control", "private, no-cache");
  }
  return r;
}

}  // namespace

std::shared_ptr<rapidjson::Document> object_body(front_self self, const request_ctx& ctx) {
  auto parsed = parse_json_body(ctx.req());
  if (auto* problem_resp = std::get_if<http_response>(&parsed)) {
    respond(self, ctx, std::move(*problem_resp));
    return nullptr;
  }
  auto doc = std::get<std::shared_ptr<rapidjson::Document>>(parsed);
  if (!doc->IsObject()) {
    respond_problem(self, ctx, problem::validation_failed, "the body must be an object",
                    {{"body", "must be a JSON object"}});
    return nullptr;
  }
  return doc;
}

void respond_failure(front_self self, const request_ctx& ctx, const db_outcome& outcome,
                     bool write) {
  respond(self, ctx, reply_to_http(reply_for_failure(outcome, write), ctx.req()));
}

namespace {

http_response render_reply(const api_reply& reply, const std::string& path) {
  switch (reply.kind) {
    case reply_kind::ok:
      return ok_response(reply);
    case reply_kind::not_found:
      return problem_response(problem::not_found, reply.detail, path);
    case reply_kind::conflict:
      return problem_response(problem::conflict, reply.detail, path);
    case reply_kind::precondition_failed:
      return problem_response(problem::precondition_failed, reply.detail, path);
    case reply_kind::validation_failed:
      return problem_response(problem::validation_failed, reply.field + " " + reply.detail, path,
                              {{reply.field, reply.detail}});
    case reply_kind::idempotency_mismatch:
      return problem_response(problem::idempotency_mismatch, reply.detail, path);
    case reply_kind::idempotency_in_flight:
      return problem_response(problem::idempotency_in_flight, reply.detail, path);
    case reply_kind::unauthenticated:
      return problem_response(problem::unauthenticated, reply.detail, path);
    case reply_kind::rate_limited: {
      auto r = problem_response(problem::rate_limited, reply.detail, path);
      set_header(r, "Retry-After", std::to_string(std::max<std::uint32_t>(1, reply.retry_after_s)));
      return r;
    }
    case reply_kind::overloaded: {
      auto r = problem_response(problem::overloaded, reply.detail, path);
      set_header(r, "Retry-After", std::to_string(std::max<std::uint32_t>(1, reply.retry_after_s)));
      return r;
    }
    case reply_kind::outcome_unknown:
      return problem_response(problem::outcome_unknown, reply.detail, path);
    case reply_kind::internal:
      return problem_response(problem::internal, "internal error", path);
    case reply_kind::too_large:
      return problem_response(problem::payload_too_large, reply.detail, path);
  }
  return problem_response(problem::internal, "internal error", path);
}

}  // namespace

http_response reply_to_http(const api_reply& reply, const http_request& req) {
  auto r = render_reply(reply, req.path);
  if (reply.replayed) r.with("Idempotent-Replayed", "true");
  return r;
}

std::string read_idempotency_key(const http_request& req, field_errors& errors) {
  auto h = req.header("idempotency-key");
  if (!h) return {};
  std::string_view key = *h;
  // The structured-field form is a quoted sf-string: "abc" (escapes \" and \\ allowed).
  std::string unquoted;
  if (key.size() >= 2 && key.front() == '"' && key.back() == '"') {
    for (std::size_t i = 1; i + 1 < key.size(); ++i) {
      if (key[i] == '\\' && i + 2 < key.size()) ++i;
      unquoted += key[i];
    }
    key = unquoted;
  }
  bool ok = !key.empty() && key.size() <= 255;
  for (char c : key) ok = ok && c >= 0x20 && c <= 0x7e;
  if (!ok) {
    errors.push_back({"Idempotency-Key", "must be 1 to 255 printable ASCII characters"});
    return {};
  }
  return std::string{key};
}

idempotency_ref idempotency_of(const http_request& req, std::string key) {
  idempotency_ref idem{std::move(key), {}, req.request_id};
  if (idem.key.empty()) return idem;
  std::string material = req.method;
  material += '\n';
  material += req.path;
  material += '\n';
  material += req.body;
  idem.fingerprint_hex = sha256_hex(material);
  return idem;
}

void idempotent_write(front_self self, const request_ctx& ctx, std::string name, std::string key,
                      std::function<api_reply(pg_connection&)> effect,
                      std::function<void()> after) {
  auto idem = idempotency_of(ctx.req(), std::move(key));
  front_db_write<api_reply>(
      self, ctx, std::move(name),
      [user = ctx.who.user_id, idem, ttl = self->state.deps->cfg.idempotency_ttl,
       effect = std::move(effect)](pg_connection& c) {
        return run_idempotent(c, user, idem, ttl, effect);
      },
      [self, ctx, after = std::move(after)](bool in_time, const db_outcome& o,
                                            std::optional<api_reply>&& reply) {
        if (reply && after && reply->kind == reply_kind::ok && !reply->replayed) after();
        if (!in_time) return;
        if (!reply) return respond_failure(self, ctx, o, true);
        respond(self, ctx, reply_to_http(*reply, ctx.req()));
      });
}

void respond_found(front_self self, const request_ctx& ctx, const db_outcome& outcome,
                   std::optional<std::optional<std::string>>&& found, std::string_view missing) {
  if (!found) return respond_failure(self, ctx, outcome, false);
  if (!*found) return respond_problem(self, ctx, problem::not_found, missing);
  http_response r;
  r.body = std::move(**found);
  respond(self, ctx, std::move(r));
}

std::optional<int> read_limit_only(front_self self, const request_ctx& ctx) {
  field_errors errors;
  query_params q{ctx.req().query, errors};
  q.check({"limit"}, errors);
  auto page = read_page_request(q.get("limit"), std::nullopt, "", errors);
  if (errors.empty()) return page.limit;
  respond_problem(self, ctx, problem::validation_failed, "invalid query", errors);
  return std::nullopt;
}

/// If-Match → the version it names; nullopt for "*" or absent; -1 when unparseable (never
/// matches, so the answer is 412).
std::optional<std::int64_t> if_match_version(const http_request& req) {
  auto h = req.header("if-match");
  if (!h || *h == "*") return std::nullopt;
  std::string_view t = *h;
  if (t.starts_with("W/")) t.remove_prefix(2);
  if (t.size() < 3 || t.front() != '"' || t.back() != '"') return -1;
  t = t.substr(1, t.size() - 2);
  std::int64_t v = 0;
  for (char c : t) {
    if (c < '0' || c > '9' || v > 1'000'000'000'000) return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace billd
