#pragma once
// Payments: recording a gateway notification exactly once (API.md "Payment notification").

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace billd {

class pg_connection;

/// A well-formed, well-signed notification, amounts already in minor units.
struct payment_notice {
  std::string control_number;
  std::string transaction_ref;
  std::int64_t amount = 0;
  std::string currency;
  int currency_exponent = 0;
  std::string paid_at;  // RFC 3339 as sent
  std::string channel;
  std::optional<std::string> payer_phone;
};

/// What recording did.
struct payment_recorded {
  enum class kind { recorded, replayed, conflict } what = kind::recorded;
  std::string body;  // the 200 body (recorded or replayed)
  std::string outcome;
  std::optional<std::string> bill_id;
  std::optional<std::string> reason;  // why unapplied
};

/// Records n in the caller's transaction: waits for a concurrent holder of the same
/// transaction_ref, replays or refuses a repeat, else applies it to its bill (when it can) and
/// writes the payment, bill update and audit rows.
payment_recorded record_payment(pg_connection& conn, const payment_notice& n,
                                const std::string& payment_id);

/// A notification and the id its payment row gets if it is new.
struct payment_input {
  payment_notice notice;
  std::string payment_id;
};

/// Which notifications of a list one round of record_payments takes: each whose
/// transaction_ref and control number no earlier one shares. The others wait for a later
/// round, so each bill takes its payments, and each ref its repeats, in list order.
std::vector<bool> first_round(const std::vector<const payment_notice*>& notices);

/// record_payment for many notifications in the caller's transaction, with a fixed number of
/// statements per round (one round when refs and control numbers are all distinct), as if each
/// were recorded in the order given. Outcomes in the same order.
std::vector<payment_recorded> record_payments(pg_connection& conn,
                                              const std::vector<payment_input>& inputs);

/// One payment as API.md shows it.
struct payment_row {
  std::string json;
  std::string id;
};

/// GET /api/v1/payments/{id}.
std::optional<std::string> find_payment_json(pg_connection& conn, const std::string& id);

/// Payments filtered by outcome/bill/paid_at range, id < before_id, newest first; one extra row
/// tells whether there is a next page.
struct payment_filter {
  std::optional<std::string> outcome;
  std::optional<std::string> bill_id;
  std::optional<std::string> from;  // paid_at >= (RFC 3339)
  std::optional<std::string> to;    // paid_at <  (RFC 3339)
};
std::vector<payment_row> list_payments(pg_connection& conn, const payment_filter& f,
                                       const std::optional<std::string>& before_id, int limit);

}  // namespace billd
