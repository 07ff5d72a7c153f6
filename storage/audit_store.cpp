#include "storage/audit_store.hpp"

#include <algorithm>
#include <set>
#include <string_view>
#include <tuple>

#include "domain/json_text.hpp"
#include "storage/pg_array.hpp"
#include "storage/pg_connection.hpp"
#include "storage/sql_time.hpp"

namespace billd {

namespace {

/// Appends rows of distinct entities: one statement takes the lock of every entity with a
/// chain to extend (in the order given), one writes every row.
void append_rows(pg_pipeline& out, const std::vector<const audit_entry*>& rows) {
  static const pg_statement lock_stmt{
      "audit_lock",
      "SELECT pg_advisory_xact_lock(hashtextextended('audit:' || e.t || ':' || e.i, 0))"
      " FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS e(t, i, n) ORDER BY e.n"};
  // OFFSET 0 keeps the look-up of the previous row a subquery run once per row. Without it
  // PostgreSQL flattened the subquery and ran the look-up once for each use of its result
  // (prev_hash and the hash): two index probes per row.
  static const pg_statement insert_stmt{
      "audit_insert",
      "INSERT INTO audit_log (entity_type, entity_id, action, actor, at, changes, prev_hash, hash)"
      " SELECT e.t, e.i, e.a, e.ac, t.at, e.c, p.hash,"
      "        audit_row_hash(p.hash, e.t, e.i, e.a, e.ac, t.at, e.c)"
      " FROM (SELECT date_trunc('microseconds', now()) AS at) t,"
      "      unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::bool[])"
      "        WITH ORDINALITY AS e(t, i, a, ac, c, first, n)"
      "      CROSS JOIN LATERAL (SELECT CASE WHEN e.first THEN NULL ELSE (SELECT hash"
      "        FROM audit_log WHERE entity_type = e.t AND entity_id = e.i"
      "        ORDER BY id DESC LIMIT 1) END AS hash OFFSET 0) p"
      " ORDER BY e.n"};
  pg_columns<6> columns;
  pg_columns<2> to_lock;  // the entities with a chain to extend
  columns.reserve(rows.size());
  for (const auto* r : rows) {
    columns.add_row(
        {r->entity_type, r->entity_id, r->action, r->actor, r->changes_json, r->first ? "t" : "f"});
    if (!r->first) to_lock.add_row({r->entity_type, r->entity_id});
  }
  if (!to_lock.empty()) out.add(lock_stmt, to_lock.params());
  out.add(insert_stmt, columns.params());
}

}  // namespace

std::string audit_changes(std::initializer_list<field_change> fields) {
  json_object o;
  for (const auto& f : fields)
    o.raw(f.name, json_object{}.opt("before", f.before).opt("after", f.after).finish());
  return o.finish();
}

void record_audits(pg_pipeline& out, const std::vector<audit_entry>& entries) {
  // A statement cannot see its own rows, so an entity's second row goes in the next round.
  // Each round locks in (type, id) order: two writers of overlapping entities cannot deadlock.
  std::vector<const audit_entry*> pending;
  pending.reserve(entries.size());
  for (const auto& e : entries) pending.push_back(&e);
  while (!pending.empty()) {
    std::vector<const audit_entry*> round, later;
    std::set<std::pair<std::string_view, std::string_view>> seen;
    for (const auto* e : pending)
      (seen.emplace(e->entity_type, e->entity_id).second ? round : later).push_back(e);
    std::sort(round.begin(), round.end(), [](const audit_entry* a, const audit_entry* b) {
      return std::tie(a->entity_type, a->entity_id) < std::tie(b->entity_type, b->entity_id);
    });
    append_rows(out, round);
    pending = std::move(later);
  }
}

void record_audit(pg_connection& conn, const std::string& entity_type, const std::string& entity_id,
                  const std::string& action, const std::string& actor,
                  const std::string& changes_json) {
  pg_pipeline statements;
  record_audits(statements, {audit_entry{entity_type, entity_id, action, actor, changes_json}});
  conn.run(statements);
}

// A client transaction of this database, other than the caller's, that began at or before
// `t` and is still open (autovacuum and other server processes draw no audit ids).
#define BILLD_SQL_OPEN_BEFORE(t)                                              \
  "EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database()" \
  " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"          \
  " AND xact_start <= " t "::timestamptz)"

audit_draw_mark audit_ids_drawn(pg_connection& conn) {
  // pg_sequence_last_value reads the sequence under its buffer lock (a plain SELECT from the
  // sequence may see the value nextval logs ahead); the clock is read after it (OFFSET 0
  // keeps the subquery first).
  static const pg_statement stmt{
      "audit_ids_drawn",
      "SELECT coalesce(s.v, 0), clock_timestamp()::text,"
      " coalesce((SELECT cache_size > 1 FROM pg_sequences"
      "           WHERE schemaname = current_schema() AND sequencename = 'audit_log_id_seq'),"
      "          false)"
      " FROM (SELECT pg_sequence_last_value('audit_log_id_seq'::regclass) AS v OFFSET 0) s"};
  auto rows = conn.run(stmt, {});
  return {rows.int64(0, 0), rows.str(0, 1), rows.boolean(0, 2)};
}

std::int64_t seal_audit(pg_connection& conn, const audit_draw_mark& up_to, std::int64_t ids_max) {
  static const pg_statement lock_stmt{
      "audit_seal_lock", "SELECT pg_advisory_xact_lock(hashtextextended('audit:seal', 0))"};
  // Reads the id range after the newest checkpoint up to the bound. A client's transaction that
  // began before the bound was read may hold a smaller id that is not committed yet: then
  // nothing is sealed, and a later round tries again.
  static const pg_statement stmt{
      "audit_seal",
      "WITH last AS (SELECT coalesce((SELECT last_id FROM audit_checkpoints"
      "                               ORDER BY id DESC LIMIT 1), 0) AS id,"
      "                     (SELECT hash FROM audit_checkpoints ORDER BY id DESC LIMIT 1) AS hash),"
      " fresh AS (SELECT a.id, a.hash FROM audit_log a, last"
      "           WHERE a.id > last.id AND a.id <= least($1::bigint, last.id + $3::bigint)),"
      " agg AS (SELECT min(id) AS first_id, max(id) AS last_id, count(*) AS n,"
      "                string_agg(hash, ''::bytea ORDER BY id) AS hashes FROM fresh)"
      " INSERT INTO audit_checkpoints (first_id, last_id, rows, hash)"
      " SELECT agg.first_id, agg.last_id, agg.n,"
      "        sha256(coalesce(last.hash, ''::bytea) || agg.hashes)"
      " FROM agg, last WHERE agg.n > 0"
      " AND NOT " BILLD_SQL_OPEN_BEFORE("$2") " RETURNING rows"};
  if (up_to.per_session) return 0;
  return in_transaction(conn, [&] {
    // Read committed whatever the server's default: the INSERT's snapshot must be taken after
    // the lock, so it sees the checkpoint of a sealer that held it before.
    conn.exec("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
    conn.run(lock_stmt, {});
    auto rows = conn.run(stmt, {std::to_string(up_to.id), up_to.read_at, std::to_string(ids_max)});
    return rows.empty() ? std::int64_t{0} : rows.int64(0, 0);
  });
}

bool audit_seal_held_back(pg_connection& conn, const audit_draw_mark& up_to) {
  static const pg_statement stmt{"audit_seal_held_back", "SELECT " BILLD_SQL_OPEN_BEFORE("$1")};
  return conn.run(stmt, {up_to.read_at}).boolean(0, 0);
}

audit_verdict verify_audit(pg_connection& conn) {
  audit_verdict v;
  auto rows = conn.exec(
      "SELECT id, entity_type, entity_id,"
      " CASE WHEN prev_hash IS DISTINCT FROM lag(hash) OVER w THEN 'its prev_hash is not the"
      " hash of the entity''s previous row'"
      " WHEN hash <> audit_row_hash(prev_hash, entity_type, entity_id, action, actor, at,"
      " changes) THEN 'its content does not match its hash' END"
      " FROM audit_log WINDOW w AS (PARTITION BY entity_type, entity_id ORDER BY id)"
      " ORDER BY id");
  v.rows = rows.size();
  for (int i = 0; i < rows.size(); ++i) {
    if (rows.is_null(i, 3)) continue;
    v.broken = audit_break{
        "audit row " + rows.str(i, 0) + " (" + rows.str(i, 1) + " " + rows.str(i, 2) + ")",
        rows.str(i, 3)};
    return v;
  }
  auto cps = conn.exec(
      "WITH c AS (SELECT id, first_id, last_id, rows, hash,"
      "                  lag(hash) OVER (ORDER BY id) AS prev_hash,"
      "                  coalesce(lag(last_id) OVER (ORDER BY id), 0) AS prev_last"
      "           FROM audit_checkpoints)"
      " SELECT c.id, c.first_id, c.last_id, c.rows,"
      "  c.hash = sha256(coalesce(c.prev_hash, ''::bytea) ||"
      "    coalesce((SELECT string_agg(a.hash, ''::bytea ORDER BY a.id) FROM audit_log a"
      "              WHERE a.id > c.prev_last AND a.id <= c.last_id), ''::bytea)),"
      "  (SELECT count(*) FROM audit_log a WHERE a.id > c.prev_last AND a.id <= c.last_id)"
      "    = c.rows"
      " FROM c ORDER BY c.id");
  v.checkpoints = cps.size();
  for (int i = 0; i < cps.size(); ++i) {
    if (cps.boolean(i, 4) && cps.boolean(i, 5)) continue;
    v.broken = audit_break{"checkpoint " + cps.str(i, 0) + " (audit rows " + cps.str(i, 1) + ".." +
                               cps.str(i, 2) + ")",
                           cps.boolean(i, 5) ? "the sealed rows do not match its hash"
                                             : "rows were added to or removed from its range"};
    return v;
  }
  return v;
}

std::vector<audit_row> list_audit(pg_connection& conn, const audit_filter& f,
                                  std::optional<std::int64_t> before_id, int limit) {
  static const pg_statement stmt{
      "audit_list",
      "SELECT id, json_build_object('id', id, 'entity_type', entity_type, 'entity_id', entity_id,"
      " 'action', action, 'actor', actor, 'at', " BILLD_SQL_RFC3339("at") ", 'changes', changes)"
      "::text FROM audit_log"
      " WHERE ($1::text IS NULL OR entity_type = $1) AND ($2::text IS NULL OR entity_id = $2)"
      " AND ($3::text IS NULL OR actor = $3) AND ($4::timestamptz IS NULL OR at >= $4)"
      " AND ($5::timestamptz IS NULL OR at < $5) AND ($6::bigint IS NULL OR id < $6)"
      " ORDER BY id DESC LIMIT $7"};
  auto rows = conn.run(stmt, {f.entity_type, f.entity_id, f.actor, f.from, f.to,
                              before_id ? pg_param{std::to_string(*before_id)} : std::nullopt,
                              std::to_string(limit + 1)});
  std::vector<audit_row> out;
  for (int i = 0; i < rows.size(); ++i) out.push_back({rows.str(i, 0), rows.str(i, 1)});
  return out;
}

}  // namespace billd
