#include <utility>  // before Asio under C++20 (CAF017.md)

#include "bench/hold.hpp"

#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <thread>
#include <vector>

namespace billd::bench {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

/// Each connection is a file descriptor: ask for the hard limit.
void raise_fd_limit() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
  }
}

/// 127.0.0.2, 127.0.0.3, … for connection i.
asio::ip::address_v4 source_of(int i, int per_address) {
  return asio::ip::address_v4{
      static_cast<asio::ip::address_v4::uint_type>(0x7F000002u + i / per_address)};
}

}  // namespace

int hold_idle_connections(const hold_options& opt, const std::function<void(int)>& holding) {
  raise_fd_limit();
  asio::io_context io;
  tcp::endpoint server{asio::ip::make_address(opt.host), opt.port};
  const std::string request =
      "GET /health/live HTTP/1.1\r\nHost: bench\r\nConnection: keep-alive\r\n\r\n";
  std::vector<std::unique_ptr<tcp::socket>> open;
  open.reserve(static_cast<std::size_t>(opt.connections));
  for (int i = 0; i < opt.connections; ++i) {
    auto s = std::make_unique<tcp::socket>(io);
    boost::system::error_code ec;
    s->open(tcp::v4(), ec);
    if (!ec) s->bind(tcp::endpoint{source_of(i, opt.per_address), 0}, ec);
    if (!ec) s->connect(server, ec);
    if (!ec) asio::write(*s, asio::buffer(request), ec);
    asio::streambuf answer;
    if (!ec) asio::read_until(*s, answer, "\r\n\r\n", ec);
    if (!ec) open.push_back(std::move(s));
  }
  int count = static_cast<int>(open.size());
  holding(count);
  std::this_thread::sleep_for(opt.hold);
  return count;
}

}  // namespace billd::bench
