#include "storage/db_error.hpp"

namespace billd {

db_errc classify_sqlstate(std::string_view s) {
  if (s.empty() || s.starts_with("08")) return db_errc::connection_lost;
  if (s == "23505") return db_errc::unique_violation;
  if (s.starts_with("23")) return db_errc::constraint_violation;
  if (s == "40001" || s == "40P01") return db_errc::serialization_failure;
  if (s == "57014") return db_errc::query_canceled;
  if (s.starts_with("53") || s.starts_with("57P0")) return db_errc::unavailable;
  if (s.starts_with("22")) return db_errc::invalid_input;
  return db_errc::other;
}

bool is_dependency_failure(db_errc code) {
  switch (code) {
    case db_errc::connection_lost:
    case db_errc::query_canceled:
    case db_errc::unavailable:
      return true;
    case db_errc::unique_violation:
    case db_errc::constraint_violation:
    case db_errc::serialization_failure:
    case db_errc::invalid_input:
    case db_errc::other:
      return false;
  }
  return false;
}

std::string_view to_string(db_errc code) {
  switch (code) {
    case db_errc::unique_violation:
      return "unique_violation";
    case db_errc::constraint_violation:
      return "constraint_violation";
    case db_errc::serialization_failure:
      return "serialization_failure";
    case db_errc::connection_lost:
      return "connection_lost";
    case db_errc::query_canceled:
      return "query_canceled";
    case db_errc::unavailable:
      return "unavailable";
    case db_errc::invalid_input:
      return "invalid_input";
    case db_errc::other:
      return "other";
  }
  return "other";
}

}  // namespace billd
