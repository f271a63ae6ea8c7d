-- Administrative changes (issue 17): units.csv may list every version of every unit with its validity, and mergers.csv
-- says which old unit became part of which new one. `units` keeps one row per code (its newest version) because
-- submissions and snapshots reference codes; `unit_versions` holds every version, so the unit list of any day can be read.
create table unit_versions (
    code            text not null references units (code),
    valid_from      date,
    valid_to        date,
    name            text not null,
    level           text not null check (level in ('province', 'district', 'commune')),
    parent_code     text references units (code) deferrable initially deferred,
    region          text,
    flags           text[] not null default '{}',
    commune_group   smallint check (commune_group between 1 and 3),
    check (valid_from is null or valid_to is null or valid_from <= valid_to)
);
-- Null is an open start; one version of a code per start (overlaps are refused by the loader, with file and line).
create unique index unit_versions_code_from on unit_versions (code, coalesce(valid_from, '-infinity'::date));

-- Databases synced before this migration: their units become one open version each, until the next sync rewrites them.
insert into unit_versions (code, name, level, parent_code, region, flags, commune_group)
select code, name, level, parent_code, region, flags, commune_group from units where active;

create table mergers (
    effective       date not null,
    old_code        text not null references units (code),
    new_code        text not null references units (code),
    primary key (effective, old_code, new_code)
);
create index mergers_new on mergers (new_code, effective);
