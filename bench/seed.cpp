#include "bench/seed.hpp"

#include <libpq-fe.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <vector>

#include "domain/ids.hpp"
#include "storage/audit_store.hpp"
#include "storage/pg_connection.hpp"

namespace billd::bench {
namespace {

/// COPY table (columns) FROM STDIN with `rows` produced by `row(i, out)` in text format.
template <class Row>
void copy_rows(pg_connection& conn, const std::string& table_and_columns, std::uint64_t rows,
               Row row) {
  auto* c = conn.raw();
  std::unique_ptr<PGresult, decltype(&PQclear)> r{
      PQexec(c, ("COPY " + table_and_columns + " FROM STDIN").c_str()), &PQclear};
  if (PQresultStatus(r.get()) != PGRES_COPY_IN)
    throw std::runtime_error("COPY " + table_and_columns + ": " + PQerrorMessage(c));
  std::string buffer;
  for (std::uint64_t i = 0; i < rows; ++i) {
    row(i, buffer);
    if (buffer.size() > (1 << 20) || i + 1 == rows) {
      if (PQputCopyData(c, buffer.data(), static_cast<int>(buffer.size())) != 1)
        throw std::runtime_error(std::string{"COPY data: "} + PQerrorMessage(c));
      buffer.clear();
    }
  }
  if (PQputCopyEnd(c, nullptr) != 1)
    throw std::runtime_error(std::string{"COPY end: "} + PQerrorMessage(c));
  std::unique_ptr<PGresult, decltype(&PQclear)> done{PQgetResult(c), &PQclear};
  if (PQresultStatus(done.get()) != PGRES_COMMAND_OK)
    throw std::runtime_error("COPY " + table_and_columns + ": " + PQerrorMessage(c));
  while (auto* extra = PQgetResult(c)) PQclear(extra);
}

/// What one seeded bill is: 70 % issued, 20 % paid in full (with its payment), 10 % cancelled.
enum class seeded { issued, paid, cancelled };
seeded kind_of(std::uint64_t i) {
  auto r = i % 10;
  return r < 7 ? seeded::issued : r < 9 ? seeded::paid : seeded::cancelled;
}

}  // namespace

seed_result seed_database(const seed_options& opt) {
  auto started = std::chrono::steady_clock::now();
  // One COPY of 100 000 rows, or the audit rows of them, may take a while: no statement limit.
  pg_connection conn{opt.conninfo, std::chrono::seconds{10}, std::chrono::hours{1}};
  auto owner = conn.exec("SELECT id FROM users WHERE role = 'admin' ORDER BY id LIMIT 1").str(0, 0);
  // Control numbers and transaction refs must be unique across seeding runs.
  auto run = conn.exec("SELECT to_char(clock_timestamp(), 'YYMMDDHH24MISSMS')").str(0, 0);
  seed_result out;
  for (std::uint64_t done = 0; done < opt.bills;) {
    auto n = std::min(opt.per_statement, opt.bills - done);
    std::vector<std::string> ids(n);
    for (auto& id : ids) id = new_id("bil");
    conn.begin();
    copy_rows(
        conn,
        "bills (id, status, amount, paid_amount, currency, currency_exponent, description,"
        " due_date, expires_at, reference, payer_name, payer_phone, control_number,"
        " created_by)",
        n, [&](std::uint64_t i, std::string& b) {
          auto k = kind_of(done + i);
          auto amount = std::to_string(100'000 + (done + i) % 900'000);
          auto status = k == seeded::issued ? "issued" : k == seeded::paid ? "paid" : "cancelled";
          b +=
              ids[i] + '\t' + status + '\t' + amount + '\t' + (k == seeded::paid ? amount : "0") +
              "\tTZS\t2\tSeeded bill\t2099-12-31\t2100-01-01 00:00:00+00\tseed-" + run + '-' +
              std::to_string(done + i) + "\tSeed Payer\t+2557" +
              std::to_string(10'000'000 + (done + i) % 90'000'000) + '\t' +
              (k == seeded::cancelled ? std::string{"\\N"} : "S" + run + std::to_string(done + i)) +
              '\t' + owner + '\n';
        });
    std::vector<std::uint64_t> paid_rows;
    for (std::uint64_t i = 0; i < n; ++i)
      if (kind_of(done + i) == seeded::paid) paid_rows.push_back(i);
    copy_rows(conn,
              "payments (id, transaction_ref, fingerprint, control_number, bill_id, amount,"
              " currency, currency_exponent, outcome, paid_at, channel, response)",
              paid_rows.size(), [&](std::uint64_t j, std::string& b) {
                auto i = paid_rows[j];
                auto amount = std::to_string(100'000 + (done + i) % 900'000);
                b += new_id("pay") + "\tSEED-" + run + '-' + std::to_string(done + i) +
                     "\t\\\\x00\tS" + run + std::to_string(done + i) + '\t' + ids[i] + '\t' +
                     amount + "\tTZS\t2\tapplied\t2026-11-20 10:00:00+00\tmobile\t{}\n";
              });
    // Each bill's control-number job, finished as billd leaves them until retention.jobs_days
    // purges them: most of a mature jobs table, which /metrics must not read at every scrape.
    copy_rows(conn, "jobs (id, kind, bill_id, status, attempt, fence)", n,
              [&](std::uint64_t i, std::string& b) {
                b += new_id("job") + "\tcontrol_number\t" + ids[i] + '\t' +
                     (kind_of(done + i) == seeded::cancelled ? "cancelled" : "done") + "\t1\t1\n";
              });
    // The first audit row of each, chained by the database's own hash function.
    conn.exec(BILLD_SQL_FIRST_AUDIT("'bill'", "b.id", "'create'", "b.created_by", "'{}'::jsonb",
                                    ", bills b") " WHERE b.id BETWEEN $1 AND $2",
              {ids.front(), ids.back()});
    conn.commit();
    out.bills += n;
    out.payments += paid_rows.size();
    out.jobs += n;
    out.audit_rows += n;
    done += n;
  }
  // Settle what the load leaves behind before anything is measured on it: without this,
  // autovacuum's insert-triggered passes over the new rows and the checkpoint of the loaded
  // pages run during the first minutes of a measurement, as they would not on a database
  // that grew to this size over months.
  conn.exec("VACUUM (ANALYZE) bills, payments, jobs, audit_log");
  try {
    conn.exec("CHECKPOINT");
  } catch (const std::exception& e) {  // a role without pg_checkpoint on a database of one's own
    std::cerr << "seed: no CHECKPOINT (" << e.what() << "); the next one comes by itself\n";
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return out;
}

}  // namespace billd::bench
