#pragma once
// An import CSV read as it arrives (POST /api/v1/bills/import): only whole records are parsed,
// so memory holds one piece of the body plus at most one unfinished record.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace billd {

/// Longest record of an import file; a longer one (or an unclosed quote) ends the upload.
inline constexpr std::size_t import_record_bytes_max = 64 * 1024;

class import_csv_stream {
 public:
  /// Adds the next piece of the body (`last`: nothing follows) and appends the data rows it
  /// completes to `rows`, each in import_columns order (a row with another field count is kept
  /// as it is, for the job to report). False when the file is unusable; error() says why.
  bool feed(std::string_view piece, bool last, std::vector<std::vector<std::string>>& rows);

  const std::string& error() const { return error_; }
  /// Data rows read so far (blank lines are not rows).
  std::int64_t rows_read() const { return rows_read_; }

 private:
  bool parse(std::string_view text, std::vector<std::vector<std::string>>& rows);
  bool fail(std::string why);
  std::string too_long() const;

  std::string pending_;        // the text after the last whole record
  std::size_t scanned_ = 0;    // pending_ bytes already looked at for record ends
  std::size_t complete_ = 0;   // pending_ bytes that are whole records
  bool in_quotes_ = false;     // the quote state at scanned_
  bool have_header_ = false;
  std::size_t columns_ = 0;
  std::vector<std::size_t> at_;
  std::int64_t rows_read_ = 0;
  std::string error_;
};

}  // namespace billd
