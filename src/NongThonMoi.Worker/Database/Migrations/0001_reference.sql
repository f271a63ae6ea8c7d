-- Reference data: loaded from config/ by sync-reference; the files are the source of truth.

create table units (
    code            text primary key,
    name            text not null,
    level           text not null check (level in ('province', 'district', 'commune')),
    parent_code     text references units (code) deferrable initially deferred,
    region          text,
    flags           text[] not null default '{}',
    commune_group   smallint check (commune_group between 1 and 3),
    active          boolean not null default true
);
create index units_parent on units (parent_code);

create table criteria_sets (
    id              text primary key,
    title           text not null,
    legal_basis     text not null,
    year_from       int not null,
    year_to         int not null,
    statuses        text[] not null,
    bands           jsonb not null,
    definition      jsonb not null,
    check (year_from <= year_to)
);

create table criteria (
    set_id          text not null references criteria_sets (id) on delete cascade,
    number          smallint not null,
    name            text not null,
    group_number    smallint,
    primary key (set_id, number)
);

create table targets (
    year            int not null,
    scope           text not null,          -- 'province' or a reporting unit's code
    key             text not null,          -- new_standard, total_standard, advanced, model, avg_criteria
    value           numeric not null,
    primary key (year, scope, key)
);

create table committees (
    id              text primary key,
    name            text not null,
    scope           text not null,          -- 'province' or a reporting unit's code
    reminders       boolean not null default false,
    active          boolean not null default true
);

create table committee_members (
    committee_id    text not null references committees (id) on delete cascade,
    email           text not null,
    name            text not null,
    primary key (committee_id, email)
);

create table data_elements (
    code            text primary key,
    name            text not null,
    unit            text not null,
    active          boolean not null default true
);
