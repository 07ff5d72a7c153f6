#pragma once
// Message types that cross actors. Each has an `inspect` overload and is registered in
// register_message_types(), so the cluster mode can send it between nodes.

#include <caf/meta/type_name.hpp>

#include "actors/std_optional_inspect.hpp"

#include <cstdint>
#include <optional>
#include <string>

#include "domain/bill_draft.hpp"
#include "domain/user_rules.hpp"
#include "storage/db_error.hpp"
#include "storage/payment_store.hpp"

namespace caf {
class actor_system_config;
}

namespace billd {

/// How a db-pool call ended.
enum class db_outcome_code : std::uint8_t {
  ok,               // the task ran and returned
  failed,           // the task ran and threw db_error (see error)
  overloaded,       // refused at once: the wait queue is full or the breaker is open
  deadline_passed,  // dropped before it ran: its request deadline had passed
  outcome_unknown,  // its connection died while running it: it may or may not have committed
};

/// The answer of the db-pool to one task.
struct db_outcome {
  db_outcome_code code = db_outcome_code::ok;
  db_errc error = db_errc::other;
  std::string message;
  std::uint32_t retry_after_s = 0;  // overloaded by an open breaker: seconds until its probe
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, db_outcome& x) {
  return f(caf::meta::type_name("db_outcome"), x.code, x.error, x.message, x.retry_after_s);
}

/// What a write or read reported back to the front, before HTTP framing.
enum class reply_kind : std::uint8_t {
  ok,
  not_found,
  conflict,
  precondition_failed,
  validation_failed,
  idempotency_mismatch,
  idempotency_in_flight,
  unauthenticated,
  rate_limited,
  overloaded,
  outcome_unknown,
  internal,
  too_large,  // a streamed body went over its limit (413)
};

/// A reply from billing, auth or user actors; `status`/`body` are set for ok replies.
struct api_reply {
  reply_kind kind = reply_kind::ok;
  std::uint16_t status = 200;
  std::string body;
  std::string location;
  std::string etag;
  std::string detail;
  std::string field;  // the invalid field of validation_failed
  bool replayed = false;
  std::uint32_t retry_after_s = 0;  // for rate_limited and overloaded
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, api_reply& x) {
  return f(caf::meta::type_name("api_reply"), x.kind, x.status, x.body, x.location, x.etag,
           x.detail, x.field, x.replayed, x.retry_after_s);
}

/// The authenticated caller of a request.
struct principal {
  std::string user_id;
  std::string username;
  user_role role = user_role::viewer;
  std::int64_t expires_at_ms = 0;  // when the session ends (monotonic checks use the cache TTL)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, principal& x) {
  return f(caf::meta::type_name("principal"), x.user_id, x.username, x.role, x.expires_at_ms);
}

/// Idempotency context of a write: the key (empty when none) and the request fingerprint,
/// plus the request id every log line about the write names.
struct idempotency_ref {
  std::string key;
  std::string fingerprint_hex;
  std::string request_id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, idempotency_ref& x) {
  return f(caf::meta::type_name("idempotency_ref"), x.key, x.fingerprint_hex, x.request_id);
}

/// POST /api/v1/bills after validation.
struct create_bill_cmd {
  std::string bill_id;
  bill_draft draft;
  std::string actor_id;
  idempotency_ref idem;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, civil_date& x) {
  return f(caf::meta::type_name("civil_date"), x.year, x.month, x.day);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, bill_draft& x) {
  return f(caf::meta::type_name("bill_draft"), x.payer_name, x.payer_phone, x.payer_email,
           x.amount_minor, x.currency, x.currency_exponent, x.description, x.due_date, x.reference);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, create_bill_cmd& x) {
  return f(caf::meta::type_name("create_bill_cmd"), x.bill_id, x.draft, x.actor_id, x.idem);
}

/// POST /api/v1/bills/{id}/cancel.
struct cancel_bill_cmd {
  std::string bill_id;
  std::string actor_id;
  std::optional<std::int64_t> if_match_version;
  idempotency_ref idem;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cancel_bill_cmd& x) {
  return f(caf::meta::type_name("cancel_bill_cmd"), x.bill_id, x.actor_id, x.if_match_version,
           x.idem);
}

/// POST /api/v1/users and PATCH /api/v1/users/{id}.
struct user_change_cmd {
  std::string user_id;  // empty for create
  std::string actor_id;
  std::optional<std::string> username;
  std::optional<std::string> password;
  std::optional<user_role> role;
  std::optional<bool> disabled;
  idempotency_ref idem;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, user_change_cmd& x) {
  return f(caf::meta::type_name("user_change_cmd"), x.user_id, x.actor_id, x.username, x.password,
           x.role, x.disabled, x.idem);
}

/// What a gateway call asks for.
enum class gateway_call_kind : std::uint8_t { control_number, withdrawal };

/// One call to the payment gateway (its JSON body already rendered; signed per attempt).
struct gateway_call {
  gateway_call_kind kind = gateway_call_kind::control_number;
  std::string bill_id;
  std::string target;
  std::string body;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, gateway_call& x) {
  return f(caf::meta::type_name("gateway_call"), x.kind, x.bill_id, x.target, x.body);
}

/// How a gateway call ended, after the client's own attempts.
enum class gateway_verdict : std::uint8_t {
  issued,       // 200 with a control number
  accepted,     // 202: the answer comes later by callback
  refused,      // a final 4xx: the bill fails (reason set)
  done,         // a withdrawal the gateway confirmed (or never knew)
  retry_later,  // transient: the job tries again after retry_after_ms at the earliest
};

struct gateway_result {
  gateway_verdict verdict = gateway_verdict::retry_later;
  std::string control_number;
  std::string reason;
  std::uint32_t retry_after_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, gateway_result& x) {
  return f(caf::meta::type_name("gateway_result"), x.verdict, x.control_number, x.reason,
           x.retry_after_ms);
}

/// The gateway's answer for a bill, from a job (job_id and fence set) or a callback: a control
/// number, or a failure reason when it refused the bill for good.
struct control_number_cmd {
  std::string bill_id;
  std::string control_number;
  std::string failure;
  std::string job_id;
  std::int64_t fence = 0;
  std::string request_id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, control_number_cmd& x) {
  return f(caf::meta::type_name("control_number_cmd"), x.bill_id, x.control_number, x.failure,
           x.job_id, x.fence, x.request_id);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, payment_notice& x) {
  return f(caf::meta::type_name("payment_notice"), x.control_number, x.transaction_ref, x.amount,
           x.currency, x.currency_exponent, x.paid_at, x.channel, x.payer_phone);
}

/// POST /api/v1/gateway/payments after signature and field checks.
struct payment_cmd {
  payment_notice notice;
  std::string payment_id;
  std::string request_id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, payment_cmd& x) {
  return f(caf::meta::type_name("payment_cmd"), x.notice, x.payment_id, x.request_id);
}

/// Registers every message type above with the actor system (every node must call it).
void register_message_types(caf::actor_system_config& cfg);

}  // namespace billd
