#include "net/http_server.hpp"

#include <pthread.h>

#include <stdexcept>

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

#include "domain/text_rules.hpp"
#include "net/problem.hpp"

namespace billd {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

/// Each Asio thread runs an io_context of its own, and a connection lives on one of them: its
/// handlers never run concurrently, so the context serves as the connection's strand. Named
/// by type rather than through asio::any_io_executor, which heap-allocates a copy of itself
/// each time an operation asks for outstanding work, several times per request (bench/
/// profiles in docs/benchmarks.md).
using conn_executor = asio::io_context::executor_type;
using conn_socket = asio::basic_stream_socket<tcp, conn_executor>;
using conn_stream = beast::basic_stream<tcp, conn_executor>;

/// State every session shares with the server.
struct server_shared {
  http_settings cfg;
  http_server_hooks hooks;
  std::atomic<bool> draining{false};
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

/// Routes whose body is handed to billd in pieces as it arrives (http_exchange::body_stream),
/// under their own limit: CSV imports.
bool streamed_route(http::verb method, std::string_view path) {
  return method == http::verb::post && path == "/api/v1/bills/import";
}

/// Bytes read from the socket for one piece of a streamed body.
constexpr std::size_t stream_piece_bytes = 64 * 1024;

/// A request target's path: what comes before its query.
std::string_view path_of(beast::string_view target) {
  return std::string_view{target.data(), target.size()}.substr(0, target.find('?'));
}

/// The routes of the ops listener, by exact path (a query aside): nothing else reaches a
/// front from there, whatever the router would make of it.
bool is_ops_route(std::string_view path) {
  return path == "/health" || path == "/health/live" || path == "/health/ready" ||
         path == "/metrics";
}

class session;

/// The body_source of a streamed request: each piece is read on the session's thread. It
/// keeps its session alive: no read is pending on the connection between two pieces.
class stream_source final : public body_source {
 public:
  explicit stream_source(std::shared_ptr<session> s) : session_(std::move(s)) {}
  void next(deliver_fn deliver) override;

