#include "actors/changed_bills.hpp"

namespace billd {

changed_bills::changed_bills(cache_slots caches, std::vector<std::string> known)
    : caches_(std::move(caches)), known_(std::move(known)) {}

void changed_bills::restart() {
  std::lock_guard<std::mutex> guard{mutex_};
  noted_.clear();
}

void changed_bills::note(const std::string& bill_id) {
  std::lock_guard<std::mutex> guard{mutex_};
  if (answered_)
    invalidate_bill(caches_, bill_id);
  else
    noted_.push_back(bill_id);
}

void changed_bills::invalidate() {
  std::lock_guard<std::mutex> guard{mutex_};
  answered_ = true;
  for (const auto& id : known_) invalidate_bill(caches_, id);
  for (const auto& id : noted_) invalidate_bill(caches_, id);
}

}  // namespace billd
