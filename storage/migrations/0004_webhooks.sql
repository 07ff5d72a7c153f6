-- Merchant webhooks: subscriptions, an outbox of events written with the change, and one
-- delivery row per (subscription, event), leased like jobs.

CREATE TABLE webhooks (
  id         text PRIMARY KEY,
  url        text NOT NULL,
  events     text[] NOT NULL,
  secret_box bytea NOT NULL,  -- nonce || XSalsa20-Poly1305 ciphertext; never returned
  created_by text NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);

CREATE TABLE webhook_events (
  id         text PRIMARY KEY,
  type       text NOT NULL,
  bill_id    text,
  body       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_events_created_at ON webhook_events (created_at);

-- order_key is the bill (or the event itself): deliveries of one key to one webhook go out in
-- id order, each only once every earlier one was delivered or is dead.
CREATE TABLE webhook_deliveries (
  id              bigserial PRIMARY KEY,
  webhook_id      text NOT NULL REFERENCES webhooks(id),
  event_id        text NOT NULL REFERENCES webhook_events(id),
  order_key       text NOT NULL,
  status          text NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'delivered', 'dead')),
  attempt         integer NOT NULL DEFAULT 0,
  http_status     integer,
  last_error      text,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  locked_until    timestamptz,
  fence           bigint NOT NULL DEFAULT 0,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
  WHERE status = 'pending';
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (webhook_id, order_key, id)
  WHERE status = 'pending';
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id DESC);
