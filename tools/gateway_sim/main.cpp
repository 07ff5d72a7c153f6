// gateway-sim: plays the payment gateway of API.md for development, tests and benchmarks.
//   gateway-sim serve --listen HOST:PORT --secret-in S --secret-out S --billd-url URL
//       [--mode sync|async] [--latency-ms N|A-B] [--error-rate P] [--error-kind 5xx|429|reset|hang]
//       [--duplicate-callbacks] [--secret-in-previous S] [--tls-cert PEM --tls-key PEM]
//   gateway-sim pay --billd-url URL --secret S --control-number CN --amount A --currency C
//       [--transaction-ref R] [--channel C] [--paid-at RFC3339]
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <string>

#include "domain/crypto.hpp"
#include "domain/json_text.hpp"
#include "domain/signature.hpp"
#include "net/http_outbound.hpp"
#include "tools/gateway_sim/sim_server.hpp"

using namespace billd;

namespace {

int usage(const char* why) {
  std::fprintf(stderr,
               "gateway-sim: %s\n"
               "usage: gateway-sim serve --listen HOST:PORT --secret-in S --secret-out S "
               "--billd-url URL [--mode sync|async] [--latency-ms N|A-B] [--error-rate P] "
               "[--error-kind 5xx|429|reset|hang] [--duplicate-callbacks]\n"
               "       gateway-sim pay --billd-url URL --secret S --control-number CN "
               "--amount A --currency C [--transaction-ref R]\n",
               why);
  return 64;
}

/// --name value pairs and bare --flags; false on a stray argument.
bool parse_flags(int argc, char** argv, std::map<std::string, std::string>& out) {
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (!a.starts_with("--")) return false;
    auto name = a.substr(2);
    if (name == "duplicate-callbacks") {
      out[name] = "1";
    } else if (i + 1 < argc) {
      out[name] = argv[++i];
    } else {
      return false;
    }
  }
  return true;
}

std::string flag(const std::map<std::string, std::string>& f, const std::string& name,
                 std::string def = {}) {
  auto it = f.find(name);
  return it == f.end() ? def : it->second;
}

int run_serve(const std::map<std::string, std::string>& f) {
  static const char* known[] = {
      "listen",   "secret-in",  "secret-in-previous", "secret-out", "billd-url",
      "mode",     "latency-ms", "error-rate",         "error-kind", "duplicate-callbacks",
      "tls-cert", "tls-key"};
  for (const auto& [k, v] : f) {
    bool ok = false;
    for (auto n : known) ok = ok || k == n;
    if (!ok) return usage(("unknown flag --" + k).c_str());
  }
  sim::server_options opts;
  opts.listen = flag(f, "listen", "127.0.0.1:9090");
  opts.secrets_in = {flag(f, "secret-in"), flag(f, "secret-in-previous")};
  opts.secret_out = flag(f, "secret-out");
  opts.billd_url = flag(f, "billd-url", "http://127.0.0.1:8080");
  opts.tls_cert = flag(f, "tls-cert");
  opts.tls_key = flag(f, "tls-key");
  if (opts.tls_cert.empty() != opts.tls_key.empty())
    return usage("--tls-cert and --tls-key go together");
  if (opts.secrets_in[0].empty() || opts.secret_out.empty())
    return usage("--secret-in and --secret-out are required");
  sim::knobs k;
  auto mode = flag(f, "mode", "sync");
  if (mode != "sync" && mode != "async") return usage("--mode must be sync or async");
  k.mode = mode == "async" ? sim::answer_mode::async : sim::answer_mode::sync;
  if (!sim::parse_latency(flag(f, "latency-ms", "0"), k))
    return usage("--latency-ms must be N or A-B (A <= B)");
  char* end = nullptr;
  auto rate = flag(f, "error-rate", "0");
  k.error_rate = std::strtod(rate.c_str(), &end);
  if (*end != '\0' || k.error_rate < 0 || k.error_rate > 1)
    return usage("--error-rate must be a number in [0, 1]");
  if (!sim::parse_error_kind(flag(f, "error-kind", "5xx"), k.errors))
    return usage("--error-kind must be 5xx, 429, reset or hang");
  k.duplicate_callbacks = f.count("duplicate-callbacks") > 0;
  sim::sim_state state{k};
  return sim::serve(opts, state);
}

int run_pay(const std::map<std::string, std::string>& f) {
  for (auto required : {"billd-url", "secret", "control-number", "amount", "currency"})
    if (flag(f, required).empty())
      return usage((std::string{"--"} + required + " is required").c_str());
  auto ref = flag(f, "transaction-ref");
  if (ref.empty()) ref = "txn-" + random_token().substr(0, 16);
  std::time_t now = std::time(nullptr);
  char paid_at[32];
  std::strftime(paid_at, sizeof paid_at, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  auto body = json_object{}
                  .str("control_number", flag(f, "control-number"))
                  .str("transaction_ref", ref)
                  .str("amount", flag(f, "amount"))
                  .str("currency", flag(f, "currency"))
                  .str("paid_at", flag(f, "paid-at", paid_at))
                  .str("channel", flag(f, "channel", "mobile"))
                  .finish();
  http_origin origin;
  std::string err;
  if (!parse_http_origin(flag(f, "billd-url"), origin, err))
    return usage(("--billd-url " + err).c_str());
  const std::string path = "/api/v1/gateway/payments";
  outbound_request req;
  req.target = path;
  req.body = body;
  req.headers.emplace_back("X-Signature",
                           sign_request(flag(f, "secret"), static_cast<std::int64_t>(now), "POST",
                                        origin.base_path + path, body));
  auto res = make_http_transport(origin)->exchange(req, std::chrono::seconds{30});
  if (res.error != wire_error::none) {
    std::fprintf(stderr, "gateway-sim: %s\n", res.error_text.c_str());
    return 69;
  }
  std::printf("%d %s\n", res.status, res.body.c_str());
  return res.status >= 200 && res.status < 300 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  crypto_init();
  if (argc < 2) return usage("a command is required");
  std::string cmd = argv[1];
  std::map<std::string, std::string> flags;
  if (!parse_flags(argc, argv, flags)) return usage("flags are --name value");
  if (cmd == "serve") return run_serve(flags);
  if (cmd == "pay") return run_pay(flags);
  return usage(("unknown command " + cmd).c_str());
}
