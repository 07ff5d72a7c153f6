// GET /api/v1/alerts: the alert history, newest first, optionally of one kind, paged.
// POST /api/v1/alerts/check: runs the alert actor's check now and answers what fired.

#include "actors/db_call.hpp"
#include "domain/json_text.hpp"
#include "net/front_state.hpp"
#include "net/pagination.hpp"
#include "net/query.hpp"
#include "storage/alert_store.hpp"

namespace billd {

void handle_alerts_list(front_self self, request_ctx ctx) {
  field_errors errors;
  query_params q{ctx.req().query, errors};
  q.check({"kind", "limit", "cursor"}, errors);
  auto kind = q.get("kind");
  if (kind && (kind->empty() || kind->size() > 64))
    errors.push_back({"kind", "must be 1 to 64 characters"});
  auto canonical = kind.value_or("");
  auto page = read_page_request(q.get("limit"), q.get("cursor"), canonical, errors);
  if (!errors.empty())
    return respond_problem(self, ctx, problem::validation_failed, "invalid query", errors);
  respond_keyset_page<alert_row>(
      self, ctx, "alert_list",
      [kind, before = page.before_id, limit = page.limit](pg_connection& c) {
        return list_alerts(c, kind, before, limit);
      },
      page.limit, canonical);
}

void handle_alerts_check(front_self self, request_ctx ctx) {
  auto alerts = self->state.deps->alerts->get();
  if (!alerts) return respond_problem(self, ctx, problem::overloaded, "alerts are restarting");
  self->request(alerts, request_timeout(self), check_atom::value)
      .then(
          [self, ctx](alert_check_result& r) {
            if (!r.checked) return respond_problem(self, ctx, problem::overloaded, r.why);
            http_response resp;
            resp.body = json_object{}.raw("fired", json_array(r.fired)).finish();
            respond(self, ctx, std::move(resp));
          },
          [self, ctx](caf::error&) {
            respond_problem(self, ctx, problem::overloaded, "the alert check did not finish");
          });
}

}  // namespace billd
