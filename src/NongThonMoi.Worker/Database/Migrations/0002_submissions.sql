-- District submissions: every body that reaches validation is archived with its outcome, in one transaction.

create table submission_tokens (
    id              bigserial primary key,
    unit_code       text not null references units (code),
    token_hash      bytea not null unique,  -- SHA-256 of the token; the token itself is shown once and never stored
    created_at      timestamptz not null,
    revoked_at      timestamptz
);
create index submission_tokens_unit on submission_tokens (unit_code) where revoked_at is null;

create table submissions (
    id              uuid primary key,
    unit_code       text not null,
    period          text not null,
    received_at     timestamptz not null,
    sha256          text not null,
    body            bytea not null,          -- verbatim, as received
    content_type    text not null,
    format          text not null check (format in ('json', 'csv', 'xlsx')),
    submitted_by    text not null,           -- 'admin' or 'token:<id>'
    token_id        bigint references submission_tokens (id),
    status          text not null check (status in ('accepted', 'rejected')),
    http_status     int not null,
    late            boolean not null default false,
    errors          jsonb not null default '[]',
    warnings        jsonb not null default '[]',
    -- The same body for the same unit and period is one submission: a repeat gets the first answer back.
    unique (unit_code, period, sha256)
);
create index submissions_period on submissions (period, unit_code);

-- What an accepted submission says, one row per commune.
create table submission_communes (
    submission_id   uuid not null references submissions (id),
    commune_code    text not null,
    status          text not null,
    recognized_year int,
    criteria_met    smallint[] not null,
    criteria_count  smallint not null,
    indicators      jsonb,
    primary key (submission_id, commune_code)
);

create table submission_data (
    submission_id   uuid not null references submissions (id),
    element_code    text not null,
    value           numeric not null check (value >= 0),
    primary key (submission_id, element_code)
);

-- The accepted submission that counts for (unit, period): the newest one received.
create table current_submissions (
    unit_code       text not null,
    period          text not null,
    submission_id   uuid not null references submissions (id),
    received_at     timestamptz not null,
    late            boolean not null,
    primary key (unit_code, period)
);
create index current_submissions_period on current_submissions (period);
