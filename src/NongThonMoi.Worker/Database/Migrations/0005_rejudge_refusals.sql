-- One stored copy per accepted body, as before; a refused body may be judged again when the context changed
-- (the admin sending what a district could not after a lock, a period that has since opened), and that new
-- judgement is archived beside the old one instead of being hidden behind it.
alter table submissions drop constraint submissions_unit_code_period_sha256_key;
create unique index submissions_one_accepted on submissions (unit_code, period, sha256) where status = 'accepted';
create index submissions_repeat on submissions (unit_code, period, sha256);
