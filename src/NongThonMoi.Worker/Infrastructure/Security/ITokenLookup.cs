namespace NongThonMoi.Infrastructure.Security;

/// <summary>A live access token (mã truy cập) of one reporting unit.</summary>
public sealed record TokenRecord(long Id, string UnitCode);

/// <summary>
/// How the security plumbing learns whether a presented token is live and whose it is. Declared here, where it is
/// needed; implemented by the capability that issues the tokens (Submissions), so plumbing knows no capability.
/// </summary>
public interface ITokenLookup
{
    /// <summary>The live token's record, or null for an unknown or revoked one.</summary>
    Task<TokenRecord?> FindAsync(string token, CancellationToken ct);
}
