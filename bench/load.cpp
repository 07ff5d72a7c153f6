#include <utility>  // before Asio under C++20 (CAF017.md)

#include "bench/load.hpp"
#include "bench/schedule.hpp"
#include "bench/wire.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <memory>
#include <optional>
#include <random>
#include <thread>
#include <vector>

namespace billd::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using clock = std::chrono::steady_clock;

std::uint64_t micros_since(clock::time_point t, clock::time_point now) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(now - t).count());
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto secs = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

/// What the connections of one thread record.
struct thread_result {
  std::array<class_result, priority_count> classes;
  std::map<std::string, std::uint64_t> errors;
  std::vector<latency_histogram> per_second;  // of the measuring window, every class
};

struct run_shared {
  const load_options& opt;
  scenario& sc;
  clock::time_point measure_from, measure_until;
  std::atomic<std::uint64_t> seq{0};
};

/// One keep-alive connection: connect, then request → answer until the window closes. Its
/// timeouts are kept by the thread's watchdog (below) rather than a timer per operation.
class connection : public std::enable_shared_from_this<connection> {
 public:
  connection(asio::io_context& io, tcp::endpoint to, run_shared& run, thread_result& out,
             std::uint64_t seed, std::optional<open_loop_schedule> schedule,
             std::optional<std::size_t> lane)
      : socket_(io),
        timer_(io),
        to_(to),
        run_(run),
        out_(out),
        rng_(seed),
        schedule_(schedule),
        lane_(lane) {}

  void start() { connect(); }

  /// The watchdog's check: a connect, write or read waiting past its deadline is closed, and
  /// its handler reports a timeout.
  void expire_if_late(clock::time_point now) {
    if (now < deadline_) return;
    timed_out_ = true;
    close();
  }

  /// The window closed: an answer after it would not be counted, so nothing waits for one.
  void stop() {
    timer_.cancel();
    close();
  }

 private:
  void connect() {
    deadline_ = clock::now() + run_.opt.timeout;
    socket_.async_connect(to_, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->fail("connect");
      self->send();
    });
  }

  /// The next request: now (closed loop) or when the schedule says it is due (open loop,
  /// its latency then counted from that moment even if the connection was late).
  void send() {
    deadline_ = clock::time_point::max();
    auto now = clock::now();
    if (!schedule_) {
      if (now >= run_.measure_until) return;
      sent_ = now;
      return write_request();
    }
    sent_ = schedule_->due(schedule_->take());
    if (sent_ >= run_.measure_until) return;
    if (now >= run_.measure_until) {
      // The window closed with requests of this connection still due: the server (or the
      // client) fell behind. They are counted, not sent after the window.
      if (sent_ >= run_.measure_from) ++out_.errors["backlog"];
      while (schedule_->due(schedule_->take()) < run_.measure_until) ++out_.errors["backlog"];
      return;
    }
    if (sent_ <= now) return write_request();
    timer_.expires_at(sent_);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->write_request();
    });
  }

  void write_request() {
    auto seq = run_.seq.fetch_add(1);
    auto spec = lane_ ? run_.sc.next_in_lane(*lane_, rng_, seq) : run_.sc.next(rng_, seq);
    cls_ = spec.cls;
    bench::write_request(request_, spec, run_.opt.token);
    written_ = clock::now();
    deadline_ = written_ + run_.opt.timeout;
    asio::async_write(socket_, asio::buffer(request_),
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->fail("write");
                        self->receive();
                      });
  }

  void receive() {
    parser_.emplace();
    parser_->body_limit(64 << 20);
    http::async_read(socket_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return self->fail("read");
                       self->answered();
                     });
  }

  /// Counts an answer that arrived inside the measuring window (goodput is what the server
  /// delivered then, as wrk2 counts it), with its latency from when it was due: a request
  /// the open loop sent late, even one due during the warm-up, carries its whole wait.
  void answered() {
    auto now = clock::now();
    auto status = parser_->status();
    if (now >= run_.measure_from && now < run_.measure_until) {
      auto micros = micros_since(sent_, now);
      auto& c = out_.classes[static_cast<std::size_t>(cls_)];
      c.latency.record(micros);
      if (status == 503) {
        c.shed_latency.record(micros);
        c.shed_round_trip.record(micros_since(written_, now));
      }
      ++c.statuses[status];
      auto second = static_cast<std::size_t>(
          std::chrono::duration_cast<std::chrono::seconds>(now - run_.measure_from).count());
      if (second < out_.per_second.size()) out_.per_second[second].record(micros);
    }
    if (!parser_->keep_alive()) return reconnect();
    send();
  }

  void fail(const char* kind) {
    auto now = clock::now();
    if (timed_out_) kind = "timeout";
    timed_out_ = false;
    if (now >= run_.measure_until) return;
    if (now >= run_.measure_from) ++out_.errors[kind];
    reconnect();
  }

  void reconnect() {
    close();
    buffer_.clear();
    if (clock::now() < run_.measure_until) connect();
  }

  void close() {
    beast::error_code ignored;
    socket_.close(ignored);
  }

  tcp::socket socket_;
  asio::steady_timer timer_;  // open loop: waits until the next request is due
  tcp::endpoint to_;          // billd, or its ops listener for P0's lane
  run_shared& run_;
  thread_result& out_;
  std::mt19937_64 rng_;
  std::optional<open_loop_schedule> schedule_;  // open loop only
  std::optional<std::size_t> lane_;             // the scenario's lane, when lanes are split
  beast::flat_buffer buffer_;
  std::string request_;  // the request on the wire, its capacity reused
  std::optional<status_parser> parser_;
  priority cls_ = priority::p2;
  clock::time_point sent_{};     // when the request was due (open loop) or sent (closed)
  clock::time_point written_{};  // when its write began
  clock::time_point deadline_ = clock::time_point::max();  // of the connect, write or read
  bool timed_out_ = false;                                 // the watchdog closed it
};

