#include "actors/reply_mapping.hpp"
#include "log/module_log.hpp"

#include <spdlog/spdlog.h>

namespace billd {

api_reply make_reply(reply_kind kind, std::string detail) {
  api_reply r;
  r.kind = kind;
  r.detail = std::move(detail);
  return r;
}

api_reply ok_reply(std::uint16_t status, std::string body) {
  api_reply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

api_reply reply_for_failure(const db_outcome& outcome, bool write) {
  switch (outcome.code) {
    case db_outcome_code::ok:
      return make_reply(reply_kind::internal, "no result");
    case db_outcome_code::overloaded:
      if (outcome.retry_after_s > 0) {
        auto r = make_reply(reply_kind::overloaded,
                            "the database is failing; billd holds statements back for now");
        r.retry_after_s = outcome.retry_after_s;
        return r;
      }
      [[fallthrough]];
    case db_outcome_code::deadline_passed:
      return make_reply(reply_kind::overloaded, "the database is busy; not executed");
    case db_outcome_code::outcome_unknown:
      return make_reply(reply_kind::outcome_unknown,
                        "the write was dispatched and its result is unknown");
    case db_outcome_code::failed:
      break;
  }
  switch (outcome.error) {
    case db_errc::connection_lost:
      return write ? make_reply(reply_kind::outcome_unknown,
                                "the database connection broke during the write")
                   : make_reply(reply_kind::overloaded, "the database is unreachable");
    case db_errc::query_canceled:
    case db_errc::unavailable:
    case db_errc::serialization_failure:
      return make_reply(reply_kind::overloaded, "the database could not run the statement now");
    case db_errc::unique_violation:
    case db_errc::constraint_violation:
      return make_reply(reply_kind::conflict, "the change conflicts with existing data");
    case db_errc::invalid_input:
    case db_errc::other:
      break;
  }
  logger_of(log_module::billing).error("database call failed: {}", outcome.message);
  return make_reply(reply_kind::internal, "internal error");
}

}  // namespace billd
