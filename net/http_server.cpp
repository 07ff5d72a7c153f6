#include "net/http_server.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <deque>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include "net/problem.hpp"

namespace billd {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

/// State every session shares with the server.
struct server_shared {
  http_settings cfg;
  http_server_hooks hooks;
  std::atomic<bool> draining{false};
  std::atomic<std::int64_t> in_flight{0};
  std::atomic<std::uint32_t> open_connections{0};
  std::atomic<std::uint64_t> accepted{0};
  std::mutex per_ip_mutex;
  std::unordered_map<std::string, std::uint32_t> per_ip;  // open connections, loopback excluded

  /// Counts a connection from ip; false when ip already holds max_connections_per_ip.
  bool admit_ip(const std::string& ip) {
    std::lock_guard<std::mutex> guard{per_ip_mutex};
    auto& n = per_ip[ip];
    if (n >= cfg.max_connections_per_ip) return false;
    ++n;
    return true;
  }
  void release_ip(const std::string& ip) {
    std::lock_guard<std::mutex> guard{per_ip_mutex};
    auto it = per_ip.find(ip);
    if (it != per_ip.end() && --it->second == 0) per_ip.erase(it);
  }
};

bool valid_request_id(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

/// One connection (Beast advanced_server style): reads requests while fewer than
/// pipeline_max answers are pending and writes answers strictly in request order.
class session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket socket, std::shared_ptr<server_shared> shared, std::size_t front)
      : stream_(std::move(socket)), shared_(std::move(shared)), front_(front) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) {
      remote_ip_ = ep.address().to_string();
      loopback_ = ep.address().is_loopback();
    }
  }
  ~session() {
    shared_->open_connections.fetch_sub(1);
    if (counted_per_ip_) shared_->release_ip(remote_ip_);
  }

  /// Applies http.max_connections_per_ip (loopback is exempt so local benchmarks can open
  /// many connections); false when this connection must be refused.
  bool admit_per_ip() {
    if (loopback_ || remote_ip_.empty()) return true;
    counted_per_ip_ = shared_->admit_ip(remote_ip_);
    return counted_per_ip_;
  }

  void run() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_next(); });
  }

 private:
  struct slot {
    std::uint64_t seq;
    std::optional<http_response> response;
    bool keep_alive = true;
    unsigned version = 11;
    std::string request_id;
    bool drain_after = false;  // framing error: half-close and drain after writing
  };

  void read_next() {
    if (reading_ || closing_ || queue_.size() >= shared_->cfg.pipeline_max) return;
    reading_ = true;
    parser_.emplace();
    parser_->header_limit(shared_->cfg.header_bytes_max);
    // Beast checks Content-Length against the limit while it parses the header, before the
    // route is known: admit the larger import limit here and narrow it in on_header.
    parser_->body_limit(
        std::max<std::uint64_t>(shared_->cfg.body_bytes_max, shared_->cfg.import_bytes_max));
    stream_.expires_after(served_any_ ? shared_->cfg.idle_timeout : shared_->cfg.header_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    reading_ = false;
    if (ec) return on_read_error(ec);
    served_any_ = true;
    if (parser_->get().target().size() > shared_->cfg.url_bytes_max)
      return fail_framing(problem::uri_too_long, "the request target is too long");
    // CSV imports have a limit of their own; every other body keeps http.body_bytes_max.
    auto target = parser_->get().target();
    auto path = target.substr(0, target.find('?'));
    bool import = parser_->get().method() == http::verb::post && path == "/api/v1/bills/import";
    auto limit = import ? shared_->cfg.import_bytes_max : shared_->cfg.body_bytes_max;
    if (auto length = parser_->content_length(); length && *length > limit)
      return fail_framing(problem::payload_too_large, "the request body is too large");
    parser_->body_limit(limit);  // chunked bodies are counted as they arrive
    reading_ = true;
    stream_.expires_after(shared_->cfg.request_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code e, std::size_t) { self->on_body(e); });
  }

  void on_body(beast::error_code ec) {
    reading_ = false;
    if (ec) return on_read_error(ec);
    handle(parser_->release());
    read_next();
  }

  void on_read_error(beast::error_code ec) {
    if (ec == http::error::body_limit)
      return fail_framing(problem::payload_too_large, "the request body is too large");
    if (ec == http::error::header_limit)
      return fail_framing(problem::headers_too_large, "the request headers are too large");
    bool transport = ec == http::error::end_of_stream || ec == beast::error::timeout ||
                     ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
                     ec == asio::error::eof || ec == http::error::partial_message;
    if (!transport) return fail_framing(problem::malformed_request, ec.message());
    closing_ = true;
    if (queue_.empty()) close();
  }

  void fail_framing(problem p, const std::string& detail) {
    closing_ = true;
    slot s{next_seq_++, problem_response(p, detail, ""), false, 11, choose_request_id(""), true};
    s.response->close = true;
    queue_.push_back(std::move(s));
    maybe_write();
  }

  void handle(http::request<http::string_body> req) {
    slot s;
    s.seq = next_seq_++;
    s.keep_alive = req.keep_alive();
    s.version = req.version();
    auto offered = req["X-Request-Id"];
    s.request_id = choose_request_id(std::string_view{offered.data(), offered.size()});
    queue_.push_back(s);
    // While draining, health is still answered (it reports the drain); nothing else starts.
    bool health = req.target().starts_with("/health");
    if (shared_->draining.load() && !health) {
      auto r = problem_response(problem::overloaded, "billd is shutting down",
                                std::string_view{req.target().data(), req.target().size()});
      r.close = true;
      return complete(s.seq, std::move(r));
    }
    if (req.method() == http::verb::get && req.target() == "/health/live")
      return complete(s.seq, live_response());
    dispatch(std::move(req), s);
  }

  http_response live_response() {
    http_response r;
    bool live = shared_->hooks.live();
    r.status = live ? 200 : 503;
    r.body = live ? R"({"status":"live"})" : R"({"status":"stalled"})";
    return r;
  }

  void dispatch(http::request<http::string_body> req, const slot& s) {
    auto ex = std::make_shared<http_exchange>();
    auto& r = ex->request;
    r.method = std::string{req.method_string()};
    r.target = std::string{req.target()};
    auto q = r.target.find('?');
    r.path = r.target.substr(0, q);
    if (q != std::string::npos) r.query = r.target.substr(q + 1);
    for (const auto& f : req) {
      std::string name{f.name_string()};
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers.emplace_back(std::move(name), std::string{f.value()});
    }
    r.body = std::move(req.body());
    r.remote_ip = remote_ip_;
    r.loopback = loopback_;
    r.request_id = s.request_id;
    std::weak_ptr<session> weak = shared_from_this();
    auto seq = s.seq;
    auto executor = stream_.get_executor();
    ex->reply = [weak, seq, executor](http_response resp) {
      asio::post(executor, [weak, seq, resp = std::move(resp)]() mutable {
        if (auto self = weak.lock()) self->complete(seq, std::move(resp));
      });
    };
    shared_->in_flight.fetch_add(1);
    dispatched_.push_back(seq);
    shared_->hooks.dispatch(std::move(ex), front_);
  }

  void complete(std::uint64_t seq, http_response resp) {
    if (auto it = std::find(dispatched_.begin(), dispatched_.end(), seq); it != dispatched_.end()) {
      dispatched_.erase(it);
      shared_->in_flight.fetch_sub(1);
    }
    for (auto& s : queue_)
      if (s.seq == seq) s.response = std::move(resp);
    maybe_write();
  }

  void maybe_write() {
    if (writing_ || queue_.empty() || !queue_.front().response) return;
    auto& s = queue_.front();
    auto& resp = *s.response;
    out_.emplace(static_cast<http::status>(resp.status), s.version);
    out_->set(http::field::server, "billd");
    out_->set("X-Request-Id", s.request_id);
    if (!resp.body.empty()) out_->set(http::field::content_type, resp.content_type);
    for (const auto& [k, v] : resp.headers) out_->set(k, v);
    out_->body() = std::move(resp.body);
    last_close_ = resp.close || !s.keep_alive || (closing_ && queue_.size() == 1);
    out_->keep_alive(!last_close_);
    out_->prepare_payload();
    last_drain_ = s.drain_after;
    writing_ = true;
    http::async_write(
        stream_, *out_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(beast::error_code ec) {
    writing_ = false;
    queue_.pop_front();
    out_.reset();
    if (ec) return close();
    if (last_close_) {
      closing_ = true;
      return last_drain_ ? half_close_and_drain() : close();
    }
    maybe_write();
    read_next();
  }

  /// After 413/414/431 the client may still be sending: stop sending, read and discard for a
  /// short while so it sees our answer instead of a reset.
  void half_close_and_drain() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(shared_->cfg.drain_timeout);
    drain_some();
  }

  void drain_some() {
    stream_.async_read_some(asio::buffer(drain_buf_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->close();
                              self->drain_some();
                            });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    for (std::size_t i = 0; i < dispatched_.size(); ++i) shared_->in_flight.fetch_sub(1);
    dispatched_.clear();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> out_;
  std::shared_ptr<server_shared> shared_;
  std::size_t front_;
  std::string remote_ip_;
  bool loopback_ = false;
  bool counted_per_ip_ = false;
  std::deque<slot> queue_;
  std::vector<std::uint64_t> dispatched_;
  std::uint64_t next_seq_ = 0;
  bool reading_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool served_any_ = false;
  bool last_close_ = false;
  bool last_drain_ = false;
  std::array<char, 8192> drain_buf_{};
};

std::pair<std::string, unsigned short> split_host_port(const std::string& listen) {
  auto colon = listen.rfind(':');
  auto host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return {host, static_cast<unsigned short>(std::stoul(listen.substr(colon + 1)))};
}

}  // namespace

