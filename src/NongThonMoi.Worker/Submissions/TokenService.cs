using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;
using NongThonMoi.Infrastructure.Security;

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
        return await connection.QuerySingleOrDefaultAsync<TokenRecord>(new CommandDefinition(
            "select id, unit_code from submission_tokens where token_hash = @hash and revoked_at is null",
            new { hash = Hash(token) }, cancellationToken: ct));
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
