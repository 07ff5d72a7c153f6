// billd-bench's load against a real socket that accepts and never answers: the thread's
// watchdog must time out the waiting reads (counted as "timeout", never as answers) and end
// the run when its window closes instead of waiting on them.
#define CAF_SUITE bench_load
#include <utility>

#include "caf/test/unit_test.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <thread>
#include <vector>

#include "bench/load.hpp"

using namespace billd::bench;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

/// Accepts every connection on a loopback port and keeps it open, silent.
class silent_server {
 public:
  silent_server() : acceptor_(io_, tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0}) {
    accept();
    thread_ = std::thread{[this] { io_.run(); }};
  }
  ~silent_server() {
    io_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket s) {
      if (ec) return;
      held_.push_back(std::make_unique<tcp::socket>(std::move(s)));
      accept();
    });
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::vector<std::unique_ptr<tcp::socket>> held_;
  std::thread thread_;
};

}  // namespace

CAF_TEST(requests_nobody_answers_time_out_and_the_run_still_ends) {
  silent_server server;
  load_options opt;
  opt.port = server.port();
  opt.connections = 2;
  opt.threads = 1;
  opt.warmup = std::chrono::milliseconds{0};
  opt.duration = std::chrono::milliseconds{1'500};
  opt.timeout = std::chrono::milliseconds{100};
  auto sc = make_scenario("health", scenario_inputs{});
  auto result = run_load(opt, *sc);
  CAF_CHECK_EQUAL(result.answered(), 0u);
  CAF_CHECK_GREATER_OR_EQUAL(result.errors["timeout"], 2u);
  CAF_CHECK_EQUAL(result.errors.count("read"), 0u);
}
