#pragma once
// The payment gateway's answers about control numbers, recorded for many bills at once: a
// fixed number of round trips however many answers (the shards batch them like creates).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace billd {

class pg_connection;

/// The gateway's answer for one bill: its control number, or a refusal (failure non-empty).
struct gateway_answer {
  std::string bill_id;
  std::string control_number;
  std::string failure;
  std::string job_id;      ///< the job that asked, ended by the answer; empty for a callback
  std::int64_t fence = 0;  ///< that job's lease fence
};

/// What recording one answer did.
struct answer_recorded {
  enum class kind {
    recorded,      ///< written, or already so; the job that asked is done
    unknown_bill,  ///< no such bill: nothing written
    conflict,      ///< the bill has another control number: nothing written
  };
  kind what = kind::recorded;
  std::optional<std::string> number_held;  ///< for a conflict: the bill's own number
};

/// Records answers for distinct bills in the caller's transaction; the result is aligned with
/// `answers`. A number moves a pending bill to issued; one that arrives after the bill left
/// pending is kept for reference and withdrawn by a job. A refusal fails a pending bill that
/// has no number. Each change is audited and emits its event; a callback (no job) ends the
/// bill's control-number job whatever its lease and is logged like a gateway exchange.
std::vector<answer_recorded> record_gateway_answers(pg_connection& conn,
                                                    const std::vector<gateway_answer>& answers);

}  // namespace billd
