#include "storage/report_store.hpp"

#include "domain/bill_status.hpp"
#include "domain/json_text.hpp"
#include "domain/money.hpp"
#include "storage/pg_connection.hpp"

namespace billd {

std::string summary_report_json(pg_connection& conn, const std::string& from, const std::string& to,
                                const std::string& currency) {
  // Bills count by created_at, money collected by paid_at: the two ranges answer different
  // questions ("what did we bill" and "what came in") and API.md asks for both.
  static const pg_statement stmt{
      "report_summary",
      "WITH b AS (SELECT currency, max(currency_exponent) AS exp, count(*) AS n,"
      "                  sum(amount) AS billed,"
      "                  sum(amount - paid_amount) FILTER (WHERE status IN ('pending', 'issued',"
      "                      'partially_paid')) AS outstanding"
      "           FROM bills WHERE created_at >= $1 AND created_at < $2"
      "             AND ($3::text = '' OR currency = $3) GROUP BY currency),"
      " s AS (SELECT currency, status, count(*) AS n FROM bills"
      "       WHERE created_at >= $1 AND created_at < $2 AND ($3::text = '' OR currency = $3)"
      "       GROUP BY currency, status),"
      " p AS (SELECT currency, max(currency_exponent) AS exp,"
      "              sum(amount - credit) FILTER (WHERE outcome <> 'unapplied') AS collected,"
      "              sum(credit) AS credit,"
      "              sum(amount) FILTER (WHERE outcome = 'unapplied') AS unapplied"
      "       FROM payments WHERE paid_at >= $1 AND paid_at < $2"
      "         AND ($3::text = '' OR currency = $3) GROUP BY currency)"
      " SELECT coalesce(b.currency, p.currency), coalesce(b.exp, p.exp), coalesce(b.n, 0),"
      "        coalesce(b.billed, 0), coalesce(p.collected, 0), coalesce(p.credit, 0),"
      "        coalesce(p.unapplied, 0), coalesce(b.outstanding, 0),"
      "        coalesce((SELECT json_object_agg(s.status, s.n) FROM s"
      "                  WHERE s.currency = b.currency)::text, '{}')"
      " FROM b FULL JOIN p ON p.currency = b.currency ORDER BY 1"};
  auto rows = conn.run(stmt, {from, to, currency});
  std::string items = "[";
  for (int i = 0; i < rows.size(); ++i) {
    auto exp = static_cast<int>(rows.int64(i, 1));
    auto money = [&](int col) { return format_amount(rows.int64(i, col), exp); };
    if (i > 0) items += ',';
    items += json_object{}
                 .str("currency", rows.text(i, 0))
                 .num("bills_created", rows.int64(i, 2))
                 .str("amount_billed", money(3))
                 .str("amount_collected", money(4))
                 .str("credit", money(5))
                 .str("unapplied", money(6))
                 .str("outstanding", money(7))
                 .raw("by_status", rows.text(i, 8))
                 .finish();
  }
  items += ']';
  return json_object{}.str("from", from).str("to", to).raw("currencies", items).finish();
}

}  // namespace billd