 private:
  std::shared_ptr<session> session_;
};

/// One connection (Beast advanced_server style): reads requests while fewer than
/// pipeline_max answers are pending and writes answers strictly in request order.
class session : public std::enable_shared_from_this<session> {
 public:
  session(conn_socket socket, std::shared_ptr<server_shared> shared, std::size_t front)
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
    // Answers are first written with a plain send that must not wait (maybe_write).
    beast::error_code ignored;
    stream_.socket().non_blocking(true, ignored);
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_next(); });
  }

  /// Reads the next piece of the streamed body (on the session's thread) and hands it to deliver.
  void read_piece(body_source::deliver_fn deliver) {
    if (!streaming_ || piece_pending_) return deliver({}, false, body_status::broken);
    if (stream_parser_->is_done()) {
      end_stream();
      return deliver({}, true, body_status::ok);
    }
    piece_buf_.resize(stream_piece_bytes);
    auto& body = stream_parser_->get().body();
    body.data = piece_buf_.data();
    body.size = piece_buf_.size();
    body.more = true;
    piece_pending_ = true;
    // A body that makes no progress for http.request_timeout_ms is abandoned.
    stream_.expires_after(shared_->cfg.request_timeout);
    http::async_read_some(
        stream_, buffer_, *stream_parser_,
        [self = shared_from_this(), deliver = std::move(deliver)](
            beast::error_code ec, std::size_t) mutable { self->on_piece(ec, std::move(deliver)); });
  }

  conn_executor executor() { return stream_.get_executor(); }

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
    if (reading_ || streaming_ || closing_ || queue_.size() >= shared_->cfg.pipeline_max) return;
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
    // Streamed routes (CSV imports) have a limit of their own; every other body keeps
    // http.body_bytes_max.
    bool streamed = streamed_route(parser_->get().method(), path_of(parser_->get().target()));
    auto limit = streamed ? shared_->cfg.import_bytes_max : shared_->cfg.body_bytes_max;
    if (auto length = parser_->content_length(); length && *length > limit)
      return fail_framing(problem::payload_too_large, "the request body is too large");
    if (streamed) return begin_stream(limit);
    parser_->body_limit(limit);  // chunked bodies are counted as they arrive
    // No body (most GETs): nothing more to read, so no read to time and no completion to wait
    // for; each would cost a timer update and a reactor pass.
    if (parser_->is_done()) return on_body({});
    reading_ = true;
    stream_.expires_after(shared_->cfg.request_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code e, std::size_t) { self->on_body(e); });
  }

  void on_body(beast::error_code ec) {
    reading_ = false;
    if (ec) return on_read_error(ec);
    auto req = parser_->release();
    auto body = std::move(req.body());
    handle(req, std::move(body), nullptr);
    read_next();
  }

  /// Hands the request to its front now; its body follows through a stream_source, one piece
  /// per request of the consumer. Nothing else is read from this connection meanwhile.
  void begin_stream(std::uint64_t limit) {
    stream_parser_.emplace(std::move(*parser_));
    parser_.reset();
    stream_parser_->body_limit(limit);  // chunked bodies are counted as they arrive
    streaming_ = true;
    stream_seq_ = next_seq_;
    auto source = std::make_shared<stream_source>(shared_from_this());
    handle(stream_parser_->get(), {}, std::move(source));
  }

  void on_piece(beast::error_code ec, body_source::deliver_fn deliver) {
    piece_pending_ = false;
    if (ec == http::error::need_buffer) ec = {};  // the piece buffer is full: a whole piece
    if (ec) {
      // The rest of the body cannot be found any more: this connection ends with the answer.
      closing_ = true;
      return deliver({}, false,
                     ec == http::error::body_limit ? body_status::too_large : body_status::broken);
    }
    auto used = piece_buf_.size() - stream_parser_->get().body().size;
    std::string piece{piece_buf_.data(), used};
    bool last = stream_parser_->is_done();
    if (last) end_stream();
    deliver(std::move(piece), last, body_status::ok);
  }

  /// The streamed body was read to its end: the connection can go on with the next request.
  void end_stream() {
    streaming_ = false;
    stream_parser_.reset();
    piece_buf_ = {};
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

  template <class Body>
  void handle(const http::request<Body>& req, std::string body,
              std::shared_ptr<body_source> source) {
    slot s;
    s.seq = next_seq_++;
    s.keep_alive = req.keep_alive();
    s.version = req.version();
    auto offered = req["X-Request-Id"];
    s.request_id = choose_request_id(std::string_view{offered.data(), offered.size()});
    queue_.push_back(s);
    // While draining, health is still answered (it reports the drain); nothing else starts.
    bool health = req.target().starts_with("/health");
    if (shared_->hooks.ops_only) {
      auto started = std::chrono::steady_clock::now();
      auto path = path_of(req.target());
      if (!is_ops_route(path))
        return answer_on_this_thread(
            s,
            problem_response(problem::not_found, "this listener serves /health and /metrics only",
                             path),
            route_id_count, started);
    }
    if (shared_->draining.load() && !health) {
      auto r = problem_response(problem::overloaded, "billd is shutting down",
                                std::string_view{req.target().data(), req.target().size()});
      r.close = true;
      return complete(s.seq, std::move(r));
    }
    bool get = req.method() == http::verb::get;
    if (get && req.target() == "/health/live") return complete(s.seq, live_response());
    exchange_ptr ex;
    if (get && shared_->hooks.answer_here) {
      ex = make_exchange(req, std::move(body), std::move(source), s);
      if (auto answer = shared_->hooks.answer_here(*ex, front_))
        return complete(s.seq, std::move(*answer));
    }
    if (!enter_front(req, s)) return;  // a refusal costs no exchange unless one was made
    if (!ex) ex = make_exchange(req, std::move(body), std::move(source), s);
    dispatch(std::move(ex), s);
  }

  /// Edge admission: a request its front would refuse is answered 503 here, on the Asio
  /// thread; false then.
  template <class Body>
  bool enter_front(const http::request<Body>& req, const slot& s) {
    auto started = std::chrono::steady_clock::now();
    auto path = path_of(req.target());
    auto method = req.method_string();
    auto entry =
        shared_->hooks.edge->enter(front_, std::string_view{method.data(), method.size()}, path);
    if (entry.admitted) return true;
    answer_on_this_thread(
        s, problem_response(problem::overloaded, "too many requests in progress", path),
        entry.route_index, started);
    return false;
  }

  /// Answers a request the Asio thread refuses itself, recorded for the front's next report
  /// (route_id_count: unmatched) with the time since `started`.
  void answer_on_this_thread(const slot& s, http_response r, std::size_t route_index,
                             std::chrono::steady_clock::time_point started) {
    auto took = std::chrono::steady_clock::now() - started;
    shared_->hooks.edge->record_answer(
        front_, route_index, r.status,
        static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(took).count()));
    complete(s.seq, std::move(r));
  }

  http_response live_response() {
    http_response r;
    bool live = shared_->hooks.live();
    r.status = live ? 200 : 503;
    r.body = live ? R"({"status":"live"})" : R"({"status":"stalled"})";
    return r;
  }

  /// The request as billd's handlers see it (no reply yet: see dispatch).
  template <class Body>
  exchange_ptr make_exchange(const http::request<Body>& req, std::string body,
                             std::shared_ptr<body_source> source, const slot& s) {
    auto ex = std::make_shared<http_exchange>();
    auto& r = ex->request;
    r.method = std::string{req.method_string()};
    r.target = std::string{req.target()};
    auto q = r.target.find('?');
    r.path = r.target.substr(0, q);
    if (q != std::string::npos) r.query = r.target.substr(q + 1);
    for (const auto& f : req) {
      r.headers.emplace_back(ascii_lower({f.name_string().data(), f.name_string().size()}),
                             std::string{f.value()});
    }
    r.body = std::move(body);
    ex->body_stream = std::move(source);
    r.remote_ip = remote_ip_;
    r.loopback = loopback_;
    r.request_id = s.request_id;
    return ex;
  }

  /// Hands the exchange to the session's front, with the way back to this connection. The
  /// edge counts the request against its front until the front answers it, whether or not the
  /// connection is still there (the work goes on when its client has gone, and the bound is on
  /// work): the reply releases the count, and it runs exactly once (the exchange answers
  /// itself if dropped).
  void dispatch(exchange_ptr ex, const slot& s) {
    std::weak_ptr<session> weak = shared_from_this();
    auto seq = s.seq;
    auto executor = stream_.get_executor();
    ex->reply = [weak, seq, executor, shared = shared_, front = front_](http_response resp) {
      shared->hooks.edge->leave(front);
      // Locked now, while the exchange (which may be what keeps a streamed session alive)
      // still exists; a connection that is gone just drops the answer.
      auto self = weak.lock();
      if (!self) return;
      asio::post(executor, [self, seq, resp = std::move(resp)]() mutable {
        self->complete(seq, std::move(resp));
      });
    };
    shared_->hooks.dispatch(std::move(ex), front_);
  }

  void complete(std::uint64_t seq, http_response resp) {
    if (streaming_ && seq == stream_seq_) {
      // Answered before its body was read to the end (refused, or the upload failed): the
      // rest of the body cannot be skipped reliably, so the connection ends with this answer.
      resp.close = true;
      closing_ = true;
      streaming_ = false;
      for (auto& s : queue_)
        if (s.seq == seq) s.drain_after = !piece_pending_;
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
    // Every answer may differ by Accept-Encoding (net/compression), so caches must key on it.
    out_->set(http::field::vary, "Accept-Encoding");
    if (!resp.body.empty()) out_->set(http::field::content_type, resp.content_type);
    for (const auto& [k, v] : resp.headers) out_->set(k, v);
    out_->body() = std::move(resp.body);
    last_close_ = resp.close || !s.keep_alive || (closing_ && queue_.size() == 1);
    out_->keep_alive(!last_close_);
    out_->prepare_payload();
    last_drain_ = s.drain_after;
    writing_ = true;
    serializer_.emplace(*out_);
    // An answer that fits the socket's send buffer (nearly all) is written here at once: an
    // asynchronous write would arm a timer, which costs a timerfd update whenever it is the
    // earliest, and wait a reactor pass for its completion, on every request.
    beast::error_code ec;
    while (!ec && !serializer_->is_done()) http::write_some(stream_.socket(), *serializer_, ec);
    if (ec != asio::error::would_block) return on_write(ec);
    // The client is not taking it as fast: the rest is written as the socket drains, within
    // http.request_timeout_ms.
    stream_.expires_after(shared_->cfg.request_timeout);
    http::async_write(
        stream_, *serializer_,
        [self = shared_from_this()](beast::error_code e, std::size_t) { self->on_write(e); });
  }

  void on_write(beast::error_code ec) {
    writing_ = false;
    queue_.pop_front();
    serializer_.reset();  // it refers to out_
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
  }

  conn_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::request_parser<http::buffer_body>> stream_parser_;  // a streamed body
  std::uint64_t stream_seq_ = 0;
  bool streaming_ = false;      // a streamed body is being read: no other request is read
  bool piece_pending_ = false;  // a read of one piece is under way
  std::vector<char> piece_buf_;
  std::optional<http::response<http::string_body>> out_;
  std::optional<http::response_serializer<http::string_body>> serializer_;  // writes out_
  std::shared_ptr<server_shared> shared_;
  std::size_t front_;
  std::string remote_ip_;
  bool loopback_ = false;
  bool counted_per_ip_ = false;
  std::deque<slot> queue_;
  std::uint64_t next_seq_ = 0;
  bool reading_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool served_any_ = false;
  bool last_close_ = false;
  bool last_drain_ = false;
  std::array<char, 8192> drain_buf_{};
};

