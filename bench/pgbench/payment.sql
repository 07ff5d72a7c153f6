-- One payment notification's transaction: the payment row, the bill's new paid amount, the
-- audit row, committed together.
\set b random(1, 1000)
BEGIN;
INSERT INTO pgb_payments (id, transaction_ref, fingerprint, control_number, bill_id, amount,
  currency, currency_exponent, outcome, paid_at, channel, response)
VALUES ('pay_' || nextval('pgb_seq'), 'ref-' || currval('pgb_seq'), '\x00', 'CN' || :b,
  'pgbp_' || :b, 100, 'TZS', 2, 'applied', now(), 'mobile', '{"outcome":"applied"}');
UPDATE pgb_bills SET paid_amount = paid_amount + 100, status = 'partially_paid',
  version = version + 1, updated_at = now() WHERE id = 'pgbp_' || :b;
INSERT INTO pgb_audit (entity_type, entity_id, action, actor, at, changes, hash)
VALUES ('bill', 'pgbp_' || :b, 'payment', 'gateway', now(), '{"paid_amount":{"after":"1.00"}}',
  sha256(convert_to('pgbp_' || :b, 'UTF8')));
COMMIT;
