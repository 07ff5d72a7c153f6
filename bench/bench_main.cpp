// billd-bench: the load harness (see bench/README.md). Logs in, seeds bills when the scenario
// reads them, runs a closed loop and reports throughput, statuses, errors and latency
// percentiles per priority class, with its own CPU time; --json writes the same as JSON.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>

#include "bench/hold.hpp"
#include "bench/load.hpp"
#include "bench/plot.hpp"
#include "bench/ramp.hpp"
#include "bench/report.hpp"
#include "bench/seed.hpp"
#include "bench/setup_calls.hpp"

namespace {

using namespace billd::bench;

struct flags {
  std::map<std::string, std::string> values;
  std::string get(const std::string& name, const std::string& def) const {
    auto it = values.find(name);
    return it == values.end() ? def : it->second;
  }
  long number(const std::string& name, long def) const {
    auto text = get(name, std::to_string(def));
    char* end = nullptr;
    long v = std::strtol(text.c_str(), &end, 10);
    if (end == text.c_str() || *end != '\0' || v < 0)
      throw std::invalid_argument("--" + name + " must be a non-negative integer");
    return v;
  }
};

const char* usage =
    "usage: billd-bench [--url http://HOST:PORT] [--scenario NAME] [--connections N]\n"
    "                   [--threads N] [--duration S] [--warmup S] [--bills N] [--read-pct P]\n"
    "                   [--idempotency] [--user U --password P | --token T] [--json FILE]\n"
    "                   [--label TEXT] [--rate REQUESTS_PER_SECOND (open loop)]\n"
    "                   [--gateway-secret S (payment: billd's gateway.secret_in)]\n"
    "                   [--ramp M1,M2,... [--peak REQUESTS_PER_SECOND | --peak-connections N\n"
    "                    (the closed loop that finds the peak; default 64)]] (rising open loop)\n"
    "                   [--ops-url http://HOST:PORT (split open loop: the P0 lane's connections\n"
    "                    go there, e.g. billd's http.ops_listen)]\n"
    "                   [--shared-connections (open loop, mixed classes: every connection\n"
    "                    sends every class; default: each class on connections of its own)]\n"
    "                   [--plot PREFIX (SVG charts: PREFIX-timeline.svg; rising:\n"
    "                    PREFIX-latency.svg, PREFIX-goodput.svg)]\n"
    "       billd-bench seed --db CONNINFO [--bills N] [--per-statement K]: COPY N bills\n"
    "                   (with payments and audit rows) into billd's database\n"
    "       billd-bench --hold N [--per-address K] [--duration S]: N idle keep-alive\n"
    "                   connections from 127.0.0.2 and up, K per address, held S seconds\n"
    "                   [--list-depth PAGES (list_deep, default 1000)]\n"
    "scenarios: health, get_bill, post_bill, payment, list, list_deep, metrics, mixed,\n"
    "           overload\n";

flags parse(int argc, char** argv) {
  flags f;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") throw std::invalid_argument("");
    if (!arg.starts_with("--")) throw std::invalid_argument("unexpected argument " + arg);
    arg = arg.substr(2);
    if (auto eq = arg.find('='); eq != std::string::npos) {
      f.values[arg.substr(0, eq)] = arg.substr(eq + 1);
    } else if (arg == "idempotency" || arg == "shared-connections") {
      f.values[arg] = std::string{"1"};  // not = "1": GCC 12 -O2 warns -Wrestrict falsely
    } else if (i + 1 < argc) {
      f.values[arg] = argv[++i];
    } else {
      throw std::invalid_argument("--" + arg + " needs a value");
    }
  }
  return f;
}

target target_of(const std::string& url) {
  constexpr std::string_view scheme = "http://";
  if (!url.starts_with(scheme)) throw std::invalid_argument("--url must be http://HOST:PORT");
  auto rest = url.substr(scheme.size());
  rest = rest.substr(0, rest.find('/'));
  auto colon = rest.rfind(':');
  if (colon == std::string::npos) return {rest, 80};
  return {rest.substr(0, colon), static_cast<std::uint16_t>(std::stoi(rest.substr(colon + 1)))};
}

