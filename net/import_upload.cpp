#include "net/import_upload.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/db_call.hpp"
#include "actors/idempotent_tx.hpp"
#include "actors/reply_mapping.hpp"
#include "domain/crypto.hpp"
#include "domain/ids.hpp"
#include "domain/import_csv.hpp"
#include "domain/json_text.hpp"
#include "storage/import_store.hpp"
#include "storage/pg_connection.hpp"

namespace billd {
namespace {

using rows_t = std::vector<std::vector<std::string>>;

struct upload_state {
  static inline const char* name = "import-upload";
  import_upload_params p;
  caf::response_promise promise;
  import_csv_stream csv;
  sha256_stream fingerprint;
  std::string job_id = new_id("job");
  rows_t chunk;              // rows read and not yet stored
  std::int64_t stored = 0;   // rows stored under the staged job
  bool staged = false;       // the job row exists (status 'uploading')
  bool ended = false;        // an answer was given
};

using self_ptr = caf::stateful_actor<upload_state>*;

std::chrono::milliseconds db_timeout(self_ptr self) {
  return self->state.p.deps->cfg.front.request_timeout;
}

/// Gives the answer once and stops; a staged job that was not queued is deleted.
void finish(self_ptr self, api_reply reply, bool keep_job = false) {
  auto& st = self->state;
  if (st.ended) return;
  st.ended = true;
  if (st.staged && !keep_job) {
    // Best effort: the maintenance actor deletes what this misses (a crash, a full pool).
    db_call<bool>(
        self, st.p.deps->db, "import_discard", true, db_timeout(self),
        [job = st.job_id](pg_connection& c) {
          discard_import(c, job);
          return true;
        },
        [](const db_outcome&, std::optional<bool>&&) {}, st.p.request_id);
  }
  st.promise.deliver(std::move(reply));
  self->quit();
}

api_reply refused(std::string why) {
  auto r = make_reply(reply_kind::validation_failed, std::move(why));
  r.field = "body";
  return r;
}

void pull(self_ptr self) {
  caf::actor me = caf::actor_cast<caf::actor>(self);
  self->state.p.body->next([me](std::string piece, bool last, body_status status) {
    caf::anon_send(me, piece_atom::value, std::move(piece), last, static_cast<std::uint8_t>(status));
  });
}

/// The whole body is stored: queue the job under the request's Idempotency-Key.
void activate(self_ptr self) {
  auto& st = self->state;
  idempotency_ref idem{st.p.idempotency_key, st.fingerprint.finish_hex(), st.p.request_id};
  db_call<api_reply>(
      self, st.p.deps->db, "import_create", true, db_timeout(self),
      [user = st.p.owner_id, idem, ttl = st.p.deps->cfg.idempotency_ttl, job = st.job_id,
       total = st.stored](pg_connection& c) {
        return run_idempotent(c, user, idem, ttl, [&](pg_connection& conn) {
          if (!activate_import(conn, job, total))
            return make_reply(reply_kind::internal, "the staged import disappeared");
          auto reply = ok_reply(202, json_object{}.str("job_id", job).finish());
          reply.location = "/api/v1/jobs/" + job;
          return reply;
        });
      },
      [self](const db_outcome& o, std::optional<api_reply>&& reply) {
        // Not queued (failed, replayed, refused): the staged job is deleted, which cannot touch
        // a job that did get queued.
        if (!reply) return finish(self, reply_for_failure(o, true));
        bool queued = reply->kind == reply_kind::ok && !reply->replayed;
        if (queued)
          if (auto jobs = self->state.p.deps->jobs->get()) caf::anon_send(jobs, wake_atom::value);
        finish(self, std::move(*reply), queued);
      },
      st.p.request_id);
}

/// Stores the rows read so far (staging the job first), then reads on or activates.
void store(self_ptr self, bool last) {
  auto& st = self->state;
  db_call<std::int64_t>(
      self, st.p.deps->db, "import_rows_insert", true, db_timeout(self),
      [job = st.job_id, owner = st.p.owner_id, stage = !st.staged, stored = st.stored,
       rows = std::make_shared<rows_t>(std::move(st.chunk))](pg_connection& c) {
        if (!stage) {
          append_import_rows(c, job, stored, *rows);
        } else {
          in_transaction(c, [&] {
            stage_import(c, job, owner);
            append_import_rows(c, job, stored, *rows);
            return true;
          });
        }
        return static_cast<std::int64_t>(rows->size());
      },
      [self, last](const db_outcome& o, std::optional<std::int64_t>&& added) {
        // A failed first chunk may still have committed: the job counts as staged either way.
        self->state.staged = true;
        if (!added) return finish(self, reply_for_failure(o, true));
        self->state.stored += *added;
        if (last) return activate(self);
        pull(self);
      },
      st.p.request_id);
  st.chunk.clear();
}

void on_piece(self_ptr self, std::string& piece, bool last, body_status status) {
  auto& st = self->state;
  if (st.ended) return;
  if (status == body_status::too_large) {
    auto limit = st.p.deps->cfg.http.import_bytes_max;
    return finish(self, make_reply(reply_kind::too_large,
                                   "the file is larger than " + std::to_string(limit) + " bytes"));
  }
  if (status != body_status::ok)
    return finish(self, refused("the upload ended before the whole file arrived"));
  st.fingerprint.update(piece);
  if (!st.csv.feed(piece, last, st.chunk)) return finish(self, refused(st.csv.error()));
  if (last || st.chunk.size() >= import_upload_chunk_rows) return store(self, last);
  pull(self);
}

caf::behavior upload_impl(caf::stateful_actor<upload_state>* self, import_upload_params p) {
  self->state.p = std::move(p);
  return {
      [self](run_atom) {
        auto& st = self->state;
        st.promise = self->make_response_promise();
        // The fingerprint of API.md: method, path and the raw body, hashed as it arrives.
        st.fingerprint.update(st.p.method + "\n" + st.p.path + "\n");
        pull(self);
        return st.promise;
      },
      [self](piece_atom, std::string& piece, bool last, std::uint8_t status) {
        on_piece(self, piece, last, static_cast<body_status>(status));
      },
  };
}

}  // namespace

caf::actor spawn_import_upload(caf::actor_system& sys, import_upload_params params) {
  return sys.spawn(upload_impl, std::move(params));
}

}  // namespace billd
