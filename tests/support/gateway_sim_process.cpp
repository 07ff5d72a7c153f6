#include "tests/support/gateway_sim_process.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/test_server.hpp"

namespace billd::test {

gateway_sim_process::gateway_sim_process(const std::string& extra_flags) {
  std::vector<std::string> args{GATEWAY_SIM_BINARY, "serve",          "--listen",
                                "127.0.0.1:0",      "--secret-in",    gateway_secret_out,
                                "--secret-out",     gateway_secret_in};
  std::istringstream extra{extra_flags};
  for (std::string a; extra >> a;) args.push_back(a);
  int out[2];
  if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
  pid_ = ::fork();
  if (pid_ == 0) {
    // A test that aborts (a failed CAF_REQUIRE) runs no destructor: the simulator must not
    // outlive it, holding ctest's output pipe open.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    ::dup2(out[1], STDOUT_FILENO);
    ::close(out[0]);
    ::close(out[1]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(GATEWAY_SIM_BINARY, argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  // The first line names the bound address.
  std::string line;
  char c;
  while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
  ::close(out[0]);
  auto at = line.find("http");
  if (at == std::string::npos) throw std::runtime_error("gateway-sim did not start: " + line);
  url_ = line.substr(at);
}

gateway_sim_process::~gateway_sim_process() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

void gateway_sim_process::control(const std::string& knobs_json) const {
  auto r = send(url_.substr(7), http_call{"POST", "/sim/control", knobs_json});
  if (r.status != 200) throw std::runtime_error("gateway-sim refused knobs: " + r.body);
}

long gateway_sim_process::stat(const std::string& name) const {
  auto r = send(url_.substr(7), http_call{"GET", "/sim/stats"});
  auto doc = json_of(r);
  if (!doc.IsObject() || !doc.HasMember(name.c_str()) || !doc[name.c_str()].IsInt64()) return 0;
  return static_cast<long>(doc[name.c_str()].GetInt64());
}

void gateway_sim_process::configure(settings& s) const {
  s.gateway.url = url_;
  s.gateway.secret_out = gateway_secret_out;
  s.gateway.secret_in = gateway_secret_in;
  s.gateway.retry_base = std::chrono::milliseconds{10};
  s.gateway.retry_cap = std::chrono::milliseconds{50};
  s.gateway.timeout = std::chrono::milliseconds{2'000};
  s.jobs.poll_interval = std::chrono::milliseconds{50};
  s.jobs.backoff_min = std::chrono::milliseconds{50};
  s.jobs.backoff_max = std::chrono::milliseconds{200};
}

}  // namespace billd::test
