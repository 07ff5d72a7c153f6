#pragma once
// import-upload: one short-lived actor per POST /api/v1/bills/import. It pulls the body piece
// by piece, checks the CSV as it arrives and stores its rows in chunks under a staged job, so
// a 64 MiB file never sits in memory; the socket is read again only after a chunk is stored.
// When the body ends, one idempotent transaction makes the job queued and records the answer.
// It answers run_atom with the request's api_reply (202 + job id, or why not).

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include <memory>
#include <string>

#include "net/http_front.hpp"
#include "net/http_types.hpp"

namespace billd {

/// Rows stored per statement while an upload arrives.
inline constexpr std::size_t import_upload_chunk_rows = 1000;

struct import_upload_params {
  std::shared_ptr<const front_deps> deps;
  std::shared_ptr<body_source> body;
  std::string owner_id;
  std::string idempotency_key;  // empty when none
  std::string method;           // with path: the fingerprint's start (API.md)
  std::string path;
  std::string request_id;
};

caf::actor spawn_import_upload(caf::actor_system& sys, import_upload_params params);

}  // namespace billd
