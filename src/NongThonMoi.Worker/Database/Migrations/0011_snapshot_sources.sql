-- Snapshots reference the submission rows they used instead of copying every commune's row (issue 18): nationally the
-- copy was ~1.1 MB of JSON per snapshot, written by every recompute and read by every bulletin. The few readers of the
-- commune rows (bulletins, the preview) rebuild them from submission_communes (SnapshotRepository.CommunesAsync).
-- Snapshots stored before keep their communes JSON and are read from it as before.
alter table snapshots alter column communes drop not null;
-- One entry per commune of the snapshot's unit list (the reference's communes on its boundaries day, in the calculator's
-- order): the 1-based position in submission_ids of the submission whose row of that commune the figures used; 0 when the
-- commune had no data; -k for the k-th entry of derived_rows (a row inherited through a merger).
alter table snapshots add column commune_sources int[];
-- Only the communes whose row was derived through a merger (few, often none): the predecessors' codes, the rule that
-- combined them and the rows combined, as {"rule", "rows": [{"derived_from", "codes", "sources"}]}; null when none.
alter table snapshots add column derived_rows jsonb;
