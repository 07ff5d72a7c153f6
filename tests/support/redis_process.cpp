#include "tests/support/redis_process.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "storage/redis_client.hpp"

namespace billd::test {
namespace {

constexpr const char* redis_server = "/usr/bin/redis-server";

/// A loopback port free right now (the kernel's pick for port 0).
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("no free port");
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace

redis_process::redis_process() : port_(free_port()) { start(); }

redis_process::~redis_process() {
  if (pid_ > 0) {
    ::kill(pid_, SIGCONT);
    kill();
  }
}

std::string redis_process::url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

void redis_process::start() {
  if (::access(redis_server, X_OK) != 0)
    throw std::runtime_error("redis-server is not installed (scripts/setup --test installs it)");
  std::vector<std::string> args{
      redis_server,   "--port", std::to_string(port_), "--bind", "127.0.0.1", "--save", "",
      "--appendonly", "no",     "--loglevel",          "warning"};
  pid_ = ::fork();
  if (pid_ == 0) {
    int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, STDOUT_FILENO);
    ::dup2(null, STDERR_FILENO);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(redis_server, argv.data());
    ::_exit(127);
  }
  redis_client probe{redis_target{"127.0.0.1", static_cast<std::uint16_t>(port_), "", 0},
                     std::chrono::milliseconds{200}};
  for (int i = 0; i < 100; ++i) {
    if (!probe.incr("billd:test:probe").failed) return;
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
  throw std::runtime_error("redis-server did not answer on port " + std::to_string(port_));
}

void redis_process::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void redis_process::freeze() { ::kill(pid_, SIGSTOP); }

void redis_process::thaw() { ::kill(pid_, SIGCONT); }

}  // namespace billd::test
