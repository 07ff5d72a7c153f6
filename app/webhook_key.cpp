#include "app/webhook_key.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "domain/crypto.hpp"

namespace billd {

std::string load_webhook_key(const settings& cfg) {
  std::string key;
  if (!cfg.webhooks.secret_key.empty()) {
    from_hex(cfg.webhooks.secret_key, key);  // validated as 64 hex digits at start-up
    return key;
  }
  auto path = std::filesystem::path{cfg.data_dir} / "webhook-secret.key";
  std::ifstream in{path};
  if (in) {
    std::string hex;
    in >> hex;
    if (!from_hex(hex, key) || key.size() != secret_key_bytes)
      throw std::runtime_error(path.string() + " does not hold a 64-hex-digit key");
    return key;
  }
  std::filesystem::create_directories(cfg.data_dir);
  key = random_secret_key();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + path.string());
  auto hex = to_hex(key) + "\n";
  bool ok = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size());
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot write " + path.string());
  return key;
}

}  // namespace billd
