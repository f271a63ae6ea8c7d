using System.Security.Cryptography;
using System.Text;
using Dapper;
using NongThonMoi.Infrastructure.Security;
using Npgsql;

namespace NongThonMoi.Submissions;

/// <summary>
/// District submission tokens (mã truy cập nộp báo cáo): 256 random bits, shown once, stored as a SHA-256 hash,
/// valid for one reporting unit until revoked.
/// </summary>
public sealed class TokenService(NpgsqlDataSource dataSource, TimeProvider clock, TokenCache cache) : ITokenLookup
{
    private const string Prefix = "ntm_";

    public async Task<string> CreateAsync(string unitCode, CancellationToken ct)
    {
        var token = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "insert into submission_tokens (unit_code, token_hash, created_at) values (@unitCode, @hash, @now)",
            new { unitCode, hash = Hash(token), now = clock.GetUtcNow() }, cancellationToken: ct));
        return token;
    }

    /// <summary>Revokes every live token of the unit; returns how many.</summary>
    public async Task<int> RevokeAsync(string unitCode, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var count = await connection.ExecuteAsync(new CommandDefinition(
            "update submission_tokens set revoked_at = @now where unit_code = @unitCode and revoked_at is null",
            new { unitCode, now = clock.GetUtcNow() }, cancellationToken: ct));
        cache.Clear(); // at once here; other workers hear it from the database (migration 0012)
        return count;
    }

    public async Task<TokenRecord?> FindAsync(string token, CancellationToken ct)
    {
        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length > 100) return null;
        var hash = Hash(token);
        var key = Convert.ToBase64String(hash);
        if (cache.Find(key) is { } known) return known;
        var generation = cache.Generation;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        // One round trip that also notes when the code was last used, at most every few minutes (a write per request
        // would cost the deadline rush a row version per call). A cached code is asked again every TokenCache.Lifetime,
        // well within that granularity, so "last used" stays as true as before.
        var now = clock.GetUtcNow();
        var found = await connection.QuerySingleOrDefaultAsync<TokenRecord>(new CommandDefinition("""
            with t as (select id, unit_code from submission_tokens where token_hash = @hash and revoked_at is null),
            used as (update submission_tokens s set last_used_at = @now from t
                     where s.id = t.id and (s.last_used_at is null or s.last_used_at < @stale))
            select id, unit_code from t
            """, new { hash, now, stale = now - LastUsedGranularity }, cancellationToken: ct));
        if (found is not null) cache.Add(key, found, generation);
        return found;
    }

    /// <summary>How stale the "last used" time of a code may be.</summary>
    public static readonly TimeSpan LastUsedGranularity = TimeSpan.FromMinutes(5);

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
