-- Who is working on a run: the job sending it renews held_until every third of Jobs:DeliveryLease while it is alive. A run
-- with open rows whose hold has run out has no live job (its worker died), and the sweep enqueues one for it at once
-- instead of waiting for Hangfire's invisibility timeout. A request that creates a run holds it until its job starts.
alter table mail_runs add column held_until timestamptz;
