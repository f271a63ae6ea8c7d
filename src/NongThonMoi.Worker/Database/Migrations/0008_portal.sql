-- The district portal (README, "Cho đơn vị báo cáo").
-- The admin's list of access codes says when each was last used (API call or portal session), so a code nobody uses
-- any more can be revoked with confidence. Written at most every few minutes per code, not on every request.
alter table submission_tokens add column last_used_at timestamptz;

-- The keys that sign the portal's session cookies and anti-forgery tokens (ASP.NET Core data protection), shared by
-- every worker and kept across restarts. They protect sessions, not data: losing them only signs people out.
-- "if not exists": the worker may have made it already (Portal/PortalKeys.cs), data protection being read at host start.
create table if not exists data_protection_keys (
    name        text primary key,
    xml         text not null,
    created_at  timestamptz not null default now()
);
