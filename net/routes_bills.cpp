// Bills: create, read (ETag/304), list (filters + keyset pages), cancel (If-Match).

#include "actors/db_call.hpp"
#include "domain/civil_time.hpp"
#include "domain/ids.hpp"
#include "domain/json_text.hpp"
#include "log/module_log.hpp"
#include "net/bill_answers.hpp"
#include "net/front_state.hpp"
#include "net/json_input.hpp"
#include "net/pagination.hpp"
#include "net/query.hpp"
#include "storage/bill_store.hpp"

namespace billd {
namespace {

/// Reads the create body into a draft input, recording type errors and unknown fields.
bill_draft_input read_bill_body(const rapidjson::Value& doc, field_errors& errors) {
  object_reader root{doc, "", errors};
  root.reject_unknown({"payer", "amount", "currency", "description", "due_date", "reference"});
  bill_draft_input in;
  const auto* payer = root.object("payer");
  in.payer_present = payer != nullptr;
  if (payer != nullptr) {
    object_reader p{*payer, "payer", errors};
    p.reject_unknown({"name", "phone", "email"});
    in.payer.name = p.string("name");
    in.payer.phone = p.string("phone");
    in.payer.email = p.string("email");
  }
  in.amount = root.string("amount");
  in.currency = root.string("currency");
  in.description = root.string("description");
  in.due_date = root.string("due_date");
  in.reference = root.string("reference");
  return in;
}

}  // namespace

void handle_bills_create(front_self self, request_ctx ctx) {
  const auto& req = ctx.req();
  auto doc = object_body(self, ctx);
  if (!doc) return;
  field_errors errors;
  auto key = read_idempotency_key(req, errors);
  auto input = read_bill_body(*doc, errors);
  auto draft = validate_bill_draft(input, self->state.deps->currencies, errors);
  if (!errors.empty() || !draft)
    return respond_problem(self, ctx, problem::validation_failed, "some fields are invalid",
                           errors);
  create_bill_cmd cmd{new_id("bil"), std::move(*draft), ctx.who.user_id,
                      idempotency_of(req, std::move(key))};
  auto id = cmd.bill_id;
  send_to_shard(self, std::move(ctx), id, create_atom::value, std::move(cmd),
                [self](const api_reply& reply) {
                  // The control-number job was committed with the bill: start it now.
                  if (reply.kind != reply_kind::ok || reply.replayed) return;
                  if (auto jobs = self->state.deps->jobs->get())
                    caf::anon_send(jobs, wake_atom::value);
                });
}

void handle_bills_cancel(front_self self, request_ctx ctx) {
  const auto& req = ctx.req();
  const auto& id = ctx.route.param;
  field_errors errors;
  auto key = read_idempotency_key(req, errors);
  if (!req.body.empty()) {
    auto parsed = parse_json_body(req);
    if (auto* problem_resp = std::get_if<http_response>(&parsed))
      return respond(self, ctx, std::move(*problem_resp));
    const auto& doc = *std::get<std::shared_ptr<rapidjson::Document>>(parsed);
    if (!doc.IsObject())
      errors.push_back({"body", "must be a JSON object"});
    else
      object_reader{doc, "", errors}.reject_unknown({});
  }
  if (!errors.empty())
    return respond_problem(self, ctx, problem::validation_failed, "some fields are invalid",
                           errors);
  if (!is_valid_id(id, "bil"))
    return respond_problem(self, ctx, problem::not_found, "no such bill");
  cancel_bill_cmd cmd{id, ctx.who.user_id, if_match_version(req),
                      idempotency_of(req, std::move(key))};
  send_to_shard(self, std::move(ctx), id, cancel_atom::value, std::move(cmd));
}

namespace {

/// Reads one bill for a GET route and hands it to `then` (with its JSON when the cache has it
/// rendered, else nullptr); answers 404 and failures itself.
template <class Then>
void read_bill(front_self self, request_ctx ctx, Then then) {
  auto id = ctx.route.param;
  if (!is_valid_id(id, "bil"))
    return respond_problem(self, ctx, problem::not_found, "no such bill");
  auto cache = cache_of(self->state.deps->caches, id)->get();
  if (!cache) {
    // The cache shard is restarting: read PostgreSQL directly.
    return db_call<std::optional<bill>>(
        self, self->state.deps->db, "bill_find", false, request_timeout(self),
        [id](pg_connection& c) { return find_bill(c, id); },
        [self, ctx, then](const db_outcome& o, std::optional<std::optional<bill>>&& found) {
          if (!found) return respond_failure(self, ctx, o, false);
          if (!*found) return respond_problem(self, ctx, problem::not_found, "no such bill");
          then(**found, cache_status::bypass, nullptr);
        },
        ctx.req().request_id);
  }
  await_answer(self, ctx, problem::overloaded, "the cache did not answer in time");
  self->request(cache, caf::infinite, get_atom::value, id, ctx.req().request_id)
      .then(
          [self, ctx, then](const cache_answer& a) {
            if (!answer_arrived(self, ctx)) return;
            if (a.failed) return respond_failure(self, ctx, a.failure, false);
            if (!a.value) return respond_problem(self, ctx, problem::not_found, "no such bill");
            then(*a.value, a.status, a.json.get());
          },
          [self, ctx](const caf::error&) {
            if (!answer_arrived(self, ctx)) return;
            respond_problem(self, ctx, problem::overloaded, "the cache did not answer in time");
          });
}

}  // namespace

void handle_bills_get(front_self self, request_ctx ctx) {
  read_bill(self, ctx, [self, ctx](const bill& b, cache_status cached, const std::string* json) {
    respond(self, ctx, bill_read_response(ctx.req(), b, cached, json));
  });
}

void handle_bills_control_number(front_self self, request_ctx ctx) {
  read_bill(self, ctx, [self, ctx](const bill& b, cache_status, const std::string*) {
    if (b.control_number) {
      return respond(self, ctx, conditional_response(ctx.req(), b, [&] {
                       return json_object{}
                           .str("bill_id", b.id)
                           .str("control_number", *b.control_number)
                           .str("bill_status", to_string(b.status))
                           .finish();
                     }));
    }
    if (b.status == bill_status::failed) {
      std::string ext = R"("bill_status":"failed","reason":)";
      append_json_string(ext, b.failure_reason.value_or("the gateway refused the bill"));
      return respond(
          self, ctx,
          problem_response_with(problem::control_number_failed,
                                "the gateway refused this bill for good", ctx.req().path, ext));
    }
    if (b.status != bill_status::pending)
      return respond_problem(self, ctx, problem::conflict,
                             "a " + std::string{to_string(b.status)} +
                                 " bill without a control number will not get one");
    // Pending is a normal state: the gateway has not answered yet.
    logger_of(log_module::http)
        .debug("[{}] control number of {} still pending", ctx.req().request_id, b.id);
    http_response r;
    r.status = 202;
    r.with("Retry-After", "1");
    r.body = json_object{}.str("bill_id", b.id).str("bill_status", "pending").finish();
    respond(self, ctx, std::move(r));
  });
}

void handle_bills_list(front_self self, request_ctx ctx) {
  field_errors errors;
  query_params q{ctx.req().query, errors};
  q.check({"status", "payer_phone", "reference", "created_from", "created_to", "limit", "cursor"},
          errors);
  bill_filter filter;
  if (auto s = q.get("status")) {
    filter.status = parse_bill_status(*s);
    if (!filter.status) errors.push_back({"status", "is not a bill status"});
  }
  filter.payer_phone = q.get("payer_phone");
  filter.reference = q.get("reference");
  filter.created_from = q.timestamp("created_from", errors);
  filter.created_to = q.timestamp("created_to", errors);
  std::string canonical = std::string{filter.status ? to_string(*filter.status) : ""} + "\x1f" +
                          filter.payer_phone.value_or("") + "\x1f" + filter.reference.value_or("") +
                          "\x1f" + filter.created_from.value_or("") + "\x1f" +
                          filter.created_to.value_or("");
  auto page = read_page_request(q.get("limit"), q.get("cursor"), canonical, errors);
  if (!errors.empty())
    return respond_problem(self, ctx, problem::validation_failed, "invalid query", errors);
  db_call<bill_page>(
      self, self->state.deps->db, "bill_list", false, request_timeout(self),
      [filter, page](pg_connection& c) {
        return list_bills(c, filter, page.before_id, page.limit);
      },
      [self, ctx, canonical](const db_outcome& o, std::optional<bill_page>&& result) {
        if (!result) return respond_failure(self, ctx, o, false);
        std::string items = "[";
        for (std::size_t i = 0; i < result->items.size(); ++i) {
          if (i > 0) items += ',';
          items += bill_summary_json(result->items[i]);
        }
        items += ']';
        std::optional<std::string> next;
        if (result->more) next = make_cursor(result->items.back().id, canonical);
        http_response r;
        r.body = page_json(items, next);
        respond(self, ctx, std::move(r));
      },
      ctx.req().request_id);
}

}  // namespace billd
