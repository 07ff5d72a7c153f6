-- Alerts (API.md "Operations"): raised in the transaction of what they report (an unapplied
-- payment, a dead job or webhook delivery), at most one per kind per cooldown — a repeat within
-- it only counts on the alert that fired — and sent, when alerts.notify_url is set, by an
-- 'alert_notify' job enqueued in the same transaction.
CREATE TABLE alerts (
  id         text PRIMARY KEY,  -- alr_<ULID>: ordered by time
  kind       text NOT NULL,
  severity   text NOT NULL CHECK (severity IN ('warning', 'critical')),
  message    text NOT NULL,
  details    jsonb NOT NULL DEFAULT '{}'::jsonb,
  suppressed integer NOT NULL DEFAULT 0,  -- repeats held back by the cooldown
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alerts_kind_created ON alerts (kind, created_at DESC);
CREATE INDEX alerts_id_desc ON alerts (id DESC);