void stream_source::next(deliver_fn deliver) {
  asio::post(session_->executor(), [s = session_, deliver = std::move(deliver)]() mutable {
    s->read_piece(std::move(deliver));
  });
}

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
  /// One per Asio thread, each run by that thread alone (conn_executor above).
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::optional<tcp::acceptor> acceptor;  // on contexts[0]
  std::vector<std::thread> threads;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work;

  void accept() {
    // Connections go round the threads and round the fronts by one count; with as many fronts
    // as threads (app/server.cpp), a connection's front is the one of its thread.
    auto n = shared->accepted.fetch_add(1);
    acceptor->async_accept(*contexts[n % contexts.size()],
                           [this, n](beast::error_code ec, conn_socket s) {
                             if (ec == asio::error::operation_aborted || !acceptor->is_open())
                               return;
                             if (!ec) admit(std::move(s), n);
                             accept();
                           });
  }

  void admit(conn_socket socket, std::uint64_t n) {
    if (shared->open_connections.load() >= shared->cfg.max_connections) {
      beast::error_code ignored;
      socket.close(ignored);  // over http.max_connections: refuse before reading anything
      return;
    }
    shared->open_connections.fetch_add(1);
    auto front = n % std::max<std::size_t>(1, shared->hooks.fronts);
    auto s = std::make_shared<session>(std::move(socket), shared, front);
    if (s->admit_per_ip()) s->run();  // a refused session closes its socket when dropped
  }
};

