#pragma once
// A user account as clients see it (never its password hash).

#include <string>

#include "domain/user_rules.hpp"

namespace billd {

/// One user.
struct user {
  std::string id;
  std::string username;
  user_role role = user_role::viewer;
  bool disabled = false;
  std::string created_at;
};

/// `{"id","username","role","disabled","created_at"}`.
std::string user_json(const user& u);

}  // namespace billd
