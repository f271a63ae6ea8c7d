using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace NongThonMoi.Infrastructure.Security;

/// <summary>A district's submission token (<c>Authorization: Bearer …</c>), looked up by its hash.</summary>
internal sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ITokenLookup tokens, LoginThrottle throttle)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var token = header[7..].Trim();
        if (throttle.IsBlocked(Context, LoginThrottle.Code(token)))
        {
            LoginThrottle.MarkThrottled(Context);
            return AuthenticateResult.Fail("too many failed logins");
        }
        if (await tokens.FindAsync(token, Context.RequestAborted) is not { } found)
        {
            throttle.RecordFailure(Context, LoginThrottle.Code(token));
            return AuthenticateResult.Fail("unknown or revoked token");
        }
        var identity = new ClaimsIdentity([
            new Claim(ClaimTypes.Name, $"unit {found.UnitCode}"),
            new Claim(ClaimTypes.Role, Roles.District),
            new Claim(Roles.UnitClaim, found.UnitCode),
            new Claim(Roles.TokenClaim, found.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (await LoginThrottle.ChallengeIfThrottledAsync(Context)) return;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer realm=\"NongThonMoi\"";
    }
}
