-- Foundation schema: users, sessions, bills, idempotency keys, durable jobs, audit.
-- Money is BIGINT minor units; ids are time-sortable text (bil_…, usr_…).

CREATE TABLE users (
  id            text PRIMARY KEY,
  username      text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  role          text NOT NULL CHECK (role IN ('admin', 'clerk', 'viewer')),
  disabled      boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
  token_hash   bytea PRIMARY KEY,
  user_id      text NOT NULL REFERENCES users(id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  last_used_at timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz
);
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE bills (
  id             text PRIMARY KEY,
  status         text NOT NULL CHECK (status IN ('pending', 'issued', 'partially_paid', 'paid',
                                                 'cancelled', 'expired', 'failed')),
  amount         bigint NOT NULL CHECK (amount > 0 AND amount < 10000000000000),
  paid_amount    bigint NOT NULL DEFAULT 0 CHECK (paid_amount >= 0),
  currency       text NOT NULL,
  currency_exponent smallint NOT NULL CHECK (currency_exponent BETWEEN 0 AND 4),
  description    text NOT NULL,
  due_date       date NOT NULL,
  expires_at     timestamptz NOT NULL,
  reference      text,
  payer_name     text NOT NULL,
  payer_phone    text NOT NULL,
  payer_email    text,
  control_number text UNIQUE,
  failure_reason text,
  created_by     text NOT NULL REFERENCES users(id),
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  version        bigint NOT NULL DEFAULT 1
);
-- Keyset pagination walks id DESC; each filter has an index that serves that walk.
CREATE INDEX bills_status_id ON bills (status, id DESC);
CREATE INDEX bills_payer_phone_id ON bills (payer_phone, id DESC);
CREATE INDEX bills_reference_id ON bills (reference, id DESC) WHERE reference IS NOT NULL;
CREATE INDEX bills_created_at ON bills (created_at);
CREATE INDEX bills_created_by ON bills (created_by);

CREATE TABLE idempotency_keys (
  user_id     text NOT NULL,
  key         text NOT NULL,
  fingerprint bytea NOT NULL,
  kind        smallint NOT NULL DEFAULT 0,  -- 0: success (status/body); else the error kind
  status      integer NOT NULL,
  body        text NOT NULL,                -- success body, or the error's detail
  location    text,
  etag        text,
  field       text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);

-- Durable background work, committed with the change that needs it.
CREATE TABLE jobs (
  id           text PRIMARY KEY,
  kind         text NOT NULL,
  bill_id      text REFERENCES bills(id),
  owner_id     text REFERENCES users(id),
  status       text NOT NULL DEFAULT 'queued',
  payload      jsonb NOT NULL DEFAULT '{}'::jsonb,
  attempt      integer NOT NULL DEFAULT 0,
  run_after    timestamptz NOT NULL DEFAULT now(),
  locked_until timestamptz,
  fence        bigint NOT NULL DEFAULT 0,
  last_error   text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_due ON jobs (run_after) WHERE status IN ('queued', 'running');
CREATE INDEX jobs_bill_id ON jobs (bill_id);
CREATE INDEX jobs_owner_id ON jobs (owner_id);

CREATE TABLE audit_log (
  id          bigserial PRIMARY KEY,
  entity_type text NOT NULL,
  entity_id   text NOT NULL,
  action      text NOT NULL,
  actor       text NOT NULL,
  at          timestamptz NOT NULL DEFAULT now(),
  changes     jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id, id);
CREATE INDEX audit_log_at ON audit_log (at);
