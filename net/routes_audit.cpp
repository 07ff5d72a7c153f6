// GET /api/v1/audit: the audit log, newest first, filtered and paged.

#include <charconv>

#include "actors/db_call.hpp"
#include "net/front_state.hpp"
#include "net/pagination.hpp"
#include "net/query.hpp"
#include "storage/audit_store.hpp"

namespace billd {

void handle_audit_list(front_self self, request_ctx ctx) {
  field_errors errors;
  query_params q{ctx.req().query, errors};
  q.check({"entity_type", "entity_id", "actor", "from", "to", "limit", "cursor"}, errors);
  audit_filter filter;
  filter.entity_type = q.get("entity_type");
  if (filter.entity_type) {
    static constexpr std::string_view types[] = {"bill", "payment", "user", "webhook",
                                                 "thresholds"};
    if (std::find(std::begin(types), std::end(types), *filter.entity_type) == std::end(types))
      errors.push_back({"entity_type", "must be bill, payment, user, webhook or thresholds"});
  }
  filter.entity_id = q.get("entity_id");
  filter.actor = q.get("actor");
  filter.from = q.timestamp("from", errors);
  filter.to = q.timestamp("to", errors);
  auto canonical = filter.entity_type.value_or("") + "\x1f" + filter.entity_id.value_or("") +
                   "\x1f" + filter.actor.value_or("") + "\x1f" + filter.from.value_or("") + "\x1f" +
                   filter.to.value_or("");
  auto page = read_page_request(q.get("limit"), q.get("cursor"), canonical, errors);
  std::optional<std::int64_t> before;
  if (page.before_id) {
    std::int64_t id = 0;
    auto [end, ec] = std::from_chars(page.before_id->data(),
                                     page.before_id->data() + page.before_id->size(), id);
    if (ec != std::errc{} || end != page.before_id->data() + page.before_id->size())
      errors.push_back({"cursor", "is not a cursor of this list"});
    else
      before = id;
  }
  if (!errors.empty())
    return respond_problem(self, ctx, problem::validation_failed, "invalid query", errors);
  respond_keyset_page<audit_row>(
      self, ctx, "audit_list",
      [filter, before, limit = page.limit](pg_connection& c) {
        return list_audit(c, filter, before, limit);
      },
      page.limit, canonical);
}

}  // namespace billd
