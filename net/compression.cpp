#include "net/compression.hpp"

#include <brotli/encode.h>
#include <zlib.h>

#include <charconv>
#include <stdexcept>

#include "domain/text_rules.hpp"

namespace billd {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// A q-value in thousandths ("0.5" → 500); malformed values count as 0 (not acceptable).
int read_q(std::string_view text) {
  text = trim(text);
  if (text.empty() || text.size() > 5) return 0;
  int whole = text[0] - '0';
  if (whole < 0 || whole > 1) return 0;
  int thousandths = 0, digits = 0;
  if (text.size() > 1) {
    if (text[1] != '.') return 0;
    for (auto c : text.substr(2)) {
      if (c < '0' || c > '9') return 0;
      thousandths = thousandths * 10 + (c - '0');
      ++digits;
    }
  }
  while (digits++ < 3) thousandths *= 10;
  auto q = whole * 1000 + thousandths;
  return q > 1000 ? 0 : q;
}

bool compressible_type(std::string_view content_type) {
  auto media = media_type(content_type);
  return media == "application/json" || media == "application/problem+json" ||
         media.starts_with("text/") || media.ends_with("+json");
}

}  // namespace

coding_choice choose_coding(std::optional<std::string_view> accept_encoding) {
  coding_choice out;
  if (!accept_encoding) return out;
  std::optional<int> gzip, br, identity, star;
  std::string_view rest = *accept_encoding;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    auto item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    auto semi = item.find(';');
    auto name = ascii_lower(trim(item.substr(0, semi)));
    int q = 1000;
    if (semi != std::string_view::npos) {
      auto param = trim(item.substr(semi + 1));
      q = (param.size() > 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=')
              ? read_q(param.substr(2))
              : 0;
    }
    if (name == "gzip" || name == "x-gzip") gzip = q;
    else if (name == "br") br = q;
    else if (name == "identity") identity = q;
    else if (name == "*") star = q;
  }
  int q_gzip = gzip.value_or(star.value_or(0));
  int q_br = br.value_or(star.value_or(0));
  out.identity_refused = identity ? *identity == 0 : (star && *star == 0);
  if (q_br > 0 && q_br >= q_gzip) out.best = content_coding::br;
  else if (q_gzip > 0) out.best = content_coding::gzip;
  return out;
}

std::string gzip_compress(std::string_view data, int level) {
  z_stream zs{};
  // windowBits 15 + 16: a gzip wrapper instead of zlib's.
  if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2 failed");
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  auto rc = deflate(&zs, Z_FINISH);
  auto produced = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate did not finish");
  out.resize(produced);
  return out;
}

std::string brotli_compress(std::string_view data, int quality) {
  std::string out(BrotliEncoderMaxCompressedSize(data.size()), '\0');
  auto size = out.size();
  if (!BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, data.size(),
                             reinterpret_cast<const std::uint8_t*>(data.data()), &size,
                             reinterpret_cast<std::uint8_t*>(out.data())))
    throw std::runtime_error("BrotliEncoderCompress failed");
  out.resize(size);
  return out;
}

void compress_response(const http_request& req, http_response& resp, const http_settings& cfg) {
  if (!cfg.compression || resp.sensitive || resp.body.empty() ||
      !compressible_type(resp.content_type))
    return;
  auto choice = choose_coding(req.header("accept-encoding"));
  if (choice.best == content_coding::identity) return;
  if (resp.body.size() < cfg.compress_min_bytes && !choice.identity_refused) return;
  auto packed = choice.best == content_coding::br
                    ? brotli_compress(resp.body, static_cast<int>(cfg.brotli_quality))
                    : gzip_compress(resp.body, static_cast<int>(cfg.gzip_level));
  if (packed.size() >= resp.body.size() && !choice.identity_refused) return;
  resp.body = std::move(packed);
  resp.with("Content-Encoding", choice.best == content_coding::br ? "br" : "gzip");
}

}  // namespace billd
