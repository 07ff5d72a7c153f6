#define CAF_SUITE csv
#include <utility>

#include "caf/test/unit_test.hpp"

#include "domain/csv.hpp"

using namespace billd;

namespace {

std::vector<std::vector<std::string>> all(std::string_view text, std::string* error = nullptr) {
  csv_reader r{text};
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> fields;
  while (r.next(fields)) out.push_back(fields);
  if (error) *error = r.error();
  return out;
}

using rows = std::vector<std::vector<std::string>>;

}  // namespace

CAF_TEST(plain_records_with_crlf_or_lf_and_an_optional_final_line_end) {
  CAF_CHECK_EQUAL(all("a,b\r\nc,d\r\n"), (rows{{"a", "b"}, {"c", "d"}}));
  CAF_CHECK_EQUAL(all("a,b\nc,d"), (rows{{"a", "b"}, {"c", "d"}}));
  CAF_CHECK_EQUAL(all("a,,\n"), (rows{{"a", "", ""}}));
}

CAF_TEST(quoted_fields_keep_commas_quotes_and_line_breaks) {
  CAF_CHECK_EQUAL(all("\"a,1\",\"say \"\"hi\"\"\"\n\"two\nlines\",x\n"),
                  (rows{{"a,1", "say \"hi\""}, {"two\nlines", "x"}}));
  CAF_CHECK_EQUAL(all("\"\",b\n"), (rows{{"", "b"}}));
}

CAF_TEST(malformed_quotes_stop_the_reader_with_a_reason) {
  std::string error;
  all("a,\"open\n", &error);
  CAF_CHECK_EQUAL(error, "a quoted field is not closed");
  all("a,\"x\"y\n", &error);
  CAF_CHECK(!error.empty());
  all("ab\"c\n", &error);
  CAF_CHECK(!error.empty());
}

CAF_TEST(the_import_header_needs_every_column_once_in_any_order) {
  std::string error;
  auto at = map_import_header({"reference", "due_date", "description", "currency", "amount",
                               "payer_email", "payer_phone", "payer_name"},
                              error);
  CAF_REQUIRE_EQUAL(at.size(), 8u);
  CAF_CHECK_EQUAL(at[0], 7u);  // payer_name is the last column
  CAF_CHECK(map_import_header({"payer_name"}, error).empty());
  CAF_CHECK(error.find("missing column") != std::string::npos);
  CAF_CHECK(map_import_header({"payer_name", "payer_name"}, error).empty());
  CAF_CHECK(map_import_header({"colour"}, error).empty());
  CAF_CHECK(error.find("unknown column 'colour'") != std::string::npos);
  CAF_CHECK_EQUAL(map_import_header({"\xEF\xBB\xBFpayer_name", "payer_phone", "payer_email",
                                     "amount", "currency", "description", "due_date", "reference"},
                                    error)
                      .size(),
                  8u);
}
