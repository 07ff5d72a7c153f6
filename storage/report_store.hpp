#pragma once
// GET /api/v1/reports/summary: per-currency figures over a time range.

#include <string>

namespace billd {

class pg_connection;

/// The summary JSON of API.md for [from, to) (RFC 3339), optionally one currency:
/// {"from","to","currencies":[{"currency","bills_created","amount_billed","amount_collected",
/// "credit","unapplied","outstanding","by_status":{status:count}}]}.
std::string summary_report_json(pg_connection& conn, const std::string& from, const std::string& to,
                                const std::string& currency);

}  // namespace billd
