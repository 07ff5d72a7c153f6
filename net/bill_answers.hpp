#pragma once
// The answers to a read of one bill, shared by the front and the Asio threads' cached reads
// (net/fast_reads.hpp): the weak ETag of its version, 304 for a matching If-None-Match.

#include <string>
#include <string_view>

#include "actors/bill_cache.hpp"
#include "domain/bill.hpp"
#include "net/http_types.hpp"

namespace billd {

/// W/"<version>".
std::string weak_etag(std::int64_t version);

/// Whether an If-None-Match value names `etag` (or is "*"); weak comparison.
bool etag_matches(std::string_view header, const std::string& etag);

/// A 200 carrying the bill's weak ETag, or 304 when If-None-Match already has it. The body
/// (from make_body) is made only for a 200.
template <class MakeBody>
http_response conditional_response(const http_request& req, const bill& b, MakeBody make_body) {
  http_response r;
  auto etag = weak_etag(b.version);
  r.with("ETag", etag).with("Cache-Control", "private, no-cache");
  auto inm = req.header("if-none-match");
  if (inm && etag_matches(*inm, etag)) {
    r.status = 304;
    return r;
  }
  r.body = make_body();
  return r;
}

/// GET /api/v1/bills/{id}: the bill (its JSON as the cache rendered it, when `json` is not
/// null), with X-Cache saying how it was read.
http_response bill_read_response(const http_request& req, const bill& b, cache_status how,
                                 const std::string* json);

}  // namespace billd
