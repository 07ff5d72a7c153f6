#define CAF_SUITE import_csv
#include <utility>

#include "caf/test/unit_test.hpp"

#include "domain/import_csv.hpp"

using namespace billd;

namespace {

using rows = std::vector<std::vector<std::string>>;

const std::string header =
    "reference,amount,currency,payer_name,payer_phone,payer_email,description,due_date\r\n";

/// Feeds text in pieces of `size` bytes; the rows read, and the error ("" when none).
std::pair<rows, std::string> read_in_pieces(const std::string& text, std::size_t size) {
  import_csv_stream stream;
  rows out;
  for (std::size_t at = 0;; at += size) {
    bool last = at + size >= text.size();
    auto piece = std::string_view{text}.substr(std::min(at, text.size()), size);
    if (!stream.feed(piece, last, out)) return {out, stream.error()};
    if (last) return {out, ""};
  }
}

}  // namespace

CAF_TEST(any_split_of_the_body_reads_the_same_rows) {
  auto text = header +
              "R1,1.00,TZS,\"Mwita, Juma\",+255712000001,,\"two\r\nlines \"\"quoted\"\"\","
              "2030-01-31\r\n"
              "\r\n"
              "R2,2.00,TZS,Zuhura \xC3\xA9\xE2\x82\xAC,+255712000002,,Water,2030-01-31\n"
              "R3,short\r"
              "R4,4.00,TZS,Asha,+255712000004,,Water,2030-01-31";
  auto [whole, error] = read_in_pieces(text, text.size());
  CAF_REQUIRE_EQUAL(error, "");
  CAF_REQUIRE_EQUAL(whole.size(), 4u);
  // In import_columns order: payer_name first, reference last.
  CAF_CHECK_EQUAL(whole[0][0], "Mwita, Juma");
  CAF_CHECK_EQUAL(whole[0][5], "two\r\nlines \"quoted\"");
  CAF_CHECK_EQUAL(whole[0][7], "R1");
  CAF_CHECK_EQUAL(whole[1][0], "Zuhura \xC3\xA9\xE2\x82\xAC");
  CAF_CHECK_EQUAL(whole[2], (std::vector<std::string>{"R3", "short"}));  // kept for the job
  CAF_CHECK_EQUAL(whole[3][7], "R4");
  for (std::size_t size = 1; size < text.size(); ++size) {
    auto [split, split_error] = read_in_pieces(text, size);
    CAF_CHECK_EQUAL(split_error, "");
    CAF_CHECK_EQUAL(split, whole);
  }
}

CAF_TEST(errors_name_the_header_or_the_row) {
  CAF_CHECK_EQUAL(read_in_pieces("", 10).second, "a header row is required");
  CAF_CHECK_EQUAL(read_in_pieces("payer_name\n", 3).second.substr(0, 7), "header:");
  auto bad_row = header + "R1,1.00,TZS,A,+255712000001,,W,2030-01-31\nR2,a\"b,TZS\n";
  for (std::size_t size : {1u, 7u, 1000u})
    CAF_CHECK_EQUAL(read_in_pieces(bad_row, size).second,
                    "row 2: a quote inside an unquoted field");
  CAF_CHECK_EQUAL(read_in_pieces(header + "\xff\xfe\n", 4).second, "the file is not UTF-8");
}

CAF_TEST(memory_is_bounded_by_one_record) {
  auto long_row = header + "R1,1.00,TZS," + std::string(import_record_bytes_max + 10, 'x');
  CAF_CHECK_EQUAL(read_in_pieces(long_row, 4096).second, "row 1: longer than 65536 bytes");
  // The bound holds for a record that arrives whole in the last piece too.
  CAF_CHECK_EQUAL(read_in_pieces(long_row, long_row.size()).second,
                  "row 1: longer than 65536 bytes");
  auto open_quote = header + "R1,1.00,TZS,\"" + std::string(import_record_bytes_max + 10, 'x');
  CAF_CHECK_EQUAL(read_in_pieces(open_quote, 4096).second, "row 1: a quoted field is not closed");
}
