#pragma once
// The alert thresholds row: read, and replaced under If-Match with an audit record.

#include <optional>
#include <string>

#include "domain/thresholds.hpp"

namespace billd {

class pg_connection;

alert_thresholds load_thresholds(pg_connection& conn);

/// In a transaction of its own: replaces the thresholds if `expected_version` (when given) is
/// the stored one, recording the change in the audit log as `actor`; the stored row, or
/// nullopt when the version differed.
std::optional<alert_thresholds> replace_thresholds(pg_connection& conn, const alert_thresholds& t,
                                                   std::optional<std::int64_t> expected_version,
                                                   const std::string& actor);

}  // namespace billd
