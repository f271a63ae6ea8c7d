-- A strictly increasing number for every change of the figures' input (a submission becoming current).
-- It replaces the time-based mark: two submissions can share an instant (one clock tick, or a test's fixed
-- clock) and two workers' clocks differ, so "nothing newer than the last snapshot" could skip a real change.
create sequence input_changes;
alter table current_submissions add column change_seq bigint not null default nextval('input_changes');
alter table snapshots add column input_seq bigint;
alter table snapshots drop column input_mark;
create index snapshots_period_seq on snapshots (period, input_seq desc nulls last, id desc);
