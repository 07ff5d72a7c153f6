#pragma once
// Storage's own small vocabulary of failures. SQLSTATE strings are mapped once, here;
// nothing above storage looks at them.

#include <stdexcept>
#include <string>
#include <string_view>

namespace billd {

/// What went wrong with a statement, as far as callers need to know.
enum class db_errc : std::uint8_t {
  unique_violation,       // 23505
  constraint_violation,   // other class 23
  serialization_failure,  // 40001, 40P01
  connection_lost,        // class 08, or libpq reports a broken connection
  query_canceled,         // 57014 (statement timeout or PQcancel)
  unavailable,            // 53xxx resources, 57P0x shutdown
  invalid_input,          // class 22
  other,
};

/// Maps a SQLSTATE (empty when libpq had no server answer) to db_errc.
db_errc classify_sqlstate(std::string_view sqlstate);

/// True for failures that say the database itself is in trouble (breaker-worthy), as opposed
/// to a statement that lost a race or broke a constraint.
bool is_dependency_failure(db_errc code);

/// Human-readable name of a code, for logs.
std::string_view to_string(db_errc code);

/// A failed statement.
class db_error : public std::runtime_error {
 public:
  db_error(db_errc code, std::string sqlstate, const std::string& message)
      : std::runtime_error(message), code_(code), sqlstate_(std::move(sqlstate)) {}
  db_errc code() const noexcept { return code_; }
  const std::string& sqlstate() const noexcept { return sqlstate_; }

 private:
  db_errc code_;
  std::string sqlstate_;
};

}  // namespace billd
