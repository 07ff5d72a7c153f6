#pragma once
// A real redis-server for integration tests: on a free loopback port, without persistence;
// it can be killed, frozen (SIGSTOP: connections hang) and started again on the same port.

#include <string>

namespace billd::test {

class redis_process {
 public:
  redis_process();  // starts it; throws when redis-server is missing or does not answer
  ~redis_process();
  redis_process(const redis_process&) = delete;
  redis_process& operator=(const redis_process&) = delete;

  std::string url() const;  // redis://127.0.0.1:PORT
  void start();
  void kill();    // SIGKILL, waits for the exit
  void freeze();  // SIGSTOP: it keeps its port, answers nothing
  void thaw();    // SIGCONT

 private:
  int port_ = 0;
  int pid_ = -1;
};

}  // namespace billd::test
