#pragma once
// RFC 4180 CSV: quoted fields ("" inside quotes is one quote), CRLF or LF line ends, line breaks
// inside quotes. Reads one record at a time from text it does not own.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace billd {

class csv_reader {
 public:
  explicit csv_reader(std::string_view text) : text_(text) {}

  /// Reads the next record into fields; false at the end of the text or on malformed input
  /// (then error() says why). A final line end is optional; an empty last line is no record.
  bool next(std::vector<std::string>& fields);

  const std::string& error() const { return error_; }
  /// Where the next record starts, in bytes (lets a caller count or resume).
  std::size_t position() const { return pos_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::string error_;
};

/// The import columns of API.md, in a canonical order.
inline constexpr std::string_view import_columns[] = {"payer_name", "payer_phone", "payer_email",
                                                      "amount",     "currency",    "description",
                                                      "due_date",   "reference"};

/// Maps the header to positions of import_columns (index i → column of import_columns[i]);
/// empty with `error` set when a column is missing, unknown or repeated.
std::vector<std::size_t> map_import_header(const std::vector<std::string>& header,
                                           std::string& error);

}  // namespace billd
