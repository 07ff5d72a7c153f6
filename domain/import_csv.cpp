#include "domain/import_csv.hpp"

#include "domain/csv.hpp"
#include "domain/text_rules.hpp"

namespace billd {

bool import_csv_stream::fail(std::string why) {
  error_ = std::move(why);
  return false;
}

std::string import_csv_stream::too_long() const {
  return (have_header_ ? "row " + std::to_string(rows_read_ + 1) : std::string{"header"}) +
         ": longer than " + std::to_string(import_record_bytes_max) + " bytes";
}

bool import_csv_stream::feed(std::string_view piece, bool last,
                             std::vector<std::vector<std::string>>& rows) {
  if (!error_.empty()) return false;
  pending_.append(piece);
  // Find where whole records end. In well-formed CSV quotes pair up, so their parity is the
  // quoted state; a stray quote is reported by the reader before any wrong cut matters.
  while (scanned_ < pending_.size()) {
    char c = pending_[scanned_];
    if (c == '"') {
      in_quotes_ = !in_quotes_;
    } else if (!in_quotes_ && c == '\n') {
      complete_ = scanned_ + 1;
    } else if (!in_quotes_ && c == '\r') {
      if (scanned_ + 1 == pending_.size()) break;  // a '\n' may follow in the next piece
      if (pending_[scanned_ + 1] != '\n') complete_ = scanned_ + 1;
    }
    ++scanned_;
  }
  auto whole = last ? pending_.size() : complete_;
  if (whole > 0) {
    if (!parse(std::string_view{pending_}.substr(0, whole), rows)) return false;
    pending_.erase(0, whole);
    scanned_ -= std::min(scanned_, whole);
    complete_ = 0;
  }
  if (last && !have_header_) return fail("a header row is required");
  if (pending_.size() > import_record_bytes_max) {
    // Either an unclosed quote or a record too long to be a bill; the reader tells which.
    auto why = too_long();
    std::vector<std::vector<std::string>> ignored;
    std::string head = pending_;
    if (!parse(head, ignored)) return false;
    return fail(std::move(why));
  }
  return true;
}

bool import_csv_stream::parse(std::string_view text, std::vector<std::vector<std::string>>& rows) {
  // Whole records end in ASCII line ends, so no UTF-8 sequence is cut here.
  if (!is_valid_utf8(text)) return fail("the file is not UTF-8");
  csv_reader reader{text};
  std::vector<std::string> fields;
  for (std::size_t begin = 0; reader.next(fields); begin = reader.position()) {
    if (reader.position() - begin > import_record_bytes_max) return fail(too_long());
    if (!have_header_) {
      std::string why;
      at_ = map_import_header(fields, why);
      if (at_.empty()) return fail("header: " + why);
      have_header_ = true;
      columns_ = fields.size();
      continue;
    }
    if (fields.size() == 1 && fields[0].empty()) continue;  // a blank line
    ++rows_read_;
    if (fields.size() != columns_) {
      rows.push_back(std::move(fields));
      continue;
    }
    std::vector<std::string> ordered;
    ordered.reserve(at_.size());
    for (auto i : at_) ordered.push_back(std::move(fields[i]));
    rows.push_back(std::move(ordered));
  }
  if (reader.error().empty()) return true;
  if (!have_header_) return fail("header: " + reader.error());
  return fail("row " + std::to_string(rows_read_ + 1) + ": " + reader.error());
}

}  // namespace billd
