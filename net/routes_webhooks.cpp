// Merchant webhooks: POST/GET /api/v1/webhooks, DELETE /api/v1/webhooks/{id},
// GET /api/v1/webhooks/{id}/deliveries (admin).

#include "actors/db_call.hpp"
#include "actors/reply_mapping.hpp"
#include "domain/crypto.hpp"
#include "domain/ids.hpp"
#include "domain/webhook_rules.hpp"
#include "net/front_state.hpp"
#include "net/json_input.hpp"
#include "net/pagination.hpp"
#include "net/query.hpp"
#include "storage/pg_connection.hpp"
#include "storage/webhook_store.hpp"

namespace billd {
namespace {

/// The events array of the body, recording type errors.
std::vector<std::string> read_events(const rapidjson::Value& doc, field_errors& errors) {
  std::vector<std::string> events;
  if (!doc.HasMember("events") || doc["events"].IsNull()) {
    errors.push_back({"events", "is required"});
    return events;
  }
  const auto& v = doc["events"];
  if (!v.IsArray()) {
    errors.push_back({"events", "must be an array of event names"});
    return events;
  }
  for (const auto& e : v.GetArray()) {
    if (!e.IsString()) {
      errors.push_back({"events", "must be an array of event names"});
      return {};
    }
    events.emplace_back(e.GetString(), e.GetStringLength());
  }
  if (auto why = check_webhook_events(events)) errors.push_back({"events", *why});
  return events;
}

}  // namespace

void handle_webhooks_create(front_self self, request_ctx ctx) {
  auto doc = object_body(self, ctx);
  if (!doc) return;
  field_errors errors;
  auto key = read_idempotency_key(ctx.req(), errors);
  object_reader r{*doc, "", errors};
  r.reject_unknown({"url", "events", "secret"});
  auto url = r.string("url");
  auto secret = r.string("secret");
  if (!url)
    errors.push_back({"url", "is required"});
  else if (auto why =
               check_webhook_url(*url, self->state.deps->cfg.webhooks.allow_private_networks))
    errors.push_back({"url", *why});
  auto events = read_events(*doc, errors);
  if (!secret)
    errors.push_back({"secret", "is required"});
  else if (auto why = check_webhook_secret(*secret))
    errors.push_back({"secret", *why});
  if (!errors.empty())
    return respond_problem(self, ctx, problem::validation_failed, "some fields are invalid",
                           errors);
  auto box = seal_secret(self->state.deps->webhook_key, *secret);
  idempotent_write(
      self, ctx, "webhook_insert", std::move(key),
      [id = new_id("whk"), url = *url, events, box, actor = ctx.who.user_id](pg_connection& c) {
        auto w = insert_webhook(c, id, url, events, box, actor);
        auto reply = ok_reply(201, webhook_json(w));
        reply.location = "/api/v1/webhooks/" + w.id;
        return reply;
      });
}

void handle_webhooks_list(front_self self, request_ctx ctx) {
  db_call<std::vector<webhook>>(
      self, self->state.deps->db, "webhook_list", false, request_timeout(self),
      [](pg_connection& c) { return list_webhooks(c); },
      [self, ctx](const db_outcome& o, std::optional<std::vector<webhook>>&& all) {
        if (!all) return respond_failure(self, ctx, o, false);
        std::string items = "[";
        for (const auto& w : *all) {
          if (items.size() > 1) items += ',';
          items += webhook_json(w);
        }
        http_response resp;
        resp.body = "{\"items\":" + items + "]}";
        respond(self, ctx, std::move(resp));
      },
      ctx.req().request_id);
}

void handle_webhooks_delete(front_self self, request_ctx ctx) {
  auto id = ctx.route.param;
  if (!is_valid_id(id, "whk"))
    return respond_problem(self, ctx, problem::not_found, "no such webhook");
  front_db_write<bool>(
      self, ctx, "webhook_delete",
      [id, actor = ctx.who.user_id](pg_connection& c) {
        return in_transaction(c, [&] { return delete_webhook(c, id, actor); });
      },
      [self, ctx](bool in_time, const db_outcome& o, std::optional<bool>&& removed) {
        if (!in_time) return;
        if (!removed) return respond_failure(self, ctx, o, true);
        if (!*removed) return respond_problem(self, ctx, problem::not_found, "no such webhook");
        http_response resp;
        resp.status = 204;
        respond(self, ctx, std::move(resp));
      });
}

void handle_webhooks_deliveries(front_self self, request_ctx ctx) {
  auto limit = read_limit_only(self, ctx);
  if (!limit) return;
  auto id = ctx.route.param;
  if (!is_valid_id(id, "whk"))
    return respond_problem(self, ctx, problem::not_found, "no such webhook");
  db_call<std::optional<std::string>>(
      self, self->state.deps->db, "webhook_deliveries_list", false, request_timeout(self),
      [id, limit = *limit](pg_connection& c) { return deliveries_json(c, id, limit); },
      [self, ctx](const db_outcome& o, std::optional<std::optional<std::string>>&& body) {
        respond_found(self, ctx, o, std::move(body), "no such webhook");
      },
      ctx.req().request_id);
}

}  // namespace billd
