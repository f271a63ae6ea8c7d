-- The merger mapping asks, for a commune code, for its newest row of a current submission within a window of periods.
-- Without the period on the row it stepped through every row the code ever had (five years of weekly reports), each
-- looked up in current_submissions: ~1 ms per window, 1.2–1.9 s for a national recompute across 175 merged communes
-- (BENCHMARKS.md). With the period copied here from its submission, one index step per row, newest first, finds it.
alter table submission_communes add column period text;
update submission_communes c set period = s.period from submissions s where s.id = c.submission_id;
alter table submission_communes alter column period set not null;
create index submission_communes_commune_period on submission_communes (commune_code, period desc);
-- The new index leads with the same column.
drop index submission_communes_commune;
