-- Audit rows hash-chained per entity, sealed by periodic global checkpoints.
-- hash = sha256(prev_hash || canonical text of the row); the canonical text is
-- entity_type, entity_id, action, actor, at (UTC, microseconds) and changes (jsonb text),
-- separated by U+001F. One function computes it, for writers and the verifier alike.

ALTER TABLE audit_log ADD COLUMN prev_hash bytea;
ALTER TABLE audit_log ADD COLUMN hash bytea;

CREATE FUNCTION audit_row_hash(prev bytea, entity_type text, entity_id text, action text,
                               actor text, at timestamptz, changes jsonb) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
  SELECT sha256(coalesce(prev, ''::bytea) || convert_to(
    entity_type || chr(31) || entity_id || chr(31) || action || chr(31) || actor || chr(31) ||
    to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || chr(31) || changes::text,
    'UTF8'))
$$;

-- Chain the rows written before this migration, oldest first.
DO $$
DECLARE r record; prev bytea;
BEGIN
  FOR r IN SELECT * FROM audit_log ORDER BY entity_type, entity_id, id LOOP
    SELECT hash INTO prev FROM audit_log
      WHERE entity_type = r.entity_type AND entity_id = r.entity_id AND id < r.id
      ORDER BY id DESC LIMIT 1;
    UPDATE audit_log SET prev_hash = prev,
      hash = audit_row_hash(prev, r.entity_type, r.entity_id, r.action, r.actor, r.at, r.changes)
      WHERE id = r.id;
  END LOOP;
END $$;

ALTER TABLE audit_log ALTER COLUMN hash SET NOT NULL;

-- Each checkpoint covers the audit rows with last_id of the previous one < id <= last_id:
-- hash = sha256(previous checkpoint hash || the row hashes in id order).
CREATE TABLE audit_checkpoints (
  id         bigserial PRIMARY KEY,
  first_id   bigint NOT NULL,
  last_id    bigint NOT NULL,
  rows       bigint NOT NULL,
  hash       bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_actor_id ON audit_log (actor, id);
