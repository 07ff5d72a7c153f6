#include "domain/csv.hpp"

#include <algorithm>

namespace billd {

bool csv_reader::next(std::vector<std::string>& fields) {
  fields.clear();
  if (!error_.empty() || pos_ >= text_.size()) return false;
  std::string field;
  bool quoted = false, was_quoted = false;
  while (pos_ < text_.size()) {
    char c = text_[pos_];
    if (quoted) {
      if (c == '"') {
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
          field += '"';
          pos_ += 2;
          continue;
        }
        quoted = false;
        ++pos_;
        if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\r' &&
            text_[pos_] != '\n') {
          error_ = "a quoted field must end at a comma or a line end";
          return false;
        }
        continue;
      }
      field += c;
      ++pos_;
      continue;
    }
    if (c == '"') {
      if (!field.empty() || was_quoted) {
        error_ = "a quote inside an unquoted field";
        return false;
      }
      quoted = was_quoted = true;
      ++pos_;
      continue;
    }
    if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      was_quoted = false;
      ++pos_;
      continue;
    }
    if (c == '\r' || c == '\n') {
      pos_ += (c == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ? 2 : 1;
      fields.push_back(std::move(field));
      return true;
    }
    field += c;
    ++pos_;
  }
  if (quoted) {
    error_ = "a quoted field is not closed";
    return false;
  }
  fields.push_back(std::move(field));
  return true;
}

std::vector<std::size_t> map_import_header(const std::vector<std::string>& header,
                                           std::string& error) {
  constexpr auto n = std::size(import_columns);
  std::vector<std::size_t> at(n, header.size());
  for (std::size_t i = 0; i < header.size(); ++i) {
    auto name = header[i];
    if (i == 0 && name.starts_with("\xEF\xBB\xBF")) name.erase(0, 3);  // a UTF-8 BOM
    auto it = std::find(std::begin(import_columns), std::end(import_columns), name);
    if (it == std::end(import_columns)) {
      error = "unknown column '" + name + "'";
      return {};
    }
    auto k = static_cast<std::size_t>(it - std::begin(import_columns));
    if (at[k] != header.size()) {
      error = "column '" + name + "' appears twice";
      return {};
    }
    at[k] = i;
  }
  for (std::size_t k = 0; k < n; ++k)
    if (at[k] == header.size()) {
      error = "missing column '" + std::string{import_columns[k]} + "'";
      return {};
    }
  return at;
}

}  // namespace billd
