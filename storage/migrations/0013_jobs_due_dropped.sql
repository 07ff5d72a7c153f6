-- Jobs are leased per kind through jobs_kind_due (0009). jobs_due, on run_after alone, served
-- no statement any more, but the planner still chose it for the lease: a prepared statement's
-- generic plan cannot see which kind it asks for, so once ANALYZE knew of a backlog of one kind
-- (control numbers while no gateway answers), asking for another kind walked the whole backlog
-- in run_after order to find nothing: 270 000 queued jobs, 30 000 buffers and 45-90 ms a lease,
-- every poll. Without it the lease reads only the due jobs of the kinds it asks for, and every
-- new job has one index fewer to write.
DROP INDEX jobs_due;
