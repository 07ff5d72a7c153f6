#pragma once
// PostgreSQL array literals in text format, for statements that take one array parameter per
// column (INSERT … SELECT FROM unnest($1::text[], …)): many rows, one statement.

#include <optional>
#include <string>
#include <vector>

namespace billd {

/// {"a","b\"c",NULL}: every element quoted and escaped; nullopt is NULL.
std::string pg_array(const std::vector<std::optional<std::string>>& items);

}  // namespace billd
