using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using NongThonMoi.Submissions;

namespace NongThonMoi.Infrastructure.Security;

public static class Roles
{
    public const string Admin = "admin";
    /// <summary>A reporting unit (đơn vị báo cáo) holding a submission token.</summary>
    public const string District = "district";
    public const string UnitClaim = "ntm:unit";
    public const string TokenClaim = "ntm:token";
}

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

/// <summary>A district's submission token (<c>Authorization: Bearer …</c>), looked up by its hash.</summary>
internal sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, TokenService tokens, LoginThrottle throttle)
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

public static class SecurityExtensions
{
    public const string AdminPolicy = "admin";
    public const string SubmitterPolicy = "submitter";
    private const string Selector = "ntm";

    /// <summary>The admin login is required only where there is something to log in to (serve, demo).</summary>
    public static WebApplicationBuilder AddSecurity(this WebApplicationBuilder builder, bool requireAdminPassword)
    {
        var admin = builder.Services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.Section);
        if (requireAdminPassword)
        {
            admin.ValidateOnStart();
            builder.Services.AddSingleton<IValidateOptions<AdminOptions>, AdminOptionsValidator>();
        }
        builder.Services.AddSingleton<TokenService>();
        builder.Services.AddSingleton<LoginThrottle>();
        builder.Services.AddAuthentication(Selector)
            .AddPolicyScheme(Selector, null, o => o.ForwardDefaultSelector = ctx =>
                ctx.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? TokenAuthenticationHandler.SchemeName : BasicAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BasicAuthenticationHandler>(BasicAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, p => p.RequireRole(Roles.Admin))
            .AddPolicy(SubmitterPolicy, p => p.RequireRole(Roles.Admin, Roles.District));
        return builder;
    }

    public static Submitter ToSubmitter(this ClaimsPrincipal user) =>
        user.IsInRole(Roles.Admin)
            ? Submitter.Admin
            : new Submitter(false, user.FindFirstValue(Roles.UnitClaim), long.Parse(user.FindFirstValue(Roles.TokenClaim)!, System.Globalization.CultureInfo.InvariantCulture));
}
