// GET/PUT /api/v1/metrics/thresholds (admin): the alert thresholds of API.md. PUT takes the
// whole object, validates every field (unknown ones refused), honours If-Match against the
// stored version and is audited in the same transaction.

#include "actors/db_call.hpp"
#include "net/front_state.hpp"
#include "net/json_input.hpp"
#include "storage/threshold_store.hpp"

namespace billd {
namespace {

std::string etag_of(const alert_thresholds& t) { return "W/\"" + std::to_string(t.version) + "\""; }

void respond_thresholds(front_self self, const request_ctx& ctx, const alert_thresholds& t) {
  http_response r;
  r.body = thresholds_json(t);
  r.with("ETag", etag_of(t));
  r.with("Cache-Control", "no-store");
  respond(self, ctx, std::move(r));
}

/// Whether a required member is there (reports "is required" when it is absent or null).
bool present(const rapidjson::Value& doc, const char* name, field_errors& errors) {
  if (doc.HasMember(name) && !doc[name].IsNull()) return true;
  errors.push_back({name, "is required"});
  return false;
}

/// Reads a required integer member that must lie in [lo, hi].
std::int64_t bounded(const rapidjson::Value& doc, object_reader& r, const char* name,
                     std::int64_t lo, std::int64_t hi, field_errors& errors) {
  if (!present(doc, name, errors)) return 0;
  auto v = r.integer(name);
  if (v && (*v < lo || *v > hi))
    errors.push_back(
        {name, "must be between " + std::to_string(lo) + " and " + std::to_string(hi)});
  return v.value_or(0);
}

}  // namespace

void handle_thresholds_get(front_self self, request_ctx ctx) {
  db_call<alert_thresholds>(
      self, self->state.deps->db, "thresholds_load", false, request_timeout(self),
      [](pg_connection& c) { return load_thresholds(c); },
      [self, ctx](const db_outcome& o, std::optional<alert_thresholds>&& t) {
        if (!t) return respond_failure(self, ctx, o, false);
        respond_thresholds(self, ctx, *t);
      },
      ctx.req().request_id);
}

void handle_thresholds_put(front_self self, request_ctx ctx) {
  auto doc = object_body(self, ctx);
  if (!doc) return;
  field_errors errors;
  object_reader r{*doc, "", errors};
  r.reject_unknown(
      {"error_rate_pct", "avg_response_ms", "slow_requests", "active_sessions", "cooldown_s"});
  alert_thresholds t;
  if (present(*doc, "error_rate_pct", errors)) {
    auto rate = r.number("error_rate_pct");
    if (rate && !(*rate >= 0.01 && *rate <= error_rate_pct_max))
      errors.push_back({"error_rate_pct", "must be between 0.01 and 100"});
    t.error_rate_pct = rate.value_or(0);
  }
  t.avg_response_ms = bounded(*doc, r, "avg_response_ms", 1, threshold_int_max, errors);
  t.slow_requests = bounded(*doc, r, "slow_requests", 1, threshold_int_max, errors);
  t.active_sessions = bounded(*doc, r, "active_sessions", 1, threshold_int_max, errors);
  t.cooldown_s = bounded(*doc, r, "cooldown_s", 1, cooldown_s_max, errors);
  if (!errors.empty())
    return respond_problem(self, ctx, problem::validation_failed, "invalid thresholds", errors);
  auto expected = if_match_version(ctx.req());
  front_db_write<std::optional<alert_thresholds>>(
      self, ctx, "thresholds_replace",
      [t, expected, actor = ctx.who.user_id](pg_connection& c) {
        return replace_thresholds(c, t, expected, actor);
      },
      [self, ctx](bool in_time, const db_outcome& o,
                  std::optional<std::optional<alert_thresholds>>&& stored) {
        if (!in_time) return;
        if (!stored) return respond_failure(self, ctx, o, true);
        if (!*stored)
          return respond_problem(self, ctx, problem::precondition_failed,
                                 "the thresholds changed since that ETag; read them again");
        respond_thresholds(self, ctx, **stored);
      });
}

}  // namespace billd
