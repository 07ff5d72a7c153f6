#include "actors/bill_cache.hpp"

#include <spdlog/spdlog.h>
#include <caf/all.hpp>

#include <optional>
#include <unordered_map>

#include "actors/ask_within.hpp"
#include "actors/billing_shard.hpp"
#include "actors/circuit_breaker.hpp"
#include "actors/db_call.hpp"
#include "actors/redis_link.hpp"
#include "domain/bill_codec.hpp"
#include "log/module_log.hpp"
#include "storage/bill_store.hpp"

namespace billd {
namespace {

using clock = std::chrono::steady_clock;

/// One load of a bill (from Redis, then PostgreSQL) and the readers waiting for it.
struct flight {
  std::vector<caf::typed_response_promise<cache_answer>> waiters;
  std::string request_id;
  std::uint64_t ticket = 0;  // the store's (bill_cache_store::begin_load)
};
using flight_ptr = std::shared_ptr<flight>;

/// The Redis second level of one shard: its link, breaker and outstanding commands.
struct second_level {
  redis_link_actor link;
  std::unique_ptr<circuit_breaker> breaker;
  std::uint32_t inflight = 0;
  std::uint32_t inflight_max = 0;
  std::uint64_t hits = 0, misses = 0, errors = 0, bypasses = 0;  // reads that asked, or not
  std::chrono::milliseconds request_timeout{0};
  bool lost_sent = false;  // a lost invalidation was reported and no command went since
};

struct bill_cache_state {
  static inline const char* name = "cache";
  bill_cache_config cfg;
  std::unordered_map<std::string, flight_ptr> flights;
  std::optional<second_level> l2;
  call_deadlines calls;  // commands to the Redis link (ask_within)
};

using self_ptr = bill_cache_actor::stateful_pointer<bill_cache_state>;

/// What a cached bill weighs: the struct and its strings.
std::size_t weight(const bill& b) {
  auto opt = [](const std::optional<std::string>& s) { return s ? s->size() : 0; };
  return sizeof(bill) + b.id.size() + b.currency.size() + b.description.size() + b.due_date.size() +
         b.expires_at.size() + opt(b.reference) + b.payer_name.size() + b.payer_phone.size() +
         opt(b.payer_email) + opt(b.control_number) + opt(b.failure_reason) + b.created_by.size() +
         b.created_at.size() + b.updated_at.size();
}

/// Whether `f` is still the flight of `id`: new readers join it (no invalidation message
/// came since it started).
bool joinable(self_ptr self, const std::string& id, const flight_ptr& f) {
  auto it = self->state.flights.find(id);
  return it != self->state.flights.end() && it->second == f;
}

/// Ends the flight of `id`: the store keeps the bill and its JSON unless an invalidation
/// overtook the load; every waiter gets the answer.
void land(self_ptr self, const std::string& id, const flight_ptr& f, cache_answer a) {
  auto& st = self->state;
  if (joinable(self, id, f)) st.flights.erase(id);
  std::optional<bill_cache_store::entry> loaded;
  std::size_t bytes = 0;
  if (a.value && st.cfg.store->current(id, f->ticket)) {
    a.json = std::make_shared<const std::string>(bill_json(*a.value));
    bytes = weight(*a.value) + a.json->size();
    loaded = bill_cache_store::entry{a.value, a.json};
  }
  st.cfg.store->finish_load(id, f->ticket, std::move(loaded), bytes, clock::now());
  for (auto& w : f->waiters) w.deliver(a);
}

/// Sends one command to Redis if the breaker and the in-flight bound allow; `then(reply)`
/// runs on this actor (a lost reply counts as a failed call). False when not sent.
template <class... Ts, class Then>
bool to_redis(self_ptr self, Then then, Ts&&... xs) {
  auto& l2 = *self->state.l2;
  if (l2.inflight >= l2.inflight_max || !l2.breaker->allow(clock::now())) return false;
  ++l2.inflight;
  l2.lost_sent = false;
  auto finish = [self, then](redis_reply& r) mutable {
    auto& level = *self->state.l2;
    --level.inflight;
    level.breaker->record(r.failed, r.took, clock::now());
    if (r.failed)
      logger_of(log_module::cache).debug("cache {}: Redis: {}", self->state.cfg.index, r.error);
    then(r);
  };
  ask_within<redis_reply>(
      self, l2.link, l2.request_timeout, finish,
      [finish](const caf::error& err) mutable {
        redis_reply r;
        r.failed = true;
        r.error = caf::to_string(err);
        finish(r);
      },
      std::forward<Ts>(xs)...);
  return true;
}

/// Stores a freshly loaded bill in Redis (skipped, not queued, when Redis is unavailable).
void store_in_redis(self_ptr self, const bill& b) {
  to_redis(
      self, [](redis_reply&) {}, redis_set_atom::value, b.id, encode_bill(b));
}

/// Loads the bill from PostgreSQL; `status` is what the answer says (MISS or BYPASS).
void load_from_db(self_ptr self, const std::string& id, flight_ptr f, cache_status status) {
  db_call<std::optional<bill>>(
      self, self->state.cfg.db, "bill_find", false, self->state.cfg.db_timeout,
      [id](pg_connection& c) { return find_bill(c, id); },
      [self, id, f, status](const db_outcome& o, std::optional<std::optional<bill>>&& found) {
        cache_answer a;
        a.status = status;
        if (!found) {
          a.failed = true;
          a.failure = o;
        } else if (*found) {
          a.value = std::make_shared<const bill>(std::move(**found));
        }
        // Into Redis only if no invalidation overtook this load and Redis is in use.
        if (a.value && status == cache_status::miss && self->state.l2 &&
            self->state.cfg.store->current(id, f->ticket))
          store_in_redis(self, *a.value);
        land(self, id, f, a);
      },
      f->request_id);
}

/// Starts the flight of `id`: Redis first when it can be used, else PostgreSQL.
void load(self_ptr self, const std::string& id, flight_ptr f) {
  if (!self->state.l2) {
    load_from_db(self, id, std::move(f), cache_status::miss);
    return;
  }
  auto on_reply = [self, id, f](redis_reply& r) {
    auto& l2 = *self->state.l2;
    ++(r.failed ? l2.errors : r.value ? l2.hits : l2.misses);
    if (!r.failed && r.value) {
      if (auto b = decode_bill(*r.value)) {
        cache_answer a;
        a.value = std::make_shared<const bill>(std::move(*b));
        a.status = cache_status::hit;
        land(self, id, f, a);
        return;
      }
      logger_of(log_module::cache)
          .warn("cache {}: Redis holds an undecodable value for bill {}; reading PostgreSQL",
                self->state.cfg.index, id);
    }
    load_from_db(self, id, f, r.failed ? cache_status::bypass : cache_status::miss);
  };
  if (!to_redis(self, on_reply, redis_get_atom::value, id)) {
    ++self->state.l2->bypasses;
    load_from_db(self, id, std::move(f), cache_status::bypass);
  }
}

/// Drops `id` from Redis; if that cannot be sent, the link must give up its key epoch.
void invalidate_in_redis(self_ptr self, const std::string& id) {
  auto& l2 = *self->state.l2;
  if (to_redis(
          self, [](redis_reply&) {}, redis_del_atom::value, id))
    return;
  if (!l2.lost_sent) {
    self->send(l2.link, redis_lost_atom::value);
    l2.lost_sent = true;
  }
}

void start_second_level(self_ptr self) {
  auto& st = self->state;
  auto target = parse_redis_url(st.cfg.cache.redis_url);
  if (!target) throw std::invalid_argument("cache.redis_url is malformed");
  redis_link_config link_cfg{*target, st.cfg.cache.redis_timeout, st.cfg.cache.ttl};
  auto& l2 = st.l2.emplace();
  l2.link = spawn_redis_link(self->system(), link_cfg);
  self->link_to(l2.link);  // the link lives and dies with its shard
  l2.inflight_max = st.cfg.cache.redis_inflight_max;
  // A command may connect, take an epoch and run: three timeouts, plus slack for the mailbox.
  l2.request_timeout = 3 * st.cfg.cache.redis_timeout + std::chrono::seconds{1};
  auto index = st.cfg.index;
  l2.breaker = std::make_unique<circuit_breaker>(
      st.cfg.cache.redis_breaker, [index](breaker_state from, breaker_state to) {
        if (to == breaker_state::open) {
          logger_of(log_module::cache)
              .warn("cache {}: Redis breaker {} -> open: reads bypass Redis", index,
                    to_string(from));
        } else {
          logger_of(log_module::cache)
              .info("cache {}: Redis breaker {} -> {}", index, to_string(from), to_string(to));
        }
      });
}

figures_ptr cache_figures(self_ptr self) {
  auto& st = self->state;
  auto f = std::make_shared<figure_set>();
  auto c = st.cfg.store->counters();
  // Every shard reports the same series; the monitor adds them up.
  auto memory = std::string{"level=\"memory\""};
  f->add("billd_cache_hits_total", memory, static_cast<double>(c.hits));
  f->add("billd_cache_misses_total", memory, static_cast<double>(c.misses));
  f->add("billd_cache_evictions_total", memory, static_cast<double>(c.evictions));
  f->add("billd_cache_expirations_total", memory, static_cast<double>(c.expirations));
  f->add("billd_cache_entries", memory, static_cast<double>(st.cfg.store->entries()));
  f->add("billd_cache_size_bytes", memory, static_cast<double>(st.cfg.store->bytes()));
  f->add("billd_cache_loads_in_flight", "", static_cast<double>(st.flights.size()));
  if (st.l2) {
    auto redis = std::string{"level=\"redis\""};
    f->add("billd_cache_hits_total", redis, static_cast<double>(st.l2->hits));
    f->add("billd_cache_misses_total", redis, static_cast<double>(st.l2->misses));
    f->add("billd_cache_errors_total", redis, static_cast<double>(st.l2->errors));
    f->add("billd_cache_bypasses_total", redis, static_cast<double>(st.l2->bypasses));
    f->add("billd_cache_redis_in_flight", "", st.l2->inflight);
    add_breaker_figures(*f, "redis", *st.l2->breaker, clock::now(),
                        "shard=\"" + std::to_string(st.cfg.index) + "\"");
  }
  add_mailbox_depth(*f, "cache", self->mailbox().size());
  return f;
}

bill_cache_actor::behavior_type bill_cache_impl(self_ptr self, bill_cache_config cfg) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.cfg.store->clear();  // a restarted shard starts empty, as it always has
  if (!st.cfg.cache.redis_url.empty()) start_second_level(self);
  return {
      [self](get_atom, const std::string& id,
             std::string& request_id) -> caf::result<cache_answer> {
        auto& s = self->state;
        // Decide before making a promise (CAF 0.17: a promise takes the request over).
        if (auto hit = s.cfg.store->get(id, clock::now())) {
          cache_answer a;
          a.value = std::move(hit->value);
          a.json = std::move(hit->json);
          a.status = cache_status::hit;
          return a;
        }
        auto& f = s.flights[id];
        bool start = !f;
        if (start) {
          f = std::make_shared<flight>();
          f->request_id = std::move(request_id);
          f->ticket = s.cfg.store->begin_load(id);
        }
        auto rp = self->make_response_promise<cache_answer>();
        f->waiters.push_back(rp);
        if (start) load(self, id, f);
        return rp;
      },
      [self](invalidate_atom, const std::string& id) {
        // invalidate_bill already emptied the store's entry and voided the load's ticket; a
        // load under way answers its waiters, unstored, and new readers start another.
        self->state.cfg.store->invalidate(id);
        self->state.flights.erase(id);
        if (self->state.l2) invalidate_in_redis(self, id);
      },
      [self](expire_atom) { expire_calls(self); },
      [self](metrics_atom) { return cache_figures(self); },
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

cache_slots make_cache_slots(const cache_settings& cfg) {
  auto shards = std::max<std::uint32_t>(1, cfg.shards);
  cache_slots slots;
  for (std::uint32_t i = 0; i < cfg.shards; ++i)
    slots.push_back(std::make_shared<cache_slot>(std::make_shared<bill_cache_store>(
        cfg.max_entries / shards, cfg.max_bytes / shards, cfg.ttl)));
  return slots;
}

const cache_slot_ptr& cache_of(const cache_slots& caches, const std::string& bill_id) {
  return caches[shard_of(bill_id, static_cast<std::uint32_t>(caches.size()))];
}

void invalidate_bill(const cache_slots& caches, const std::string& bill_id) {
  if (caches.empty() || bill_id.empty()) return;
  const auto& slot = cache_of(caches, bill_id);
  slot->store().invalidate(bill_id);
  if (auto cache = slot->get()) caf::anon_send(cache, invalidate_atom::value, bill_id);
}

}  // namespace billd
