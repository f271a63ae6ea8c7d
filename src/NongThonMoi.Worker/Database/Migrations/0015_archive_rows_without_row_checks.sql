-- A submission's commune rows, data and "current" pointer are written by one statement together with the submission itself
-- (SubmissionStore.SaveAsync), each row taking the id that statement just inserted, and nothing deletes a submission: the
-- archive only grows. Their foreign keys to submissions could not catch anything that statement can do, yet PostgreSQL checks
-- them row by row, each check an index look-up and a row lock on the submission: 57,150 checks (1.4 s of the server's time,
-- 0.33 ms per submission) in the national deadline-rush benchmark, ~13 per submission (pg_stat_statements, BENCHMARKS.md).
-- The references to units and to the access code that sent it stay: those rows are written elsewhere.
alter table submission_communes drop constraint submission_communes_submission_id_fkey;
alter table submission_data drop constraint submission_data_submission_id_fkey;
alter table current_submissions drop constraint current_submissions_submission_id_fkey;
