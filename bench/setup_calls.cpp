#include <utility>  // before Asio under C++20 (CAF017.md)

#include "bench/setup_calls.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <stdexcept>
#include <thread>

#include "bench/scenario.hpp"

namespace billd::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

/// One keep-alive connection for setup calls.
class setup_client {
 public:
  explicit setup_client(const target& t) : stream_(io_) {
    asio::ip::tcp::resolver resolver{io_};
    stream_.connect(resolver.resolve(t.host, std::to_string(t.port)));
  }

  http::response<http::string_body> call(http::verb method, const std::string& path,
                                         const std::string& body, const std::string& token) {
    http::request<http::string_body> req{method, path, 11};
    req.set(http::field::host, "bench");
    req.set(http::field::content_type, "application/json");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    req.body() = body;
    req.prepare_payload();
    http::write(stream_, req);
    http::response<http::string_body> res;
    http::read(stream_, buffer_, res);
    return res;
  }

 private:
  asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

/// The value of the first "name":"…" string member in a JSON text (ids and tokens are plain).
std::string string_member(const std::string& json, const std::string& name) {
  auto key = "\"" + name + "\":\"";
  auto at = json.find(key);
  if (at == std::string::npos) return {};
  at += key.size();
  return json.substr(at, json.find('"', at) - at);
}

}  // namespace

std::string login(const target& t, const std::string& user, const std::string& password) {
  setup_client c{t};
  auto res = c.call(http::verb::post, "/api/v1/auth/login",
                    R"({"username":")" + user + R"(","password":")" + password + R"("})", "");
  auto token = string_member(res.body(), "token");
  if (res.result_int() != 200 || token.empty())
    throw std::runtime_error("login failed: " + std::to_string(res.result_int()) + " " +
                             res.body());
  return token;
}

std::vector<std::string> seed_bills(const target& t, const std::string& token, std::size_t n) {
  setup_client c{t};
  std::vector<std::string> ids;
  ids.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto res = c.call(http::verb::post, "/api/v1/bills", bill_body(1'000'000'000 + i), token);
    if (res.result_int() != 201)
      throw std::runtime_error("seeding failed: " + std::to_string(res.result_int()) + " " +
                               res.body());
    ids.push_back(string_member(res.body(), "id"));
  }
  return ids;
}

std::string walk_cursor(const target& t, const std::string& token, int pages) {
  setup_client c{t};
  std::string cursor;
  for (int i = 0; i < pages; ++i) {
    auto path = "/api/v1/bills?limit=20" + (cursor.empty() ? "" : "&cursor=" + cursor);
    auto res = c.call(http::verb::get, path, "", token);
    cursor = string_member(res.body(), "next_cursor");
    if (res.result_int() != 200 || cursor.empty())
      throw std::runtime_error("the bill list ended before page " + std::to_string(i + 2) +
                               " (seed more bills)");
  }
  return cursor;
}

std::vector<std::string> await_control_numbers(const target& t, const std::string& token,
                                               const std::vector<std::string>& bill_ids,
                                               std::chrono::seconds limit) {
  setup_client c{t};
  auto until = std::chrono::steady_clock::now() + limit;
  std::vector<std::string> numbers;
  numbers.reserve(bill_ids.size());
  for (const auto& id : bill_ids) {
    for (;;) {
      auto res = c.call(http::verb::get, "/api/v1/bills/" + id + "/control-number", "", token);
      if (res.result_int() == 200) {
        numbers.push_back(string_member(res.body(), "control_number"));
        break;
      }
      if (res.result_int() != 202 || std::chrono::steady_clock::now() > until)
        throw std::runtime_error("no control number for " + id + ": " +
                                 std::to_string(res.result_int()) + " " + res.body() +
                                 " (is billd configured with a gateway?)");
      std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
  }
  return numbers;
}

}  // namespace billd::bench
