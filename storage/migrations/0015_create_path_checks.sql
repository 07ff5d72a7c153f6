-- A create writes its bill, its control-number job and its audit row in one statement, for
-- a batch of bills at once. Two foreign keys on that path, bills.created_by -> users and
-- jobs.bill_id -> bills, each ran a query per row at the statement's end (SPI, a plan, an
-- index probe and a FOR KEY SHARE lock, which writes to the locked row and to the WAL): 15 % of
-- PostgreSQL's CPU in a create profile, the part of a create that waits in line. Neither can
-- catch anything on that path: a bill's creator is the user its token names, and a job's bill
-- is one the same statement inserted (or one locked in the job's transaction). What they also
-- guarded, a referenced row disappearing, is kept by refusing to delete bills and users at all:
-- billd never deletes either (audit rows, payments and callbacks name them for good).
ALTER TABLE jobs DROP CONSTRAINT jobs_bill_id_fkey;
ALTER TABLE bills DROP CONSTRAINT bills_created_by_fkey;

CREATE FUNCTION refuse_deletion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows are never deleted', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER bills_never_deleted BEFORE DELETE OR TRUNCATE ON bills
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_deletion();
CREATE TRIGGER users_never_deleted BEFORE DELETE OR TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_deletion();
