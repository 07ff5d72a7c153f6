#include "storage/pg_connection.hpp"

#include <poll.h>

#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <utility>

namespace billd {

pg_rows::pg_rows(PGresult* res) : res_(res) {}
pg_rows::pg_rows(pg_rows&& other) noexcept : res_(std::exchange(other.res_, nullptr)) {}
pg_rows& pg_rows::operator=(pg_rows&& other) noexcept {
  if (this != &other) {
    if (res_ != nullptr) PQclear(res_);
    res_ = std::exchange(other.res_, nullptr);
  }
  return *this;
}
pg_rows::~pg_rows() {
  if (res_ != nullptr) PQclear(res_);
}
int pg_rows::size() const { return PQntuples(res_); }
bool pg_rows::is_null(int row, int col) const { return PQgetisnull(res_, row, col) != 0; }
std::string_view pg_rows::text(int row, int col) const {
  return {PQgetvalue(res_, row, col), static_cast<std::size_t>(PQgetlength(res_, row, col))};
}
std::optional<std::string> pg_rows::opt(int row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return str(row, col);
}
std::int64_t pg_rows::int64(int row, int col) const {
  auto t = text(row, col);
  std::int64_t v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}
bool pg_rows::boolean(int row, int col) const { return text(row, col) == "t"; }
std::int64_t pg_rows::affected() const {
  std::string_view t = PQcmdTuples(res_);
  std::int64_t v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}

pg_connection::pg_connection(const std::string& conninfo, std::chrono::milliseconds connect_timeout,
                             std::chrono::milliseconds statement_timeout) {
  auto seconds = std::max<long long>(1, (connect_timeout.count() + 999) / 1000);
  // libpq keeps the last value of a repeated keyword, and the URL in "dbname" expands in place.
  // TCP keepalives and a user timeout come first, so a URL may override them: without them a
  // connection whose peer vanished (no RST) blocks its thread for the kernel's ~2 hours, and
  // the pool could only give its work up (actors/db_pool). Unix sockets ignore them.
  // connect_timeout comes after, so it applies to URLs and conninfo strings alike.
  std::string full = conninfo;
  std::string user_timeout = std::to_string((statement_timeout + connect_timeout).count());
  const char* keys[] = {"keepalives",       "keepalives_idle",  "keepalives_interval",
                        "keepalives_count", "tcp_user_timeout", "dbname",
                        "connect_timeout",  "application_name", nullptr};
  std::string timeout = std::to_string(seconds);
  const char* values[] = {
      "1", "10", "5", "3", user_timeout.c_str(), full.c_str(), timeout.c_str(), "billd", nullptr};
  conn_ = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    std::string msg = conn_ ? PQerrorMessage(conn_) : "out of memory";
    if (conn_) PQfinish(conn_);
    conn_ = nullptr;
    throw db_error(db_errc::connection_lost, "", "cannot connect to PostgreSQL: " + msg);
  }
  if (auto* cancel = PQgetCancel(conn_))
    cancel_.reset(cancel, [](void* c) { PQfreeCancel(static_cast<PGcancel*>(c)); });
  exec("SET statement_timeout = " + std::to_string(statement_timeout.count()) +
       "; SET synchronous_commit = on; SET TIME ZONE 'UTC'");
}

pg_connection::~pg_connection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

pg_rows pg_connection::check(PGresult* res, std::string_view what) {
  auto status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return pg_rows{res};
  std::string sqlstate;
  std::string message;
  if (res != nullptr) {
    const char* st = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (st != nullptr) sqlstate = st;
    message = PQresultErrorMessage(res);
    PQclear(res);
  } else {
    message = PQerrorMessage(conn_);
  }
  auto code = classify_sqlstate(sqlstate);
  if (PQstatus(conn_) != CONNECTION_OK) code = db_errc::connection_lost;
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  throw db_error(code, sqlstate, std::string{what} + ": " + message);
}

void pg_connection::note_round_trip() const {
  if (stamp_)
    stamp_->store(std::chrono::steady_clock::now().time_since_epoch().count(),
                  std::memory_order_relaxed);
}

pg_rows pg_connection::exec(std::string_view sql) {
  note_round_trip();
  // A simple query may hold several statements: a pending BEGIN leads them.
  std::string text = std::exchange(begin_pending_, false) ? "BEGIN; " : "";
  text += sql;
  return check(PQexec(conn_, text.c_str()), "statement");
}

void pg_connection::commit() {
  if (std::exchange(begin_pending_, false)) return;  // nothing ran: nothing to commit
  exec("COMMIT");
}

PGconn* pg_connection::raw() {
  note_round_trip();  // COPY's round trips follow: the stamp covers the first
  if (begin_pending_) exec("");
  return conn_;
}

namespace {
std::vector<const char*> raw_params(const pg_params& params) {
  std::vector<const char*> raw;
  raw.reserve(params.size());
  for (const auto& p : params) raw.push_back(p ? p->c_str() : nullptr);
  return raw;
}
}  // namespace

pg_rows pg_connection::exec(const char* sql, const pg_params& params) {
  note_round_trip();
  if (begin_pending_) exec("");
  auto raw = raw_params(params);
  return check(PQexecParams(conn_, sql, static_cast<int>(raw.size()), nullptr, raw.data(), nullptr,
                            nullptr, 0),
               "statement");
}

