#pragma once
// What an actor tells the monitor about itself: named figures (Prometheus family + labels +
// value) and latency histograms. The owner of a figure names it; docs/operations.md and the
// family table in net/prometheus.cpp describe every family. Local messages only.

#include <caf/allowed_unsafe_message_type.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "domain/latency_histogram.hpp"

namespace billd {

struct figure {
  std::string family;  // e.g. "billd_db_pool_connections"
  std::string labels;  // Prometheus label text without braces: kind="db-pool",state="busy"
  double value = 0;
};

struct histogram_figure {
  std::string family;  // a histogram family in seconds
  std::string labels;
  latency_histogram latency;  // microseconds
};

/// One statement that ran at least db.slow_query_ms (kept, last N, by the db-pool).
struct slow_statement {
  std::string name;        // the storage function's statement name
  std::string request_id;  // of the request it served ("" for background work)
  double ms = 0;
  std::int64_t at_unix_ms = 0;
};

struct figure_set {
  std::vector<figure> values;
  std::vector<histogram_figure> histograms;
  std::vector<slow_statement> slow;  // db-pool only

  void add(std::string family, std::string labels, double value) {
    values.push_back(figure{std::move(family), std::move(labels), value});
  }
};

using figures_ptr = std::shared_ptr<const figure_set>;

/// Milliseconds since the Unix epoch, for "when" fields.
inline std::int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// `kind="KIND"`, the label every per-actor figure carries.
inline std::string kind_label(const std::string& kind) { return "kind=\"" + kind + "\""; }

/// Adds billd_actor_mailbox_depth for an actor of `kind` (what waits in its mailbox now).
inline void add_mailbox_depth(figure_set& f, const std::string& kind, std::size_t depth) {
  f.add("billd_actor_mailbox_depth", kind_label(kind), static_cast<double>(depth));
}

}  // namespace billd

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(billd::figures_ptr)
