// Reading payments and the gateway log: GET /api/v1/payments[/{id}],
// /api/v1/bills/{id}/payments and /api/v1/bills/{id}/gateway-log.

#include "actors/db_call.hpp"
#include "domain/civil_time.hpp"
#include "domain/ids.hpp"
#include "domain/json_text.hpp"
#include "net/front_state.hpp"
#include "net/pagination.hpp"
#include "net/query.hpp"
#include "storage/bill_store.hpp"
#include "storage/gateway_log_store.hpp"
#include "storage/payment_store.hpp"

namespace billd {
namespace {

/// Lists payments under filter (already validated) as one keyset page.
void respond_payment_page(front_self self, request_ctx ctx, payment_filter filter,
                          page_request page, std::string canonical) {
  respond_keyset_page<payment_row>(
      self, ctx, "payment_list",
      [filter, page](pg_connection& c) {
        return list_payments(c, filter, page.before_id, page.limit);
      },
      page.limit, std::move(canonical));
}

}  // namespace

void handle_payments_list(front_self self, request_ctx ctx) {
  field_errors errors;
  query_params q{ctx.req().query, errors};
  q.check({"outcome", "from", "to", "limit", "cursor"}, errors);
  payment_filter filter;
  filter.outcome = q.get("outcome");
  if (filter.outcome && *filter.outcome != "applied" && *filter.outcome != "overpaid" &&
      *filter.outcome != "unapplied")
    errors.push_back({"outcome", "must be applied, overpaid or unapplied"});
  filter.from = q.timestamp("from", errors);
  filter.to = q.timestamp("to", errors);
  auto canonical = filter.outcome.value_or("") + "\x1f" + filter.from.value_or("") + "\x1f" +
                   filter.to.value_or("");
  auto page = read_page_request(q.get("limit"), q.get("cursor"), canonical, errors);
  if (!errors.empty())
    return respond_problem(self, ctx, problem::validation_failed, "invalid query", errors);
  respond_payment_page(self, std::move(ctx), std::move(filter), page, std::move(canonical));
}

void handle_bills_payments(front_self self, request_ctx ctx) {
  field_errors errors;
  query_params q{ctx.req().query, errors};
  q.check({"limit", "cursor"}, errors);
  auto id = ctx.route.param;
  auto page = read_page_request(q.get("limit"), q.get("cursor"), "bill:" + id, errors);
  if (!errors.empty())
    return respond_problem(self, ctx, problem::validation_failed, "invalid query", errors);
  if (!is_valid_id(id, "bil"))
    return respond_problem(self, ctx, problem::not_found, "no such bill");
  // A bill without payments answers an empty list; an unknown bill answers 404.
  db_call<bool>(
      self, self->state.deps->db, "bill_find", false, request_timeout(self),
      [id](pg_connection& c) { return find_bill(c, id).has_value(); },
      [self, ctx, id, page](const db_outcome& o, std::optional<bool>&& exists) {
        if (!exists) return respond_failure(self, ctx, o, false);
        if (!*exists) return respond_problem(self, ctx, problem::not_found, "no such bill");
        payment_filter filter;
        filter.bill_id = id;
        respond_payment_page(self, ctx, filter, page, "bill:" + id);
      },
      ctx.req().request_id);
}

void handle_payments_get(front_self self, request_ctx ctx) {
  auto id = ctx.route.param;
  if (!is_valid_id(id, "pay"))
    return respond_problem(self, ctx, problem::not_found, "no such payment");
  db_call<std::optional<std::string>>(
      self, self->state.deps->db, "payment_find", false, request_timeout(self),
      [id](pg_connection& c) { return find_payment_json(c, id); },
      [self, ctx](const db_outcome& o, std::optional<std::optional<std::string>>&& found) {
        respond_found(self, ctx, o, std::move(found), "no such payment");
      },
      ctx.req().request_id);
}

void handle_bills_gateway_log(front_self self, request_ctx ctx) {
  auto limit = read_limit_only(self, ctx);
  if (!limit) return;
  auto id = ctx.route.param;
  if (!is_valid_id(id, "bil"))
    return respond_problem(self, ctx, problem::not_found, "no such bill");
  using result = std::optional<std::vector<gateway_log_entry>>;
  db_call<result>(
      self, self->state.deps->db, "gateway_log_list", false, request_timeout(self),
      [id, limit = *limit](pg_connection& c) -> result {
        if (!find_bill(c, id)) return std::nullopt;
        return list_gateway_log(c, id, limit);
      },
      [self, ctx](const db_outcome& o, std::optional<result>&& rows) {
        if (!rows) return respond_failure(self, ctx, o, false);
        if (!*rows) return respond_problem(self, ctx, problem::not_found, "no such bill");
        std::string items = "[";
        for (const auto& e : **rows) {
          if (items.size() > 1) items += ',';
          items += json_object{}
                       .str("req_type", e.req_type)
                       .str("status", e.status)
                       .raw("http_status", e.http_status ? std::to_string(*e.http_status) : "null")
                       .num("latency_ms", e.latency_ms)
                       .num("attempt", e.attempt)
                       .str("created_at", e.created_at)
                       .opt("detail",
                            e.detail.empty() ? std::nullopt : std::optional<std::string>{e.detail})
                       .finish();
        }
        items += ']';
        http_response r;
        r.body = json_object{}.raw("items", items).finish();
        respond(self, ctx, std::move(r));
      },
      ctx.req().request_id);
}

}  // namespace billd
