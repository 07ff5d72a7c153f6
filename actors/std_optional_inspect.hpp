#pragma once
// CAF 0.17 inspects caf::optional but not std::optional. These overloads live in namespace caf
// so argument-dependent lookup finds them through the inspector's type.

#include <caf/optional.hpp>

#include <optional>

namespace caf {

template <class Inspector, class T>
typename std::enable_if<Inspector::reads_state, typename Inspector::result_type>::type inspect(
    Inspector& f, std::optional<T>& x) {
  return x ? f(true, *x) : f(false);
}

template <class Inspector, class T>
typename std::enable_if<Inspector::writes_state, typename Inspector::result_type>::type inspect(
    Inspector& f, std::optional<T>& x) {
  bool flag = false;
  T tmp{};
  optional_inspect_helper<T> helper{flag, tmp};
  auto guard = detail::make_scope_guard([&] {
    if (flag)
      x = std::move(tmp);
    else
      x = std::nullopt;
  });
  return f(flag, helper);
}

}  // namespace caf
