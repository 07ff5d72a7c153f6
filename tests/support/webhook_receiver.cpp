#include "tests/support/webhook_receiver.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

namespace billd::test {

webhook_receiver::webhook_receiver() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("webhook receiver cannot listen");
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread{[this] {
    for (;;) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) {
        std::lock_guard lock{mu_};
        if (stopping_) return;
        continue;
      }
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      std::lock_guard lock{mu_};
      sessions_.emplace_back([this, fd] { serve(fd); });
    }
  }};
}

webhook_receiver::~webhook_receiver() {
  {
    std::lock_guard lock{mu_};
    stopping_ = true;
  }
  acceptor_.join();
  ::close(listen_fd_);
  for (auto& t : sessions_) t.join();
}

std::string webhook_receiver::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void webhook_receiver::script(std::vector<int> statuses) {
  std::lock_guard lock{mu_};
  script_.assign(statuses.begin(), statuses.end());
}

std::vector<received_request> webhook_receiver::received() const {
  std::lock_guard lock{mu_};
  return received_;
}

bool webhook_receiver::wait_for(std::size_t n, std::chrono::seconds timeout) const {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (received().size() >= n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  return received().size() >= n;
}

void webhook_receiver::serve(int fd) {
  std::string buf;
  for (;;) {
    auto head_end = buf.find("\r\n\r\n");
    while (head_end == std::string::npos) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) {
        std::lock_guard lock{mu_};
        if (stopping_) return (void)::close(fd);
        continue;
      }
      char chunk[4096];
      auto n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) return (void)::close(fd);
      buf.append(chunk, static_cast<std::size_t>(n));
      head_end = buf.find("\r\n\r\n");
    }
    received_request req;
    auto head = buf.substr(0, head_end);
    auto line_end = head.find("\r\n");
    auto request_line = head.substr(0, line_end);
    req.method = request_line.substr(0, request_line.find(' '));
    auto path_start = request_line.find(' ') + 1;
    req.path = request_line.substr(path_start, request_line.rfind(' ') - path_start);
    std::size_t pos = line_end + 2;
    while (pos < head.size()) {
      auto next = head.find("\r\n", pos);
      auto line = head.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
      auto colon = line.find(':');
      auto name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      auto value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      req.headers[name] = value;
      if (next == std::string::npos) break;
      pos = next + 2;
    }
    std::size_t length =
        req.headers.count("content-length") ? std::stoul(req.headers["content-length"]) : 0;
    while (buf.size() < head_end + 4 + length) {
      char chunk[4096];
      auto n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) return (void)::close(fd);
      buf.append(chunk, static_cast<std::size_t>(n));
    }
    req.body = buf.substr(head_end + 4, length);
    buf.erase(0, head_end + 4 + length);
    int status = 200;
    {
      std::lock_guard lock{mu_};
      if (!script_.empty()) {
        status = script_.front();
        script_.pop_front();
      }
      received_.push_back(std::move(req));
    }
    auto answer = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: 2\r\n\r\n{}";
    if (::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL) < 0) return (void)::close(fd);
  }
}

}  // namespace billd::test
