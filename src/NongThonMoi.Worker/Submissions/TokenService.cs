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
public sealed class TokenService(NpgsqlDataSource dataSource, TimeProvider clock) : ITokenLookup
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
        return await connection.ExecuteAsync(new CommandDefinition(
            "update submission_tokens set revoked_at = @now where unit_code = @unitCode and revoked_at is null",
            new { unitCode, now = clock.GetUtcNow() }, cancellationToken: ct));
    }

    public async Task<TokenRecord?> FindAsync(string token, CancellationToken ct)
    {
        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length > 100) return null;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        // One round trip that also notes when the code was last used, at most every few minutes (a write per request
        // would cost the deadline rush a row version per call).
        var now = clock.GetUtcNow();
        return await connection.QuerySingleOrDefaultAsync<TokenRecord>(new CommandDefinition("""
            with t as (select id, unit_code from submission_tokens where token_hash = @hash and revoked_at is null),
            used as (update submission_tokens s set last_used_at = @now from t
                     where s.id = t.id and (s.last_used_at is null or s.last_used_at < @stale))
            select id, unit_code from t
            """, new { hash = Hash(token), now, stale = now - LastUsedGranularity }, cancellationToken: ct));
    }

    /// <summary>How stale the "last used" time of a code may be.</summary>
    public static readonly TimeSpan LastUsedGranularity = TimeSpan.FromMinutes(5);

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
