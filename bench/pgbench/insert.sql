-- One bill row, one transaction: pgbench's "single-row insert" on billd's bills table shape.
INSERT INTO pgb_bills (id, status, amount, currency, currency_exponent, description, due_date,
  expires_at, reference, payer_name, payer_phone, created_by)
VALUES ('pgb_' || nextval('pgb_seq'), 'pending', 100000, 'TZS', 2, 'Bench bill', '2099-12-31',
  '2100-01-01', 'bench-ref', 'Bench Payer', '+255712345678', 'usr_bench');
