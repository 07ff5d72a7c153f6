-- Jobs are leased per kind (storage/job_store.cpp): each kind's due jobs in run_after order
-- from this index, so a backlog of one kind (control numbers while no gateway is configured,
-- or while it is down) neither slows nor starves the lease of the others.
CREATE INDEX jobs_kind_due ON jobs (kind, run_after) WHERE status IN ('queued', 'running', 'waiting');