/// One per thread: every `tick` it closes the connections waiting past their deadline (one
/// timer for all of them instead of one per operation), and when the window closes it stops
/// them all, which lets the thread's io_context run out.
class watchdog {
 public:
  static constexpr std::chrono::milliseconds tick{100};

  watchdog(asio::io_context& io, clock::time_point until) : timer_(io), until_(until) {}

  void watch(std::shared_ptr<connection> c) { connections_.push_back(std::move(c)); }

  void start() { arm(); }

 private:
  void arm() {
    timer_.expires_at(std::min(clock::now() + tick, until_));
    timer_.async_wait([this](beast::error_code ec) {
      if (ec) return;
      auto now = clock::now();
      if (now >= until_) {
        for (auto& c : connections_) c->stop();
        return;
      }
      for (auto& c : connections_) c->expire_if_late(now);
      arm();
    });
  }

  asio::steady_timer timer_;
  clock::time_point until_;
  std::vector<std::shared_ptr<connection>> connections_;
};

}  // namespace

std::uint64_t load_result::answered() const { return with_status(0, 999); }

std::uint64_t load_result::with_status(int lo, int hi) const {
  std::uint64_t n = 0;
  for (const auto& c : classes)
    for (auto [status, count] : c.statuses)
      if (status >= lo && status <= hi) n += count;
  return n;
}

latency_histogram load_result::all_latency() const {
  latency_histogram h;
  for (const auto& c : classes) h.merge(c.latency);
  return h;
}

namespace {

/// The class of a lane's requests (a lane carries one class).
priority lane_priority(scenario& sc, std::size_t lane) {
  std::mt19937_64 rng{0};
  return sc.next_in_lane(lane, rng, 0).cls;
}

}  // namespace

