#pragma once
// Keyset pagination of API.md: ?limit= (1–100, default 20) and an opaque ?cursor= bound to
// the filters it was issued for.

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/field_error.hpp"

namespace billd {

/// A decoded page request.
struct page_request {
  int limit = 20;
  std::optional<std::string> before_id;
};

/// Reads limit and cursor; `filters` is a canonical text of the other parameters, so a cursor
/// used with different filters is refused (422).
page_request read_page_request(const std::optional<std::string>& limit,
                               const std::optional<std::string>& cursor, std::string_view filters,
                               field_errors& errors);

/// The cursor that continues after last_id under the same filters.
std::string make_cursor(std::string_view last_id, std::string_view filters);

/// `{"items":[…],"next_cursor":…}` from already-rendered items.
std::string page_json(const std::string& items_array, const std::optional<std::string>& next);

/// The page of a keyset walk from up to limit + 1 rows in list order, each with its cursor
/// `id` and its rendered `json`: the first `limit` are the items; a further row means a next
/// page, which starts after the last item shown.
template <class Row>
std::string keyset_page_json(const std::vector<Row>& rows, int limit, std::string_view filters) {
  auto shown = std::min(rows.size(), static_cast<std::size_t>(limit));
  std::string items = "[";
  for (std::size_t i = 0; i < shown; ++i) {
    if (i > 0) items += ',';
    items += rows[i].json;
  }
  items += ']';
  std::optional<std::string> next;
  if (rows.size() > shown) next = make_cursor(rows[shown - 1].id, filters);
  return page_json(items, next);
}

}  // namespace billd
