#include "tests/support/test_server.hpp"

#include <exception>
#include <filesystem>
#include <future>
#include <optional>
#include <stdexcept>
#include <thread>

#include "storage/pg_connection.hpp"
#include "tests/support/test_database.hpp"

namespace billd::test {

settings test_settings() {
  settings cfg;
  cfg.http.listen = "127.0.0.1:0";
  cfg.db.url = test_cluster::instance().create_database();
  cfg.db.pool_size = 4;
  cfg.admin_password = admin_password;
  cfg.auth.argon2_ops = 1;
  cfg.auth.argon2_mem_kib = 8;
  cfg.shutdown_grace = std::chrono::milliseconds{2'000};
  static int counter = 0;
  auto dir = std::filesystem::temp_directory_path() /
             ("billd-it-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
  std::filesystem::create_directories(dir);
  cfg.data_dir = dir.string();
  return cfg;
}

test_server::test_server(const std::function<void(settings&)>& tweak) : cfg_(test_settings()) {
  if (tweak) tweak(cfg_);
  server_ = std::make_unique<billd::server>(cfg_);
  server_->start();
  address_ = server_->listen_address();
}

test_server::~test_server() {
  server_->request_shutdown();
  server_->wait();
  server_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(cfg_.data_dir, ignored);
}

std::string test_server::login(const std::string& username, const std::string& password) const {
  http_call c;
  c.method = "POST";
  c.path = "/api/v1/auth/login";
  c.body = R"({"username":")" + username + R"(","password":")" + password + R"("})";
  auto r = call(c);
  if (r.status != 200) throw std::runtime_error("login failed: " + r.body);
  return str_of(json_of(r), "token");
}

std::string test_server::admin_token() {
  if (admin_token_.empty()) admin_token_ = login("admin", admin_password);
  return admin_token_;
}

std::string test_server::user_token(const std::string& role) {
  auto name = role + "-" + std::to_string(++users_);
  http_call c;
  c.method = "POST";
  c.path = "/api/v1/users";
  c.token = admin_token();
  c.body = R"({"username":")" + name + R"(","password":"password-of-)" + name + R"(","role":")" +
           role + R"("})";
  auto r = call(c);
  if (r.status != 201) throw std::runtime_error("user create failed: " + r.body);
  return login(name, "password-of-" + name);
}

rapidjson::Document json_of(const http_reply& r) {
  rapidjson::Document d;
  d.Parse(r.body.c_str(), r.body.size());
  if (d.HasParseError()) d.SetObject();
  return d;
}

std::string str_of(const rapidjson::Value& v, const char* name) {
  if (!v.IsObject()) return {};
  auto it = v.FindMember(name);
  if (it == v.MemberEnd() || !it->value.IsString()) return {};
  return it->value.GetString();
}

double scraped(const test_server& server, const std::string& series) {
  auto body = server.call(http_call{"GET", "/metrics", {}}).body;
  auto at = body.find("\n" + series + " ");
  return at == std::string::npos ? 0.0 : std::stod(body.substr(at + series.size() + 2));
}

http_reply call_until(const test_server& server, const http_call& c, int status) {
  http_reply r;
  for (int i = 0; i < 200 && r.status != status; ++i) {
    r = server.call(c);
    if (r.status != status) std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
  return r;
}

std::string problem_slug(const http_reply& r) {
  auto type = str_of(json_of(r), "type");
  auto slash = type.rfind('/');
  return slash == std::string::npos ? type : type.substr(slash + 1);
}

std::string bill_body(const std::string& amount, const std::string& reference) {
  std::string body = R"({"payer":{"name":"Asha Mwita","phone":"+255712345678"},"amount":")" +
                     amount +
                     R"(","currency":"TZS","description":"Water bill","due_date":"2099-12-31")";
  if (!reference.empty()) body += R"(,"reference":")" + reference + "\"";
  return body + "}";
}

std::thread hold_bill_lock(const test_server& server, const std::string& id,
                           std::chrono::milliseconds hold) {
  std::promise<void> held;
  auto locked = held.get_future();
  std::thread holder([url = server.cfg().db.url, id, hold, held = std::move(held)]() mutable {
    std::optional<pg_connection> conn;
    try {
      conn.emplace(url, std::chrono::seconds{5}, std::chrono::seconds{5});
      conn->begin();
      conn->exec("SELECT id FROM bills WHERE id = $1 FOR UPDATE", {id});
    } catch (...) {
      held.set_exception(std::current_exception());
      return;
    }
    held.set_value();
    conn->exec("SELECT pg_sleep($1::float8 / 1000)", {std::to_string(hold.count())});
    conn->commit();
  });
  try {
    locked.get();
  } catch (...) {
    holder.join();
    throw;
  }
  return holder;
}

void wait_for_lock_wait(const test_server& server, const std::string& statement_part) {
  pg_connection observer{server.cfg().db.url, std::chrono::seconds{5}, std::chrono::seconds{5}};
  for (int i = 0; i < 500; ++i) {
    auto rows = observer.exec(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND wait_event_type = 'Lock' AND strpos(query, $1) > 0",
        {statement_part});
    if (rows.int64(0, 0) > 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  throw std::runtime_error("no statement containing \"" + statement_part + "\" waited on a lock");
}

}  // namespace billd::test
