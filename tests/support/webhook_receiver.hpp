#pragma once
// A merchant's webhook endpoint for tests: a real HTTP/1.1 listener on 127.0.0.1:0 that
// records every request and answers with scripted statuses (200 once the script is empty).

#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace billd::test {

struct received_request {
  std::string method, path, body;
  std::map<std::string, std::string> headers;  // names lower-case
};

class webhook_receiver {
 public:
  webhook_receiver();
  ~webhook_receiver();
  webhook_receiver(const webhook_receiver&) = delete;
  webhook_receiver& operator=(const webhook_receiver&) = delete;

  std::string url(const std::string& path = "/hooks") const;
  /// The next answers, in order.
  void script(std::vector<int> statuses);
  std::vector<received_request> received() const;
  /// Waits until at least n requests arrived (false on timeout).
  bool wait_for(std::size_t n, std::chrono::seconds timeout) const;

 private:
  void serve(int fd);
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread acceptor_;
  std::vector<std::thread> sessions_;
  mutable std::mutex mu_;
  std::deque<int> script_;
  std::vector<received_request> received_;
  bool stopping_ = false;
};

}  // namespace billd::test
