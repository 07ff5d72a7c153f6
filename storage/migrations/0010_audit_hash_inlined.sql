-- audit_row_hash was declared IMMUTABLE but calls to_char (STABLE), so PostgreSQL never
-- inlined it and set up a SQL-function call for every audit row written (≈ 8 % of the
-- database's CPU in a create-heavy profile). STABLE is what it is; the body and so every hash
-- stay the same, and the planner now inlines it into the INSERT.
ALTER FUNCTION audit_row_hash(bytea, text, text, text, text, timestamptz, jsonb) STABLE;