http_server::http_server(http_settings cfg, http_server_hooks hooks) : impl_(new impl) {
  impl_->shared->cfg = std::move(cfg);
  impl_->shared->hooks = std::move(hooks);
  auto& h = impl_->shared->hooks;
  if (!h.edge) throw std::invalid_argument("http_server: hooks.edge is required");
}

http_server::~http_server() { stop(); }

std::string http_server::start() {
  auto [host, port] = split_host_port(impl_->shared->cfg.listen);
  tcp::endpoint ep{asio::ip::make_address(host), port};
  auto threads = std::max<std::uint32_t>(1, impl_->shared->cfg.io_threads);
  for (std::uint32_t i = 0; i < threads; ++i) {
    // Hint 1: each context is run by one thread, so Asio may skip some of its locking.
    impl_->contexts.push_back(std::make_unique<asio::io_context>(1));
    impl_->work.emplace_back(impl_->contexts.back()->get_executor());
  }
  impl_->acceptor.emplace(*impl_->contexts.front());
  impl_->acceptor->open(ep.protocol());
  impl_->acceptor->set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor->bind(ep);
  impl_->acceptor->listen(asio::socket_base::max_listen_connections);
  auto bound = impl_->acceptor->local_endpoint();
  impl_->accept();
  // Named (top -H, perf) by what they serve: "billd-io-N", or "billd-ops" for the ops listener.
  for (std::size_t i = 0; i < impl_->contexts.size(); ++i) {
    auto name =
        impl_->shared->hooks.ops_only ? std::string{"billd-ops"} : "billd-io-" + std::to_string(i);
    impl_->threads.emplace_back([c = impl_->contexts[i].get(), name] {
      ::pthread_setname_np(::pthread_self(), name.c_str());
      c->run();
    });
  }
  auto addr = bound.address().to_string();
  if (bound.address().is_v6()) addr = "[" + addr + "]";
  return addr + ":" + std::to_string(bound.port());
}

void http_server::begin_drain() {
  impl_->shared->draining.store(true);
  if (impl_->contexts.empty()) return;
  asio::post(*impl_->contexts.front(), [this] {
    beast::error_code ignored;
    if (impl_->acceptor) impl_->acceptor->close(ignored);
  });
}

std::int64_t http_server::requests_in_flight() const {
  return impl_->shared->hooks.edge->in_flight();
}

void http_server::stop() {
  if (impl_->threads.empty()) return;
  impl_->work.clear();
  for (auto& context : impl_->contexts) context->stop();
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
