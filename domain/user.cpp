#include "domain/user.hpp"

#include "domain/json_text.hpp"

namespace billd {

std::string user_json(const user& u) {
  return json_object{}
      .str("id", u.id)
      .str("username", u.username)
      .str("role", to_string(u.role))
      .boolean("disabled", u.disabled)
      .str("created_at", u.created_at)
      .finish();
}

}  // namespace billd
