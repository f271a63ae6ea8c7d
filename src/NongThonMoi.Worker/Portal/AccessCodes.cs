using Dapper;
using NongThonMoi.Submissions;
using Npgsql;

namespace NongThonMoi.Portal;

/// <summary>An access code as the admin's list shows it; the code itself is never stored, only its hash.</summary>
public sealed record AccessCode(long Id, string UnitCode, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

/// <summary>The portal's side of the access codes (mã truy cập): the list, one code's revocation, a session's check.</summary>
public sealed class AccessCodes(NpgsqlDataSource dataSource, TimeProvider clock, TokenCache cache)
{
    /// <summary>Live, and notes the use (at most every few minutes, like the API's lookup).</summary>
    public async Task<bool> IsLiveAsync(long id, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            with t as (select id from submission_tokens where id = @id and revoked_at is null),
            used as (update submission_tokens s set last_used_at = @now from t
                     where s.id = t.id and (s.last_used_at is null or s.last_used_at < @stale))
            select count(*) from t
            """, new { id, now, stale = now - TokenService.LastUsedGranularity }, cancellationToken: ct)) > 0;
    }

    public async Task<List<AccessCode>> ListAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<AccessCode>(new CommandDefinition("""
            select id, unit_code, created_at, last_used_at, revoked_at from submission_tokens
            order by revoked_at is not null, unit_code, created_at desc
            limit 2000
            """, cancellationToken: ct))).ToList();
    }

    /// <summary>Revokes one code (a unit may hold several: one per office or person); its sessions end at their next request.</summary>
    public async Task<bool> RevokeAsync(long id, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var revoked = await connection.ExecuteAsync(new CommandDefinition(
            "update submission_tokens set revoked_at = @now where id = @id and revoked_at is null",
            new { id, now = clock.GetUtcNow() }, cancellationToken: ct)) > 0;
        cache.Clear(); // at once here; other workers hear it from the database (migration 0012)
        return revoked;
    }
}
