// The one translation unit of the integration-test binary that provides CAF test's main().
#include <utility>

#include "caf/test/unit_test_impl.hpp"
