#pragma once
// PostgreSQL array literals in text format, for statements that take one array parameter per
// column (INSERT … SELECT FROM unnest($1::text[], …)): many rows, one statement.

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace billd {

/// {"a","b\"c",NULL}: every element quoted and escaped; nullopt is NULL.
std::string pg_array(const std::vector<std::optional<std::string>>& items);
/// The same for elements that are never NULL.
std::string pg_array(const std::vector<std::string>& items);

/// Rows gathered column by column for a statement that takes one array parameter per column:
/// add_row in row order, then params() gives the N array literals in column order.
template <std::size_t N>
class pg_columns {
 public:
  using row = std::array<std::optional<std::string>, N>;

  void reserve(std::size_t rows) {
    for (auto& c : columns_) c.reserve(rows);
  }
  bool empty() const { return columns_[0].empty(); }
  void add_row(row values) {
    for (std::size_t i = 0; i < N; ++i) columns_[i].push_back(std::move(values[i]));
  }
  std::vector<std::optional<std::string>> params() const {
    std::vector<std::optional<std::string>> out;
    out.reserve(N);
    for (const auto& c : columns_) out.emplace_back(pg_array(c));
    return out;
  }

 private:
  std::array<std::vector<std::optional<std::string>>, N> columns_;
};

}  // namespace billd
