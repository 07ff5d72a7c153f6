-- The expiry sweep (bill_expire_due) asks for the open bills whose expires_at has passed, oldest
-- first, 500 at a time. With no index on expires_at it read every open bill through
-- bills_status_id and sorted them all, each minute: 211 049 pending bills cost 222 ms cold.
-- Partial, so paid, cancelled, expired and failed bills (most of a mature table) carry no entry.
-- The predicate matches the sweep's WHERE clause word for word, which lets the planner use it.
CREATE INDEX bills_expiry_due ON bills (expires_at)
  WHERE status IN ('pending', 'issued', 'partially_paid');
