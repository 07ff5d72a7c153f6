-- The PostgreSQL-only equivalents of billd's writes (bench/run): copies of billd's own tables
-- (same columns, defaults, checks and indexes; no foreign keys) in billd's database.
DROP TABLE IF EXISTS pgb_bills, pgb_jobs, pgb_audit, pgb_idem, pgb_payments;
DROP SEQUENCE IF EXISTS pgb_seq;
CREATE SEQUENCE pgb_seq;
CREATE TABLE pgb_bills (LIKE bills INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES);
CREATE TABLE pgb_jobs (LIKE jobs INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES);
CREATE TABLE pgb_audit (LIKE audit_log INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES);
CREATE TABLE pgb_idem (LIKE idempotency_keys INCLUDING DEFAULTS INCLUDING CONSTRAINTS
                       INCLUDING INDEXES);
CREATE TABLE pgb_payments (LIKE payments INCLUDING DEFAULTS INCLUDING CONSTRAINTS
                           INCLUDING INDEXES);
-- 1000 issued bills for payment.sql to pay, as billd-bench's payment scenario has.
INSERT INTO pgb_bills (id, status, amount, currency, currency_exponent, description, due_date,
                       expires_at, payer_name, payer_phone, control_number, created_by)
SELECT 'pgbp_' || g, 'issued', 100000000, 'TZS', 2, 'Bench bill', '2099-12-31', '2100-01-01',
       'Bench Payer', '+255712345678', 'CN' || g, 'usr_bench'
FROM generate_series(1, 1000) g;
-- Only these: a plain ANALYZE also recorded billd's own tables as empty, and every billd
-- backend then checked bills' foreign keys with a sequential scan of bills until autovacuum
-- analyzed them again (a create-only run fell from ~3 900 to ~1 000/s at 16 connections).
ANALYZE pgb_bills, pgb_jobs, pgb_audit, pgb_idem, pgb_payments;
