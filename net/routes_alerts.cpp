// GET /api/v1/alerts: the alert history, newest first, optionally of one kind, paged.

#include "actors/db_call.hpp"
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

}  // namespace billd
