// POST /api/v1/bills/import (a streamed CSV → a durable import job, see net/import_upload)
// and GET /api/v1/jobs/{id}.

#include "actors/db_call.hpp"
#include "actors/reply_mapping.hpp"
#include "domain/ids.hpp"
#include "net/front_state.hpp"
#include "net/import_upload.hpp"
#include "storage/import_store.hpp"
#include "storage/pg_connection.hpp"

namespace billd {

void handle_bills_import(front_self self, request_ctx ctx) {
  if (!is_utf8_media(ctx.req().header("content-type").value_or(""), "text/csv"))
    return respond_problem(self, ctx, problem::unsupported_media_type,
                           "the body must be text/csv (UTF-8)");
  field_errors errors;
  auto key = read_idempotency_key(ctx.req(), errors);
  if (!errors.empty())
    return respond_problem(self, ctx, problem::validation_failed, "the file cannot be imported",
                           errors);
  const auto& req = ctx.req();
  auto body = ctx.ex->body_stream ? ctx.ex->body_stream : memory_body(req.body);
  auto upload = spawn_import_upload(
      self->system(), {self->state.deps, std::move(body), ctx.who.user_id, std::move(key),
                       req.method, req.path, req.request_id});
  self->request(upload, self->state.deps->cfg.http.import_timeout, run_atom::value)
      .then(
          [self, ctx](api_reply& reply) {
            if (reply.kind == reply_kind::validation_failed)
              return respond_problem(self, ctx, problem::validation_failed,
                                     "the file cannot be imported", {{reply.field, reply.detail}});
            respond(self, ctx, reply_to_http(reply, ctx.req()));
          },
          [self, ctx, upload](caf::error&) {
            // Over http.import_timeout_ms (or the upload actor failed): stop it; whether the
            // job was queued at that moment is unknown.
            self->send_exit(upload, caf::exit_reason::user_shutdown);
            respond_problem(self, ctx, problem::outcome_unknown,
                            "the upload did not finish in time");
          });
}

void handle_jobs_get(front_self self, request_ctx ctx) {
  auto id = ctx.route.param;
  if (!is_valid_id(id, "job")) return respond_problem(self, ctx, problem::not_found, "no such job");
  db_call<std::optional<std::string>>(
      self, self->state.deps->db, "job_status", false, request_timeout(self),
      [id, user = ctx.who.user_id, admin = ctx.who.role == user_role::admin](pg_connection& c) {
        return job_status_json(c, id, user, admin);
      },
      [self, ctx](const db_outcome& o, std::optional<std::optional<std::string>>&& found) {
        respond_found(self, ctx, o, std::move(found), "no such job");
      },
      ctx.req().request_id);
}

}  // namespace billd
