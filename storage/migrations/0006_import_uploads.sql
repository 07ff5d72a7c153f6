-- Streamed CSV uploads: an import job is 'uploading' while its rows arrive and becomes 'queued'
-- only once the whole file is stored; the jobs actor never leases an 'uploading' job, and the
-- maintenance actor deletes uploads that a crash or a lost client left behind.
ALTER TABLE jobs DROP CONSTRAINT jobs_status_known;
ALTER TABLE jobs ADD CONSTRAINT jobs_status_known
  CHECK (status IN ('uploading', 'queued', 'running', 'waiting', 'done', 'dead', 'cancelled'));
CREATE INDEX jobs_uploading ON jobs (created_at) WHERE status = 'uploading';
