// POST /api/v1/bills/import (CSV → a durable import job) and GET /api/v1/jobs/{id}.

#include "actors/db_call.hpp"
#include "actors/reply_mapping.hpp"
#include "domain/csv.hpp"
#include "domain/ids.hpp"
#include "domain/json_text.hpp"
#include "domain/text_rules.hpp"
#include "net/front_state.hpp"
#include "storage/import_store.hpp"
#include "storage/pg_connection.hpp"

namespace billd {
namespace {

bool is_csv(const http_request& req) {
  auto type = req.header("content-type").value_or("");
  std::string lower;
  for (char c : type) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto semi = lower.find(';');
  auto media = lower.substr(0, semi);
  while (!media.empty() && media.back() == ' ') media.pop_back();
  if (media != "text/csv") return false;
  return semi == std::string::npos || lower.find("charset") == std::string::npos ||
         lower.find("utf-8") != std::string::npos;
}

/// The data rows of the file in import_columns order (rows with another field count are kept
/// as they are, for the job to report); an error message when the file itself is unusable.
std::optional<std::string> read_import(std::string_view body,
                                       std::vector<std::vector<std::string>>& rows) {
  if (!is_valid_utf8(body)) return "the file is not UTF-8";
  csv_reader reader{body};
  std::vector<std::string> header;
  if (!reader.next(header))
    return reader.error().empty() ? "a header row is required" : "header: " + reader.error();
  std::string why;
  auto at = map_import_header(header, why);
  if (at.empty()) return "header: " + why;
  std::vector<std::string> fields;
  while (reader.next(fields)) {
    if (fields.size() == 1 && fields[0].empty()) continue;  // a blank line
    if (fields.size() != header.size()) {
      rows.push_back(std::move(fields));
      continue;
    }
    std::vector<std::string> ordered;
    ordered.reserve(at.size());
    for (auto i : at) ordered.push_back(std::move(fields[i]));
    rows.push_back(std::move(ordered));
  }
  if (!reader.error().empty())
    return "row " + std::to_string(rows.size() + 1) + ": " + reader.error();
  return std::nullopt;
}

}  // namespace

void handle_bills_import(front_self self, request_ctx ctx) {
  if (!is_csv(ctx.req()))
    return respond_problem(self, ctx, problem::unsupported_media_type,
                           "the body must be text/csv (UTF-8)");
  field_errors errors;
  auto key = read_idempotency_key(ctx.req(), errors);
  std::vector<std::vector<std::string>> rows;
  if (auto why = read_import(ctx.req().body, rows)) errors.push_back({"body", *why});
  if (!errors.empty())
    return respond_problem(self, ctx, problem::validation_failed, "the file cannot be imported",
                           errors);
  auto job_id = new_id("job");
  idempotent_write(
      self, ctx, "import_create", std::move(key),
      [job_id, owner = ctx.who.user_id, rows = std::move(rows)](pg_connection& c) {
        create_import(c, job_id, owner, rows);
        auto reply = ok_reply(202, json_object{}.str("job_id", job_id).finish());
        reply.location = "/api/v1/jobs/" + job_id;
        return reply;
      },
      [self] {
        // The job was committed with the rows: start it now.
        if (auto jobs = self->state.deps->jobs->get()) caf::anon_send(jobs, wake_atom::value);
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
