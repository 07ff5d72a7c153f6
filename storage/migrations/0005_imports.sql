-- CSV imports: the rows of an uploaded file wait here (already split into fields) until the
-- import job turns them into bills, a batch per transaction; progress lives in jobs.payload.
CREATE TABLE import_rows (
  job_id text NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  row_no integer NOT NULL,  -- 1 = the first row after the header
  fields jsonb NOT NULL,    -- the 8 import columns in API.md order
  PRIMARY KEY (job_id, row_no)
);
