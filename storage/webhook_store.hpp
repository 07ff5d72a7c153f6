#pragma once
// Webhooks in PostgreSQL: subscriptions, the event outbox (written in the transaction of the
// change) and deliveries, leased with a fencing token like jobs.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace billd {

class pg_connection;
class pg_pipeline;

struct webhook {
  std::string id;
  std::string url;
  std::vector<std::string> events;
  std::string created_at;
};

/// {"id","url","events","created_at"} — never the secret.
std::string webhook_json(const webhook& w);

/// Stores a subscription (secret_box: the sealed secret) and audits it.
webhook insert_webhook(pg_connection& conn, const std::string& id, const std::string& url,
                       const std::vector<std::string>& events, const std::string& secret_box,
                       const std::string& actor);

std::vector<webhook> list_webhooks(pg_connection& conn);

/// Removes a subscription (its pending deliveries die); false when there is none.
bool delete_webhook(pg_connection& conn, const std::string& id, const std::string& actor);

/// Writes an event for every subscription to `type`, in the caller's transaction; nothing
/// when no one subscribed. data_json is the event's "data" object.
void emit_event(pg_connection& conn, const std::string& type,
                const std::optional<std::string>& bill_id, const std::string& data_json);

/// One event for emit_events.
struct event_draft {
  std::string type;
  std::optional<std::string> bill_id;
  std::string data_json;
};

/// emit_event for many events in one statement, in the order given, added to `out` to run with
/// others in one round trip.
void emit_events(pg_pipeline& out, const std::vector<event_draft>& events);

/// A delivery this node holds the lease of, with what sending it needs.
struct leased_delivery {
  std::int64_t id = 0;
  std::string webhook_id;
  std::string url;
  std::string secret_box;
  std::string event_id;
  std::string body;
  std::int32_t attempt = 0;
  std::int64_t fence = 0;
  std::int64_t age_s = 0;
};

/// Leases up to limit due deliveries, at most one per webhook and none of `busy` webhooks,
/// each the oldest pending one of its (webhook, bill).
std::vector<leased_delivery> lease_deliveries(pg_connection& conn, std::uint32_t limit,
                                              std::chrono::milliseconds lease,
                                              const std::vector<std::string>& busy);

/// Ends a delivery (delivered or dead); false when the lease was lost.
bool settle_delivery(pg_connection& conn, std::int64_t id, std::int64_t fence,
                     const std::string& status, std::optional<int> http_status,
                     const std::string& error);

/// Puts a delivery back to try again after delay.
bool retry_delivery(pg_connection& conn, std::int64_t id, std::int64_t fence,
                    std::chrono::milliseconds delay, std::optional<int> http_status,
                    const std::string& error);

/// The newest deliveries of a webhook as API.md lists them; nullopt for an unknown webhook.
std::optional<std::string> deliveries_json(pg_connection& conn, const std::string& webhook_id,
                                           int limit);

}  // namespace billd
