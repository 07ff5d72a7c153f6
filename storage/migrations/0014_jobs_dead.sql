-- billd_jobs{status} is read on every /metrics scrape and every alert check (count_jobs in
-- storage/job_store.cpp). Queued, running and waiting jobs are found through jobs_kind_due,
-- but dead ones had no index, so each count read the whole table: finished jobs stay until
-- retention.jobs_days, and with 2 000 000 of them a scrape took 300-390 ms of both cores (a
-- parallel scan). Partial, so only dead jobs carry an entry: a new job, or one that ends done,
-- pays only the predicate.
CREATE INDEX jobs_dead ON jobs (kind) WHERE status = 'dead';