template <class Write>
void write_file(const std::string& path, Write write) {
  std::ofstream out{path};
  write(out);
  if (!out) throw std::runtime_error("cannot write " + path);
}

/// The rising open-loop run (bench/ramp.hpp): the peak from --peak, or a closed loop first on
/// --peak-connections (64 by default, as the other targets): with the run's own 1024
/// connections billd refused more than half of a closed loop's requests, and counting its 2xx
/// took goodput under overload for the peak (docs/benchmarks.md, 2026-12-07).
int run_rising(const flags& f, load_options opt, scenario& sc, const std::string& label,
               const std::string& name, const std::vector<double>& multiples) {
  ramp_peak peak{static_cast<double>(f.number("peak", 0))};
  if (peak.rate <= 0) {
    auto closed_opt = opt;
    closed_opt.rate = 0;
    closed_opt.connections = static_cast<int>(f.number("peak-connections", 64));
    if (closed_opt.connections < 1)
      throw std::invalid_argument("--peak-connections must be at least 1");
    auto closed = run_load(closed_opt, sc);
    peak.connections = closed_opt.connections;
    peak.rate = static_cast<double>(closed.with_status(200, 299)) / closed.seconds;
    peak.shed_per_second = static_cast<double>(closed.with_status(503, 503)) / closed.seconds;
    std::cout << label << ": closed-loop peak " << static_cast<long>(peak.rate) << " 2xx/s at "
              << peak.connections << " connections\n";
    if (peak.shed_per_second > 0)
      std::cerr << "billd-bench: the peak's closed loop was shed ("
                << static_cast<long>(peak.shed_per_second)
                << " 503/s): it measured goodput under overload; use fewer --peak-connections\n";
    if (peak.rate <= 0) throw std::runtime_error("no answers in the closed loop: no peak");
  }
  auto steps = run_ramp(opt, sc, peak.rate, multiples);
  for (const auto& s : steps)
    print_report(std::cout, run_description{label, name, opt.connections, opt.threads, s.offered},
                 s.result);
  print_ramp(std::cout, peak, steps);
  if (auto path = f.get("json", ""); !path.empty())
    write_file(path,
               [&](std::ostream& out) { write_ramp_json(out, label, name, opt, peak, steps); });
  if (auto plots = f.get("plot", ""); !plots.empty()) {
    write_file(plots + "-latency.svg", [&](std::ostream& out) {
      write_svg(out, latency_against_load(label + ": p99 against offered load", steps));
    });
    write_file(plots + "-goodput.svg", [&](std::ostream& out) {
      write_svg(out, goodput_against_load(label + ": goodput against offered load", steps));
    });
  }
  for (const auto& s : steps)
    if (s.result.answered() == 0) return 1;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc > 1 && std::string{argv[1]} == "seed") {  // billd-bench seed --db … --bills N
      auto f = parse(argc - 1, argv + 1);
      seed_options s{f.get("db", ""), static_cast<std::uint64_t>(f.number("bills", 10'000)),
                     static_cast<std::uint64_t>(f.number("per-statement", 100'000))};
      if (s.conninfo.empty()) throw std::invalid_argument("seed needs --db CONNINFO");
      if (s.per_statement == 0) throw std::invalid_argument("--per-statement must be positive");
      auto r = seed_database(s);
      std::cout << "seeded " << r.bills << " bills, " << r.payments << " payments, " << r.jobs
                << " jobs, " << r.audit_rows << " audit rows in " << r.seconds << " s\n";
      return 0;
    }
    auto f = parse(argc, argv);
    auto t = target_of(f.get("url", "http://127.0.0.1:8080"));
    if (f.values.count("hold")) {  // idle keep-alive connections, for memory figures
      hold_options h{t.host, t.port, static_cast<int>(f.number("hold", 10'000)),
                     static_cast<int>(f.number("per-address", 200)),
                     std::chrono::seconds{f.number("duration", 10)}};
      auto held = hold_idle_connections(
          h, [](int open) { std::cout << "holding " << open << " idle connections" << std::endl; });
      return held == h.connections ? 0 : 1;
    }
    scenario_inputs in;
    in.idempotency = f.values.count("idempotency") > 0;
    in.read_pct = static_cast<int>(f.number("read-pct", 90));
    auto name = f.get("scenario", "health");
    auto sc = make_scenario(name, in);
    if (!sc) throw std::invalid_argument("unknown scenario " + name);

    load_options opt;
    opt.host = t.host;
    opt.port = t.port;
    opt.connections = static_cast<int>(f.number("connections", 64));
    opt.threads = static_cast<int>(f.number("threads", 2));
    opt.duration = std::chrono::seconds{f.number("duration", 10)};
    opt.warmup = std::chrono::seconds{f.number("warmup", 2)};
    opt.rate = static_cast<double>(f.number("rate", 0));
    opt.shared_connections = f.values.count("shared-connections") > 0;
    if (auto ops = f.get("ops-url", ""); !ops.empty()) {
      // Only a health class on connections of its own can go elsewhere; anything else would
      // ignore the flag while its JSON said otherwise.
      if (sc->lane_shares().size() < 2 || opt.shared_connections)
        throw std::invalid_argument(
            "--ops-url needs a scenario with a health class (overload) on connections of its "
            "own (no --shared-connections)");
      auto o = target_of(ops);
      opt.p0_host = o.host;
      opt.p0_port = o.port;
    }
    if (sc->needs_token()) {
      opt.token = f.get("token", "");
      if (opt.token.empty()) opt.token = login(t, f.get("user", "admin"), f.get("password", ""));
    }
    if (sc->needs_bills()) {
      in.bill_ids = seed_bills(t, opt.token, static_cast<std::size_t>(f.number("bills", 1000)));
      if (in.bill_ids.empty()) throw std::invalid_argument("--bills must be at least 1");
    }
    if (sc->needs_deep_cursor())
      in.deep_cursor = walk_cursor(t, opt.token, static_cast<int>(f.number("list-depth", 1000)));
    if (sc->needs_control_numbers()) {
      in.gateway_secret = f.get("gateway-secret", "");
      if (in.gateway_secret.empty())
        throw std::invalid_argument("--gateway-secret (billd's gateway.secret_in) is needed");
      in.control_numbers =
          await_control_numbers(t, opt.token, in.bill_ids, std::chrono::seconds{120});
    }
    auto label = f.get("label", name);
    auto plots = f.get("plot", "");
    // overload is a rising open-loop run unless told otherwise (--ramp with any scenario).
    auto ramp = f.get("ramp", name == "overload" ? "0.5,1,2,3,4" : "");
    if (!ramp.empty()) return run_rising(f, opt, *sc, label, name, parse_multiples(ramp));
    auto result = run_load(opt, *sc);
    run_description what{label, name, opt.connections, opt.threads, opt.rate};
    print_report(std::cout, what, result);
    if (auto path = f.get("json", ""); !path.empty())
      write_file(path, [&](std::ostream& out) { write_json(out, what, result); });
    if (!plots.empty())
      write_file(plots + "-timeline.svg", [&](std::ostream& out) {
        write_svg(out, latency_over_time(label + ": latency by second", result));
      });
    return result.answered() > 0 ? 0 : 1;
  } catch (const std::invalid_argument& e) {
    if (*e.what()) std::cerr << "billd-bench: " << e.what() << "\n";
    std::cerr << usage;
    return 64;
  } catch (const std::exception& e) {
    std::cerr << "billd-bench: " << e.what() << "\n";
    return 1;
  }
}
