#pragma once
// The audit log: every state change with actor, time and the before/after of changed fields,
// hash-chained per entity and sealed by periodic global checkpoints (ARCHITECTURE.md).

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace billd {

class pg_connection;
class pg_pipeline;

/// Appends an audit row to its entity's chain (changes: JSON {field:{before,after}}).
/// Serialises only writers of the same entity (a transaction-scoped advisory lock).
void record_audit(pg_connection& conn, const std::string& entity_type, const std::string& entity_id,
                  const std::string& action, const std::string& actor,
                  const std::string& changes_json);

/// One row for record_audits.
struct audit_entry {
  std::string entity_type;
  std::string entity_id;
  std::string action;
  std::string actor;
  std::string changes_json;
  /// The entity's id was made for this transaction (a payment's, say), so no other writer can
  /// know it yet: its chain starts here, without the lock and the look-up of a previous row.
  bool first = false;
};

/// One changed field of an audit row (nullopt: JSON null).
struct field_change {
  std::string_view name;
  std::optional<std::string> before, after;
};

/// The changes JSON of an audit row: {"name":{"before":…,"after":…},…}.
std::string audit_changes(std::initializer_list<field_change> fields);

/// record_audit for many rows in two statements (more when an entity has several rows: each
/// goes to its chain in the order given), added to `out` to run with others in one round trip.
void record_audits(pg_pipeline& out, const std::vector<audit_entry>& entries);

/// The first audit row of an entity created by the same statement, as SQL text to use in it
/// (a data-modifying CTE): the entity's id is new, so no other writer can know it yet, and the
/// chain starts here without the lock and the look-up of a previous row that record_audit
/// needs. `from` adds FROM items (", b" for the CTE of the new row).
#define BILLD_SQL_FIRST_AUDIT(type, id, action, actor, changes, from)                            \
  " INSERT INTO audit_log (entity_type, entity_id, action, actor, at, changes, prev_hash, hash)" \
  " SELECT " type ", " id ", " action ", " actor ", t.at, " changes                              \
  ", NULL,"                                                                                      \
  "  audit_row_hash(NULL, " type ", " id ", " action ", " actor ", t.at, " changes               \
  ")"                                                                                            \
  " FROM (SELECT date_trunc('microseconds', now()) AS at) t" from

/// How far audit row ids had been drawn, committed or not, at one moment.
struct audit_draw_mark {
  std::int64_t id = 0;       ///< the highest id drawn (0 before the first)
  std::string read_at;       ///< the server's clock just after reading it (timestamptz text)
  bool per_session = false;  ///< the sequence caches ids per session: smaller ids may come later
};
audit_draw_mark audit_ids_drawn(pg_connection& conn);

/// Seals the rows not yet in a checkpoint with ids up to `up_to.id`, at most `ids_max` ids past
/// the last checkpoint, under a new checkpoint, in a transaction of its own (sealers of several
/// nodes take turns); the number sealed.
/// Nothing is sealed (0) while a transaction of this database that began before
/// `up_to.read_at` is still open: it may hold a smaller id, not yet committed.
std::int64_t seal_audit(pg_connection& conn, const audit_draw_mark& up_to,
                        std::int64_t ids_max = 200'000);

/// True while seal_audit would seal nothing up to `up_to` because a transaction that began
/// before it was read is still open.
bool audit_seal_held_back(pg_connection& conn, const audit_draw_mark& up_to);

/// The first broken link, if any.
struct audit_break {
  std::string where;  // "audit row 42 (bill bil_…)" or "checkpoint 7"
  std::string why;
};
struct audit_verdict {
  std::int64_t rows = 0;
  std::int64_t checkpoints = 0;
  std::optional<audit_break> broken;
};
audit_verdict verify_audit(pg_connection& conn);

/// GET /api/v1/audit filters (exact matches; from inclusive, to exclusive on `at`).
struct audit_filter {
  std::optional<std::string> entity_type, entity_id, actor, from, to;
};
struct audit_row {
  std::string id;  // the row's bigint id as text (a page cursor)
  std::string json;
};
/// Rows matching f with id < before_id, newest first, at most limit + 1.
std::vector<audit_row> list_audit(pg_connection& conn, const audit_filter& f,
                                  std::optional<std::int64_t> before_id, int limit);

}  // namespace billd
