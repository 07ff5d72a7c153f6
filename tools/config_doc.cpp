// Prints the configuration key table of docs/configuration.md from config/keys.cpp, so the
// document cannot drift from the code (a ctest compares the two).
#include <iostream>

#include "config/keys.hpp"

int main() {
  std::cout << billd::config_keys_markdown();
  return 0;
}
