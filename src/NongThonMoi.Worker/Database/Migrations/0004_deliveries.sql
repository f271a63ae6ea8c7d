-- The delivery ledger: a row per recipient is written before anything is sent; sending is idempotent on it.

create table mail_runs (
    id              bigserial primary key,
    kind            text not null,           -- 'bulletin', 'reminder-before', 'reminder-overdue'
    period          text not null,
    copy            int not null default 0,  -- 0: the run; 1, 2, …: resends asked for by an admin
    snapshot_id     bigint references snapshots (id),
    created_at      timestamptz not null,
    unique (kind, period, copy)
);

create table deliveries (
    id              bigserial primary key,
    run_id          bigint not null references mail_runs (id),
    committee_id    text not null,
    scope           text not null,
    email           text not null,
    name            text not null,
    status          text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'failed')),
    attempts        int not null default 0,
    message_id      text not null unique,
    last_error      text,
    next_attempt_at timestamptz,
    claimed_until   timestamptz,
    created_at      timestamptz not null,
    sent_at         timestamptz,
    unique (run_id, committee_id, email)
);
create index deliveries_open on deliveries (run_id) where status in ('pending', 'sending');
