#include "tests/support/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace billd::test {

std::string http_reply::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string{} : it->second;
}

http_connection::http_connection(const std::string& address, bool narrow) {
  auto colon = address.rfind(':');
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(std::stoi(address.substr(colon + 1))));
  inet_pton(AF_INET, address.substr(0, colon).c_str(), &addr.sin_addr);
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ >= 0 && narrow) {
    int receive_buffer = 4096;
    int segment = 536;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    ::setsockopt(fd_, IPPROTO_TCP, TCP_MAXSEG, &segment, sizeof segment);
  }
  if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("cannot connect to " + address);
}

http_connection::~http_connection() {
  if (fd_ >= 0) ::close(fd_);
}

bool http_connection::send_raw(const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

void http_connection::shutdown_write() { ::shutdown(fd_, SHUT_WR); }

bool http_connection::fill(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
  char buf[16384];
  auto n = ::recv(fd_, buf, sizeof buf, 0);
  if (n <= 0) return false;
  buffer_.append(buf, static_cast<std::size_t>(n));
  return true;
}

std::optional<http_reply> http_connection::read_reply(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t end;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos)
    if (!fill(deadline)) return std::nullopt;
  http_reply reply;
  auto head = buffer_.substr(0, end);
  auto line_end = head.find("\r\n");
  auto status_line = head.substr(0, line_end);
  reply.status = std::stoi(status_line.substr(status_line.find(' ') + 1, 3));
  std::size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    auto next = head.find("\r\n", pos);
    if (next == std::string::npos) next = head.size();
    auto line = head.substr(pos, next - pos);
    auto colon = line.find(':');
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    reply.headers.emplace(name, value);
    pos = next + 2;
  }
  buffer_.erase(0, end + 4);
  std::size_t length = 0;
  if (auto cl = reply.header("content-length"); !cl.empty()) length = std::stoul(cl);
  while (buffer_.size() < length)
    if (!fill(deadline)) return std::nullopt;
  reply.body = buffer_.substr(0, length);
  buffer_.erase(0, length);
  return reply;
}

bool http_connection::closed_by_peer(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[4096];
    auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return true;
  }
}

std::string render(const http_call& call) {
  std::string out = call.method + " " + call.path + " HTTP/1.1\r\nHost: test\r\n";
  if (!call.token.empty()) out += "Authorization: Bearer " + call.token + "\r\n";
  if (!call.body.empty() && !call.content_type.empty())
    out += "Content-Type: " + call.content_type + "\r\n";
  for (const auto& [k, v] : call.headers) out += k + ": " + v + "\r\n";
  out += "Content-Length: " + std::to_string(call.body.size()) + "\r\n\r\n";
  return out + call.body;
}

http_reply send(const std::string& address, const http_call& call) {
  http_connection conn{address};
  if (!conn.send_raw(render(call))) throw std::runtime_error("send failed");
  auto reply = conn.read_reply();
  if (!reply) throw std::runtime_error("no reply to " + call.method + " " + call.path);
  return *reply;
}

}  // namespace billd::test
