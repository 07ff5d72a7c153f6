-- Alert thresholds (API.md "Operations"): one row, changed by PUT /api/v1/metrics/thresholds
-- under If-Match (its version) and audited as entity 'thresholds' / 'alerts'.
CREATE TABLE alert_thresholds (
  id              integer PRIMARY KEY CHECK (id = 1),
  error_rate_pct  double precision NOT NULL CHECK (error_rate_pct > 0 AND error_rate_pct <= 100),
  avg_response_ms integer NOT NULL CHECK (avg_response_ms >= 1),
  slow_requests   integer NOT NULL CHECK (slow_requests >= 1),
  active_sessions integer NOT NULL CHECK (active_sessions >= 1),
  cooldown_s      integer NOT NULL CHECK (cooldown_s >= 1),
  version         bigint NOT NULL DEFAULT 1,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
INSERT INTO alert_thresholds (id, error_rate_pct, avg_response_ms, slow_requests, active_sessions,
                              cooldown_s)
VALUES (1, 10, 2000, 50, 1000, 300);
