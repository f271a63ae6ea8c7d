using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace NongThonMoi.Infrastructure.Security;

/// <summary>HTTP Basic against <c>Admin:User</c>/<c>Admin:Password</c>, compared in constant time, for every address.</summary>
internal sealed class BasicAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IOptions<AdminOptions> admin,
    LoginThrottle throttle)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Basic";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return Task.FromResult(AuthenticateResult.NoResult());
        string decoded;
        try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim())); }
        catch (FormatException) { return Task.FromResult(AuthenticateResult.Fail("malformed Basic header")); }
        var colon = decoded.IndexOf(':');
        if (colon < 0) return Task.FromResult(AuthenticateResult.Fail("malformed Basic header"));
        var (user, password) = (decoded[..colon], decoded[(colon + 1)..]);
        if (throttle.IsBlocked(Context, LoginThrottle.User(user)))
        {
            LoginThrottle.MarkThrottled(Context);
            return Task.FromResult(AuthenticateResult.Fail("too many failed logins"));
        }
        if (!PasswordCheck.Matches(user, password, admin.Value))
        {
            throttle.RecordFailure(Context, LoginThrottle.User(user));
            return Task.FromResult(AuthenticateResult.Fail("wrong admin login"));
        }
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user), new Claim(ClaimTypes.Role, Roles.Admin)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (await LoginThrottle.ChallengeIfThrottledAsync(Context)) return;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Basic realm=\"NongThonMoi\", charset=\"UTF-8\"";
    }
}

internal static class PasswordCheck
{
    /// <summary>
    /// Hashing both sides first makes the comparison constant-time whatever the lengths. With <c>Admin:PasswordHash</c>
    /// the password is checked against the PBKDF2 hash (also compared in constant time), and a plain password is ignored.
    /// </summary>
    public static bool Matches(string user, string password, AdminOptions admin)
    {
        var userOk = CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(user)), SHA256.HashData(Encoding.UTF8.GetBytes(admin.User)));
        if (!string.IsNullOrWhiteSpace(admin.PasswordHash))
            return (admin.ParsedHash?.Matches(password) ?? false) & userOk;
        var passwordOk = admin.Password is { Length: > 0 } expected &&
            CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(password)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
        return userOk & passwordOk;
    }
}
