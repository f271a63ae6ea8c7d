-- The admin's list of access codes says when each was last used (API call or portal session), so a code nobody uses
-- any more can be revoked with confidence. Written at most every few minutes per code, not on every request.
alter table submission_tokens add column last_used_at timestamptz;
