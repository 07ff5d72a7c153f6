// billd-bench: placeholder until the bench issue builds the load harness (bench/README.md).
#include <cstdio>

int main() {
  std::puts("billd-bench: not built yet; see the bench issue");
  return 2;
}
