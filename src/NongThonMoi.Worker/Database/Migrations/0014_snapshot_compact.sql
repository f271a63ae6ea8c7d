-- A national snapshot took 127 KB per row (issue 18 asks for at most 50 KB): its API JSON 93 KB after TOAST's pglz, and
-- its ~2,100 submission ids 34 KB (random UUIDs do not compress). With the columns below it takes 47 KB (the bench's
-- recompute line). Snapshots stored before this script keep their columns and are read from them as before
-- (SnapshotRepository); new ones fill the compact columns instead.

-- A short key per submission, for snapshots to reference it by. Adding it rewrites the table once, numbering the rows
-- already stored: 2.2 s with the unique index on a synthetic table of 182,000 rows with 1.1 KB bodies (260 MB: five years
-- of weekly national reports; PostgreSQL 15 on the bench's machine). bigint: every body that reaches validation takes a
-- number, refused ones too.
alter table submissions add column seq bigint generated always as identity;
alter table submissions add constraint submissions_seq_key unique (seq);

-- The API JSON compressed with Brotli (UTF-8 bytes; SnapshotRepository.SaveAsync): 46 KB of the national bench's 1.1 MB
-- of JSON where pglz made 93 KB. Decompressed it is the same text, which GET /api/indicators returns as stored.
alter table snapshots alter column payload drop not null;
alter table snapshots add column payload_br bytea;
-- Already compressed: TOAST need not try again (it would only spend the time), only move it out of line.
alter table snapshots alter column payload_br set storage external;
alter table snapshots add constraint snapshots_one_payload check ((payload is null) <> (payload_br is null));

-- The submissions used, by their keys: ascending, each stored as its difference from the one before (the first as
-- itself). A snapshot's keys are a few runs of nearly consecutive numbers (a period's submissions arrive together), so
-- the differences are mostly small and repeat, which TOAST's pglz makes a few hundred bytes of, where ~2,100 ascending
-- bigints stayed 6.8 KB. Computed in the insert from the ids (one round trip); read back with a running sum
-- (SnapshotRepository.KeysOfRow). commune_sources and derived_rows still give 1-based positions in the snapshot's
-- submission ids, sorted as PostgreSQL sorts uuids (`order by id`) so that the list is rebuilt from the keys alone; rows
-- stored before keep their submission_ids, whose positions are those of that array as stored.
alter table snapshots alter column submission_ids drop not null;
alter table snapshots add column submission_key_deltas bigint[];
alter table snapshots add constraint snapshots_one_submission_list check ((submission_ids is null) <> (submission_key_deltas is null));

-- commune_sources packed (SnapshotRepository.PackSources: zigzag varints, Brotli), with the same entries: a district's
-- communes repeat one entry, runs that Brotli keeps in 1.1 KB nationally where pglz kept the int[] in 3.1 KB. Rows
-- stored before keep their commune_sources; a snapshot that copied its rows (before migration 0011) has neither.
alter table snapshots add column commune_sources_br bytea;
alter table snapshots add constraint snapshots_one_commune_sources check (commune_sources is null or commune_sources_br is null);
