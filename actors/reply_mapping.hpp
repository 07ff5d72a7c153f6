#pragma once
// How a db-pool outcome that is not `ok` becomes an api_reply, in one place.

#include "actors/messages.hpp"

namespace billd {

/// The reply for a failed or refused database call. A write whose connection broke may have
/// committed (outcome_unknown); a refused or cancelled one did not (overloaded).
api_reply reply_for_failure(const db_outcome& outcome, bool write);

/// A reply of the given kind with a detail message.
api_reply make_reply(reply_kind kind, std::string detail = {});

/// A 200/201 reply with a JSON body.
api_reply ok_reply(std::uint16_t status, std::string body);

}  // namespace billd
