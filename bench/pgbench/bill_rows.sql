-- The rows billd writes for one created bill (bill, control-number job, audit row, stored
-- Idempotency-Key response), each in its own transaction, as a naive service would.
INSERT INTO pgb_bills (id, status, amount, currency, currency_exponent, description, due_date,
  expires_at, reference, payer_name, payer_phone, created_by)
VALUES ('pgb_' || nextval('pgb_seq'), 'pending', 100000, 'TZS', 2, 'Bench bill', '2099-12-31',
  '2100-01-01', 'bench-ref', 'Bench Payer', '+255712345678', 'usr_bench');
INSERT INTO pgb_jobs (id, kind, bill_id, payload)
VALUES ('job_' || currval('pgb_seq'), 'control_number', 'pgb_' || currval('pgb_seq'), '{}');
INSERT INTO pgb_audit (entity_type, entity_id, action, actor, at, changes, hash)
VALUES ('bill', 'pgb_' || currval('pgb_seq'), 'create', 'usr_bench', now(),
  '{"amount":{"after":"1000.00"},"status":{"after":"pending"}}',
  sha256(convert_to('pgb_' || currval('pgb_seq'), 'UTF8')));
INSERT INTO pgb_idem (user_id, key, fingerprint, status, body)
VALUES ('usr_bench', 'key-' || currval('pgb_seq'), '\x00', 201,
  '{"id":"pgb","status":"pending","amount":"1000.00","currency":"TZS"}');
