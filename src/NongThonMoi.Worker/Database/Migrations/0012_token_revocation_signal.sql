-- Access codes are looked up once and then kept for a few seconds by each worker (Submissions/TokenCache.cs), so that a
-- deadline rush does not read the same code from the database for every request. A revocation must still take effect at
-- once, however it is made (the `token revoke` verb in another process, the portal's admin page, plain SQL): every
-- revocation or deletion of a code tells every listening worker through NOTIFY, delivered when its transaction commits.
create function ntm_token_revoked() returns trigger language plpgsql as $$
begin
    perform pg_notify('ntm_token_revoked', old.id::text);
    return null;
end
$$;

create trigger submission_tokens_revoked after update of revoked_at on submission_tokens
    for each row when (new.revoked_at is not null and old.revoked_at is null) execute function ntm_token_revoked();

create trigger submission_tokens_deleted after delete on submission_tokens
    for each row execute function ntm_token_revoked();
