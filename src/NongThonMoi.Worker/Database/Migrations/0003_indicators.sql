-- Indicator snapshots: each one stored with the submissions it used, so that a figure can be traced back.

create table snapshots (
    id              bigserial primary key,
    period          text not null,
    computed_at     timestamptz not null,
    criteria_set_id text not null,
    -- The newest accepted submission the computation saw: a later recompute with the same mark has nothing new.
    input_mark      timestamptz,
    submission_ids  uuid[] not null,
    payload         json not null,           -- json, not jsonb: keeps the order of bands; as GET /api/indicators returns them
    communes        json not null            -- each commune's row as the figures used it (for bulletins and tracing)
);
create index snapshots_period on snapshots (period, id desc);
