// GET /api/v1/reports/summary: per-currency figures, the last 30 days unless from/to say.

#include "actors/db_call.hpp"
#include "domain/civil_time.hpp"
#include "net/front_state.hpp"
#include "net/query.hpp"
#include "storage/report_store.hpp"

namespace billd {

void handle_reports_summary(front_self self, request_ctx ctx) {
  field_errors errors;
  query_params q{ctx.req().query, errors};
  q.check({"from", "to", "currency"}, errors);
  auto from = q.timestamp("from", errors);
  auto to = q.timestamp("to", errors);
  auto currency = q.get("currency").value_or("");
  if (!currency.empty() && self->state.deps->currencies.find(currency) == nullptr)
    errors.push_back({"currency", "is not an accepted currency"});
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  if (!to) to = format_rfc3339_ms(now_ms);
  if (!from) from = format_rfc3339_ms(*parse_rfc3339_ms(*to) - 30LL * 86'400'000);
  if (errors.empty() && *parse_rfc3339_ms(*from) > *parse_rfc3339_ms(*to))
    errors.push_back({"from", "must not be after to"});
  if (!errors.empty())
    return respond_problem(self, ctx, problem::validation_failed, "invalid query", errors);
  db_call<std::string>(
      self, self->state.deps->db, "report_summary", false, request_timeout(self),
      [from = *from, to = *to, currency](pg_connection& c) {
        return summary_report_json(c, from, to, currency);
      },
      [self, ctx](const db_outcome& o, std::optional<std::string>&& body) {
        if (!body) return respond_failure(self, ctx, o, false);
        http_response r;
        r.body = std::move(*body);
        respond(self, ctx, std::move(r));
      },
      ctx.req().request_id);
}

}  // namespace billd
