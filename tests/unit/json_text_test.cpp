#define CAF_SUITE json_text
#include <utility>

#include "caf/test/unit_test.hpp"

#include "domain/json_text.hpp"

#include <rapidjson/document.h>

#include <string>

using namespace billd;

namespace {

std::string as_json_string(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

/// What a JSON parser reads back from as_json_string(s).
std::string read_back(std::string_view s) {
  rapidjson::Document doc;
  auto text = as_json_string(s);
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsString()) return "<unparsable: " + text + ">";
  return {doc.GetString(), doc.GetStringLength()};
}

}  // namespace

CAF_TEST(plain_text_is_copied_as_it_is) {
  CAF_CHECK_EQUAL(as_json_string(""), R"("")");
  CAF_CHECK_EQUAL(as_json_string("Water bill, November"), R"("Water bill, November")");
  CAF_CHECK_EQUAL(as_json_string("Mlipaji Ñandú €5 ✓"), "\"Mlipaji Ñandú €5 ✓\"");  // UTF-8 as is
}

CAF_TEST(quotes_backslashes_and_control_characters_are_escaped_wherever_they_stand) {
  CAF_CHECK_EQUAL(as_json_string(R"(say "hi")"), R"("say \"hi\"")");
  CAF_CHECK_EQUAL(as_json_string(R"(\)"), R"("\\")");
  CAF_CHECK_EQUAL(as_json_string("a\nb\tc\rd"), R"("a\nb\tc\rd")");
  CAF_CHECK_EQUAL(as_json_string(std::string_view{"\0x\x1f", 3}), R"("\u0000x\u001f")");
  CAF_CHECK_EQUAL(as_json_string("\"\"\\"), R"("\"\"\\")");  // escapes next to each other
  CAF_CHECK_EQUAL(as_json_string("\x7f"), "\"\x7f\"");       // DEL needs no escape (RFC 8259)
}

CAF_TEST(every_character_reads_back_the_same) {
  std::string all;
  for (int c = 0; c < 256; ++c) {
    if (c >= 0x80) break;  // bytes above 0x7f only form UTF-8 sequences, checked above
    all += static_cast<char>(c);
    all += "run";  // text between escapes, so runs and escapes alternate
  }
  CAF_CHECK_EQUAL(read_back(all), all);
  CAF_CHECK_EQUAL(read_back("Ñandú \"x\" \\ \x01 end"), "Ñandú \"x\" \\ \x01 end");
}

CAF_TEST(an_escape_is_found_at_every_place_in_long_text) {
  // Text is scanned 8 bytes at a time: an escape in every position of three words, and
  // bytes above 0x7f (UTF-8) next to it, which must not be taken for one.
  for (std::size_t at = 0; at < 24; ++at) {
    for (char special : {'"', '\\', '\n', '\x01', '\x1f'}) {
      std::string text(24, 'a');
      text[at] = special;
      if (at + 1 < text.size()) text[at + 1] = '\xc3';
      if (at + 2 < text.size()) text[at + 2] = '\x91';
      CAF_CHECK_EQUAL(read_back(text), text);
    }
    std::string utf8;
    for (int i = 0; i < 12; ++i) utf8 += "\xc3\x91";  // Ñ, no escape anywhere
    CAF_CHECK_EQUAL(as_json_string(utf8), "\"" + utf8 + "\"");
  }
}

CAF_TEST(an_object_holds_its_fields_in_order) {
  auto text = json_object{}.str("a", "x\"y").num("b", -7).opt("c", std::nullopt).finish();
  CAF_CHECK_EQUAL(text, R"({"a":"x\"y","b":-7,"c":null})");
}
