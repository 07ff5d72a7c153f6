#define CAF_SUITE compression
#include <utility>

#include "caf/test/unit_test.hpp"

#include "net/compression.hpp"
#include "tests/support/decode.hpp"

using namespace billd;

namespace {

content_coding best(std::string_view accept) { return choose_coding(accept).best; }

/// A JSON body of about n bytes.
std::string json_of_size(std::size_t n) {
  std::string body = "{\"items\":[";
  for (int i = 0; body.size() < n; ++i)
    body += (i ? "," : "") + std::string{"{\"id\":\"bil_"} + std::to_string(i) + "\",\"amount\":\"15000.00\"}";
  return body + "]}";
}

http_request asking(std::string accept) {
  http_request req;
  req.headers.emplace_back("accept-encoding", std::move(accept));
  return req;
}

std::string header_of(const http_response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

}  // namespace

CAF_TEST(accept_encoding_q_values_choose_the_coding) {
  CAF_CHECK(choose_coding(std::nullopt).best == content_coding::identity);
  CAF_CHECK(best("gzip") == content_coding::gzip);
  CAF_CHECK(best("GZip") == content_coding::gzip);
  CAF_CHECK(best("x-gzip") == content_coding::gzip);
  CAF_CHECK(best("gzip, deflate, br") == content_coding::br);  // a tie goes to br
  CAF_CHECK(best("br;q=0.5, gzip;q=0.8") == content_coding::gzip);
  CAF_CHECK(best("br;q=0, gzip;q=0.001") == content_coding::gzip);
  CAF_CHECK(best("gzip;q=0") == content_coding::identity);
  CAF_CHECK(best("deflate") == content_coding::identity);
  CAF_CHECK(best("*") == content_coding::br);
  CAF_CHECK(best("*;q=0.5, br;q=0") == content_coding::gzip);
  CAF_CHECK(best("br;q=1.5") == content_coding::identity);  // malformed q: not acceptable
  CAF_CHECK(best("gzip;q=") == content_coding::identity);
  CAF_CHECK(!choose_coding("gzip").identity_refused);
  CAF_CHECK(choose_coding("gzip, identity;q=0").identity_refused);
  CAF_CHECK(choose_coding("*;q=0").identity_refused);
  CAF_CHECK(!choose_coding("*;q=0, identity").identity_refused);
}

CAF_TEST(gzip_and_br_decode_to_the_original) {
  auto body = json_of_size(50'000);
  for (int level : {1, 5, 9}) CAF_CHECK_EQUAL(test::gunzip(gzip_compress(body, level)), body);
  for (int quality : {0, 4, 11}) CAF_CHECK_EQUAL(test::unbrotli(brotli_compress(body, quality)), body);
  CAF_CHECK_EQUAL(test::gunzip(gzip_compress("", 5)), "");
}

CAF_TEST(only_large_enough_text_that_is_not_sensitive_is_compressed) {
  http_settings cfg;
  auto big = json_of_size(4'000);
  http_response r;
  r.body = big;
  compress_response(asking("gzip"), r, cfg);
  CAF_CHECK_EQUAL(header_of(r, "Content-Encoding"), "gzip");
  CAF_CHECK_EQUAL(test::gunzip(r.body), big);

  http_response small;
  small.body = R"({"status":"ok"})";
  compress_response(asking("br"), small, cfg);
  CAF_CHECK_EQUAL(header_of(small, "Content-Encoding"), "");
  // ...unless identity is refused.
  compress_response(asking("br, identity;q=0"), small, cfg);
  CAF_CHECK_EQUAL(header_of(small, "Content-Encoding"), "br");
  CAF_CHECK_EQUAL(test::unbrotli(small.body), R"({"status":"ok"})");

  http_response secret;
  secret.body = big;
  secret.sensitive = true;
  compress_response(asking("gzip, identity;q=0"), secret, cfg);
  CAF_CHECK_EQUAL(secret.body, big);

  http_response image;
  image.body = big;
  image.content_type = "image/png";
  compress_response(asking("gzip"), image, cfg);
  CAF_CHECK_EQUAL(image.body, big);

  http_response problem;
  problem.body = big;
  problem.content_type = "application/problem+json";
  compress_response(asking("br;q=0.2, gzip;q=0.1"), problem, cfg);
  CAF_CHECK_EQUAL(header_of(problem, "Content-Encoding"), "br");

  cfg.compression = false;
  http_response off;
  off.body = big;
  compress_response(asking("gzip"), off, cfg);
  CAF_CHECK_EQUAL(off.body, big);
}
