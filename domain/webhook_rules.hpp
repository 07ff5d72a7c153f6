#pragma once
// What a webhook subscription may name (API.md "Merchant webhooks"). Pure checks, no I/O.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace billd {

/// The event types a subscription may ask for.
inline constexpr std::string_view webhook_event_types[] = {
    "bill.issued",  "bill.paid",   "bill.partially_paid", "bill.cancelled",
    "bill.expired", "bill.failed", "payment.unapplied"};

/// Why url cannot receive webhooks, or nullopt when it can: at most 2048 characters; https,
/// or http only for a loopback host; no private (RFC 1918, CGNAT, link-local, ULA) or
/// unspecified address literal unless allow_private.
std::optional<std::string> check_webhook_url(std::string_view url, bool allow_private);

/// True for loopback addresses and "localhost".
bool is_loopback_host(std::string_view host);

/// True for RFC 1918, CGNAT, link-local, ULA and unspecified address literals.
bool is_private_address(std::string_view host);

/// Why the list of events is not acceptable (empty, unknown or repeated names), or nullopt.
std::optional<std::string> check_webhook_events(const std::vector<std::string>& events);

/// Secrets are 32 to 256 bytes.
std::optional<std::string> check_webhook_secret(std::string_view secret);

}  // namespace billd