pg_rows pg_connection::run(const pg_statement& stmt, const pg_params& params) {
  note_round_trip();
  if (begin_pending_) return std::move(run_pipelined({pg_pipeline::entry{&stmt, params}}).back());
  if (!prepared_.contains(stmt.name)) {
    check(PQprepare(conn_, stmt.name, stmt.sql, 0, nullptr), stmt.name);
    prepared_.insert(stmt.name);
  }
  auto raw = raw_params(params);
  return check(PQexecPrepared(conn_, stmt.name, static_cast<int>(raw.size()), raw.data(), nullptr,
                              nullptr, 0),
               stmt.name);
}

std::vector<pg_rows> pg_connection::run(const pg_pipeline& statements) {
  if (statements.empty()) return {};
  return run_pipelined(statements.entries_);
}

std::vector<pg_rows> pg_connection::run_pipelined(const std::vector<pg_pipeline::entry>& entries) {
  note_round_trip();
  // What each result answers, in the order sent: its name, and for a PREPARE the statement
  // it makes (known to be prepared only once its result says so).
  struct expected {
    const char* what;
    const char* prepares = nullptr;
    bool entry = false;  // an entry's own result (not BEGIN's, not a PREPARE's)
  };
  std::vector<expected> results;
  results.reserve(entries.size() * 2 + 1);
  bool sent = PQenterPipelineMode(conn_) == 1;
  if (sent && std::exchange(begin_pending_, false)) {
    sent = PQsendQueryParams(conn_, "BEGIN", 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
    results.push_back({"BEGIN"});
  }
  for (const auto& e : entries) {
    if (!sent) break;
    const auto* name = e.stmt->name;
    // Once per name: a statement added twice is prepared by its first PREPARE.
    bool preparing = std::any_of(results.begin(), results.end(), [name](const expected& r) {
      return r.prepares != nullptr && std::string_view{r.prepares} == name;
    });
    if (!prepared_.contains(name) && !preparing) {
      sent = PQsendPrepare(conn_, name, e.stmt->sql, 0, nullptr) == 1;
      results.push_back({name, name});
      if (!sent) break;
    }
    auto raw = raw_params(e.params);
    sent = PQsendQueryPrepared(conn_, name, static_cast<int>(raw.size()), raw.data(), nullptr,
                               nullptr, 0) == 1;
    results.push_back({name, nullptr, true});
  }
  if (!sent || PQpipelineSync(conn_) != 1) {
    // A send failed: the connection is gone or unusable; nothing of it can be trusted.
    PQexitPipelineMode(conn_);
    check(nullptr, results.empty() ? "pipeline" : results.back().what);
  }
  // Every result is read, also after a failure (the rest come back aborted), so the
  // connection leaves pipeline mode clean.
  std::optional<db_error> failure;
  std::vector<pg_rows> rows;
  rows.reserve(entries.size());
  for (const auto& r : results) {
    // statement_timeout applies to each statement: each result is progress of its own.
    if (&r != &results.front()) note_round_trip();
    PGresult* res = PQgetResult(conn_);
    if (res == nullptr) {  // the connection broke: no more results will come
      if (!failure) {
        try {
          check(nullptr, r.what);
        } catch (const db_error& e) {
          failure = e;
        }
      }
      break;
    }
    if (PQresultStatus(res) == PGRES_PIPELINE_ABORTED || failure) {
      PQclear(res);
    } else {
      try {
        auto one = check(res, r.what);
        if (r.prepares != nullptr) prepared_.insert(r.prepares);
        if (r.entry) rows.push_back(std::move(one));
      } catch (const db_error& e) {
        failure = e;
      }
    }
    // Each statement's results end with a null.
    while ((res = PQgetResult(conn_)) != nullptr) PQclear(res);
  }
  if (PGresult* sync = PQgetResult(conn_)) PQclear(sync);  // PGRES_PIPELINE_SYNC
  // Left in pipeline mode, the connection could run nothing else: healthy() says so then.
  PQexitPipelineMode(conn_);
  if (failure) throw *failure;
  if (PQstatus(conn_) != CONNECTION_OK || PQpipelineStatus(conn_) != PQ_PIPELINE_OFF)
    throw db_error(db_errc::connection_lost, "", "pipeline: the connection broke");
  return rows;
}

void pg_connection::rollback_quietly() noexcept {
  if (std::exchange(begin_pending_, false)) return;  // nothing ran: nothing to undo
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) return;
  note_round_trip();
  PQclear(PQexec(conn_, "ROLLBACK"));
}

bool pg_connection::healthy() const {
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) return false;
  if (PQpipelineStatus(conn_) != PQ_PIPELINE_OFF) return false;
  // An idle connection whose server went away (a restart, a failover, a killed backend) has a
  // readable socket: EOF or a termination notice. Finding out here lets the caller reconnect
  // instead of failing its next statement (and counting that against the breaker).
  pollfd p{PQsocket(conn_), POLLIN, 0};
  if (::poll(&p, 1, 0) > 0 && !PQconsumeInput(conn_)) return false;
  return PQstatus(conn_) == CONNECTION_OK;
}

void pg_canceller::cancel() const {
  if (!cancel_) return;
  char err[256];
  PQcancel(static_cast<PGcancel*>(cancel_.get()), err, sizeof err);
}

}  // namespace billd