load_result run_load(const load_options& opt, scenario& sc) {
  asio::io_context resolver_io;
  tcp::resolver resolver{resolver_io};
  auto api = resolver.resolve(opt.host, std::to_string(opt.port)).begin()->endpoint();
  auto p0 = opt.p0_host.empty()
                ? api
                : resolver.resolve(opt.p0_host, std::to_string(opt.p0_port)).begin()->endpoint();
  run_shared run{opt, sc, {}, {}};
  auto start = clock::now();
  run.measure_from = start + opt.warmup;
  run.measure_until = run.measure_from + opt.duration;

  // Open loop with lanes: each lane's connections send its share of the rate.
  const auto scenario_shares = sc.lane_shares();
  auto by_lane = opt.rate > 0 && scenario_shares.size() > 1 && !opt.shared_connections;
  auto shares = by_lane ? scenario_shares : std::vector<double>{1.0};
  auto lane_connections = split_connections(opt.connections, shares);
  // P0's lane (health) also gets a client thread of its own, as a health checker is a process
  // of its own: its answers then wait in no event loop behind the load's thousands of
  // connections (measured: that queue, not billd, was most of its p99; bench/README.md).
  std::optional<std::size_t> p0_lane;
  for (std::size_t lane = 0; by_lane && lane < shares.size(); ++lane)
    if (lane_priority(sc, lane) == priority::p0) p0_lane = lane;

  auto threads = std::max(1, opt.threads);
  auto loops = static_cast<std::size_t>(threads) + (p0_lane ? 1 : 0);
  std::vector<thread_result> results(loops);
  auto seconds =
      static_cast<std::size_t>(std::chrono::ceil<std::chrono::seconds>(opt.duration).count());
  for (auto& r : results) r.per_second.resize(seconds);
  std::vector<std::unique_ptr<asio::io_context>> ios;
  for (std::size_t t = 0; t < loops; ++t) ios.push_back(std::make_unique<asio::io_context>(1));
  std::vector<std::unique_ptr<watchdog>> watchdogs;
  for (auto& io : ios) watchdogs.push_back(std::make_unique<watchdog>(*io, run.measure_until));
  for (auto& w : watchdogs) w->start();
  int c = 0;
  for (std::size_t lane = 0; lane < shares.size(); ++lane) {
    auto own = lane == p0_lane;
    for (int i = 0; i < lane_connections[lane]; ++i, ++c) {
      auto t = own ? loops - 1 : static_cast<std::size_t>(c % threads);
      std::optional<open_loop_schedule> schedule;
      if (opt.rate > 0) schedule.emplace(start, opt.rate * shares[lane], lane_connections[lane], i);
      auto conn = std::make_shared<connection>(
          *ios[t], own ? p0 : api, run, results[t],
          opt.seed * 1'000'003 + static_cast<std::uint64_t>(c), schedule,
          by_lane ? std::optional<std::size_t>{lane} : std::nullopt);
      watchdogs[t]->watch(conn);
      conn->start();
    }
  }
  // Open-loop latency is what the probe is for; closed-loop runs compare throughput and
  // leave every cycle to the load.
  std::optional<stall_probe> probe;
  if (opt.rate > 0) probe.emplace(run.measure_from, run.measure_until);
  double cpu_at_start = 0;
  std::thread cpu_marker([&] {
    std::this_thread::sleep_until(run.measure_from);
    cpu_at_start = cpu_seconds();
  });
  std::vector<std::thread> workers;
  for (auto& io : ios) workers.emplace_back([c = io.get()] { c->run(); });
  cpu_marker.join();
  for (auto& w : workers) w.join();

  load_result out;
  out.seconds = std::chrono::duration<double>(run.measure_until - run.measure_from).count();
  out.client_cpu_seconds = cpu_seconds() - cpu_at_start;
  if (probe) out.machine_probe = probe->finish();
  if (scenario_shares.size() > 1) out.lane_shares = scenario_shares;
  if (by_lane) out.lane_connections = lane_connections;
  out.per_second.resize(seconds);
  for (auto& r : results) {
    for (std::size_t i = 0; i < seconds; ++i) out.per_second[i].merge(r.per_second[i]);
    for (std::size_t i = 0; i < out.classes.size(); ++i) {
      out.classes[i].latency.merge(r.classes[i].latency);
      out.classes[i].shed_latency.merge(r.classes[i].shed_latency);
      out.classes[i].shed_round_trip.merge(r.classes[i].shed_round_trip);
      for (auto [status, count] : r.classes[i].statuses) out.classes[i].statuses[status] += count;
    }
    for (auto& [kind, count] : r.errors) out.errors[kind] += count;
  }
  return out;
}

}  // namespace billd::bench
