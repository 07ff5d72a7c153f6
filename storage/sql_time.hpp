#pragma once
// SQL fragment that renders a timestamptz column as RFC 3339 UTC with milliseconds, so every
// persisted time comes from the database clock in the API's format.
#define BILLD_SQL_RFC3339(col) \
  "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
