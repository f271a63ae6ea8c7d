-- Administrative changes (issue 17): a commune's history is read by its code across submissions of different units
-- (a district before the 2025 reform, the commune itself after it), and a merged unit's figures by its predecessors' codes.
create index submission_communes_commune on submission_communes (commune_code);
create index current_submissions_submission on current_submissions (submission_id);
