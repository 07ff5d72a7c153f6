-- Payments, the payment-gateway log, and job states for the gateway exchange.

-- Every request and response of both gateway exchanges (API.md "The payment gateway side").
CREATE TABLE gateway_log (
  id          bigserial PRIMARY KEY,
  bill_id     text,  -- null when the exchange names no known bill
  req_type    text NOT NULL CHECK (req_type IN ('control_number', 'withdrawal', 'callback',
                                                'payment')),
  status      text NOT NULL,
  http_status integer,
  latency_ms  integer NOT NULL DEFAULT 0,
  attempt     integer NOT NULL DEFAULT 1,
  detail      text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX gateway_log_bill_type ON gateway_log (bill_id, req_type);
CREATE INDEX gateway_log_created_at ON gateway_log (created_at);

-- One row per transaction_ref, forever: the payer's money was collected, so a well-formed
-- notification is always recorded, applied or not.
CREATE TABLE payments (
  id                text PRIMARY KEY,
  transaction_ref   text NOT NULL UNIQUE,
  fingerprint       bytea NOT NULL,  -- SHA-256 of the canonical fields, for 409 on reuse
  control_number    text NOT NULL,
  bill_id           text REFERENCES bills(id),
  amount            bigint NOT NULL CHECK (amount > 0),
  currency          text NOT NULL,
  currency_exponent smallint NOT NULL CHECK (currency_exponent BETWEEN 0 AND 4),
  outcome           text NOT NULL CHECK (outcome IN ('applied', 'overpaid', 'unapplied')),
  credit            bigint NOT NULL DEFAULT 0 CHECK (credit >= 0),
  reason            text,           -- why it was not applied
  paid_at           timestamptz NOT NULL,
  channel           text NOT NULL,
  payer_phone       text,
  response          text NOT NULL,  -- the 200 body, replayed for duplicates
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_bill_id ON payments (bill_id, id);
CREATE INDEX payments_outcome_id ON payments (outcome, id DESC);
CREATE INDEX payments_paid_at ON payments (paid_at);
CREATE INDEX payments_id_desc ON payments (id DESC);

-- Job states: queued → running → done | waiting (a 202, until the callback) | dead | cancelled.
ALTER TABLE jobs ADD CONSTRAINT jobs_status_known
  CHECK (status IN ('queued', 'running', 'waiting', 'done', 'dead', 'cancelled'));
DROP INDEX jobs_due;
CREATE INDEX jobs_due ON jobs (run_after) WHERE status IN ('queued', 'running', 'waiting');