struct http_server::impl {
  std::shared_ptr<server_shared> shared = std::make_shared<server_shared>();
  asio::io_context ioc;
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;

  void accept() {
    acceptor->async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
      if (!ec) admit(std::move(s));
      accept();
    });
  }

  void admit(tcp::socket socket) {
    if (shared->open_connections.load() >= shared->cfg.max_connections) {
      beast::error_code ignored;
      socket.close(ignored);  // over http.max_connections: refuse before reading anything
      return;
    }
    shared->open_connections.fetch_add(1);
    auto front = shared->accepted.fetch_add(1) % std::max<std::size_t>(1, shared->hooks.fronts);
    auto s = std::make_shared<session>(std::move(socket), shared, front);
    if (s->admit_per_ip()) s->run();  // a refused session closes its socket when dropped
  }
};

http_server::http_server(http_settings cfg, http_server_hooks hooks) : impl_(new impl) {
  impl_->shared->cfg = std::move(cfg);
  impl_->shared->hooks = std::move(hooks);
}

http_server::~http_server() { stop(); }

std::string http_server::start() {
  auto [host, port] = split_host_port(impl_->shared->cfg.listen);
  tcp::endpoint ep{asio::ip::make_address(host), port};
  impl_->acceptor.emplace(impl_->ioc);
  impl_->acceptor->open(ep.protocol());
  impl_->acceptor->set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor->bind(ep);
  impl_->acceptor->listen(asio::socket_base::max_listen_connections);
  auto bound = impl_->acceptor->local_endpoint();
  impl_->work.emplace(impl_->ioc.get_executor());
  impl_->accept();
  for (std::uint32_t i = 0; i < impl_->shared->cfg.io_threads; ++i)
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  auto addr = bound.address().to_string();
  if (bound.address().is_v6()) addr = "[" + addr + "]";
  return addr + ":" + std::to_string(bound.port());
}

void http_server::begin_drain() {
  impl_->shared->draining.store(true);
  asio::post(impl_->ioc, [this] {
    beast::error_code ignored;
    if (impl_->acceptor) impl_->acceptor->close(ignored);
  });
}

std::int64_t http_server::requests_in_flight() const { return impl_->shared->in_flight.load(); }

void http_server::stop() {
  if (impl_->threads.empty()) return;
  impl_->work.reset();
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

std::string choose_request_id(std::string_view offered) {
  if (valid_request_id(offered)) return std::string{offered};
  static std::atomic<std::uint64_t> counter{0};
  static const std::uint64_t prefix = std::random_device{}();
  char buf[40];
  std::snprintf(buf, sizeof buf, "req-%08llx-%llx",
                static_cast<unsigned long long>(prefix & 0xffffffffu),
                static_cast<unsigned long long>(counter.fetch_add(1)));
  return buf;
}

}  // namespace billd
