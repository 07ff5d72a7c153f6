#include "actors/bill_cache.hpp"

#include <caf/all.hpp>

#include <unordered_map>

#include "actors/billing_shard.hpp"
#include "actors/db_call.hpp"
#include "actors/lru_cache.hpp"
#include "storage/bill_store.hpp"

namespace billd {
namespace {

using clock = std::chrono::steady_clock;

/// One load of a bill from PostgreSQL and the readers waiting for it.
struct flight {
  std::vector<caf::typed_response_promise<cache_answer>> waiters;
};

struct bill_cache_state {
  static inline const char* name = "cache";
  bill_cache_config cfg;
  std::unique_ptr<lru_cache<bill_ptr>> lru;
  std::unordered_map<std::string, std::shared_ptr<flight>> flights;
};

using self_ptr = bill_cache_actor::stateful_pointer<bill_cache_state>;

/// What a cached bill weighs: the struct and its strings.
std::size_t weight(const bill& b) {
  auto opt = [](const std::optional<std::string>& s) { return s ? s->size() : 0; };
  return sizeof(bill) + b.id.size() + b.currency.size() + b.description.size() +
         b.due_date.size() + b.expires_at.size() + opt(b.reference) + b.payer_name.size() +
         b.payer_phone.size() + opt(b.payer_email) + opt(b.control_number) +
         opt(b.failure_reason) + b.created_by.size() + b.created_at.size() + b.updated_at.size();
}

void load(self_ptr self, const std::string& id, std::shared_ptr<flight> f,
          std::string request_id) {
  db_call<std::optional<bill>>(
      self, self->state.cfg.db, "bill_find", false, self->state.cfg.db_timeout,
      [id](pg_connection& c) { return find_bill(c, id); },
      [self, id, f](const db_outcome& o, std::optional<std::optional<bill>>&& found) {
        cache_answer a;
        if (!found) {
          a.failed = true;
          a.failure = o;
        } else if (*found) {
          a.value = std::make_shared<const bill>(std::move(**found));
        }
        auto& st = self->state;
        // Stored only if no invalidation overtook this load (it erased the flight).
        if (auto it = st.flights.find(id); it != st.flights.end() && it->second == f) {
          st.flights.erase(it);
          if (a.value) st.lru->put(id, a.value, weight(*a.value), clock::now());
        }
        for (auto& w : f->waiters) w.deliver(a);
      },
      std::move(request_id));
}

bill_cache_actor::behavior_type bill_cache_impl(self_ptr self, bill_cache_config cfg) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  auto shards = std::max<std::uint32_t>(1, st.cfg.cache.shards);
  st.lru = std::make_unique<lru_cache<bill_ptr>>(st.cfg.cache.max_entries / shards,
                                                 st.cfg.cache.max_bytes / shards,
                                                 st.cfg.cache.ttl);
  return {
      [self](get_atom, const std::string& id,
             std::string& request_id) -> caf::result<cache_answer> {
        auto& s = self->state;
        // Decide before making a promise (CAF 0.17: a promise takes the request over).
        if (auto hit = s.lru->get(id, clock::now())) {
          cache_answer a;
          a.value = std::move(*hit);
          a.status = cache_status::hit;
          return a;
        }
        auto& f = s.flights[id];
        bool start = !f;
        if (start) f = std::make_shared<flight>();
        auto rp = self->make_response_promise<cache_answer>();
        f->waiters.push_back(rp);
        if (start) load(self, id, f, std::move(request_id));
        return rp;
      },
      [self](invalidate_atom, const std::string& id) {
        self->state.lru->erase(id);
        self->state.flights.erase(id);  // a load under way answers its waiters, unstored
      },
  };
}

}  // namespace

const char* to_header(cache_status s) {
  switch (s) {
    case cache_status::hit:
      return "HIT";
    case cache_status::miss:
      return "MISS";
    case cache_status::bypass:
      return "BYPASS";
  }
  return "BYPASS";
}

bill_cache_actor spawn_bill_cache(caf::actor_system& sys, const bill_cache_config& cfg) {
  return sys.spawn(bill_cache_impl, cfg);
}

slot_ptr<bill_cache_actor> cache_of(const cache_slots& caches, const std::string& bill_id) {
  return caches[shard_of(bill_id, static_cast<std::uint32_t>(caches.size()))];
}

void invalidate_bill(const cache_slots& caches, const std::string& bill_id) {
  if (caches.empty() || bill_id.empty()) return;
  if (auto cache = cache_of(caches, bill_id)->get())
    caf::anon_send(cache, invalidate_atom::value, bill_id);
}

}  // namespace billd
