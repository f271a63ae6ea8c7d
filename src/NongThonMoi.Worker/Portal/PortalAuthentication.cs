using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using NongThonMoi.Infrastructure.Security;

namespace NongThonMoi.Portal;

/// <summary>
/// The portal's session: an HttpOnly cookie (SameSite=Lax, Secure whenever the request came over https) opened by an
/// access code or by the admin's sign-in form. The API never reads this cookie: its Bearer/Basic selection is untouched,
/// so a script without credentials still gets a 401 problem, and no cookie can carry a cross-site POST to the API.
/// </summary>
public static class PortalAuthentication
{
    public const string CookieScheme = "PortalCookie";

    /// <summary>The portal pages' scheme: the admin's HTTP Basic when the browser sends it, else the cookie.</summary>
    public const string Scheme = "Portal";

    public const string Policy = "portal";

    public const string CookieName = "ntm_phien";

    /// <summary>Where a session that was ended (revoked code, expired) lands, with a line saying why.</summary>
    public const string EndedPath = "/?het-phien=1";

    public static void AddPortalAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication()
            .AddCookie(CookieScheme, o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(8); // a working day
                o.SlidingExpiration = true;
                o.Events.OnValidatePrincipal = EndIfRevokedAsync;
                // No ReturnUrl in the address: the sign-in page is the home page.
                o.Events.OnRedirectToLogin = ctx => Redirect(ctx, EndedPath);
                o.Events.OnRedirectToAccessDenied = ctx => Redirect(ctx, "/");
            })
            .AddPolicyScheme(Scheme, null, o => o.ForwardDefaultSelector = ctx =>
                ctx.Request.Headers.Authorization.ToString().StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)
                    ? BasicAuthenticationHandler.SchemeName : CookieScheme);
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p.AddAuthenticationSchemes(Scheme).RequireRole(Roles.Admin, Roles.District));
    }

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> ctx, string to)
    {
        ctx.Response.Redirect(to);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A revoked code ends its sessions at their next request: one primary-key lookup per request, which is the price
    /// of "at once" (a cache would let a revoked clerk keep submitting until it expired).
    /// </summary>
    private static async Task EndIfRevokedAsync(CookieValidatePrincipalContext ctx)
    {
        var user = ctx.Principal;
        if (user is null || user.IsInRole(Roles.Admin)) return;
        var codes = ctx.HttpContext.RequestServices.GetRequiredService<AccessCodes>();
        if (long.TryParse(user.FindFirstValue(Roles.TokenClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            && await codes.IsLiveAsync(id, ctx.HttpContext.RequestAborted)) return;
        ctx.RejectPrincipal();
        await ctx.HttpContext.SignOutAsync(CookieScheme);
    }

    public static ClaimsPrincipal District(TokenRecord code) => new(new ClaimsIdentity([
        new Claim(ClaimTypes.Name, $"unit {code.UnitCode}"),
        new Claim(ClaimTypes.Role, Roles.District),
        new Claim(Roles.UnitClaim, code.UnitCode),
        new Claim(Roles.TokenClaim, code.Id.ToString(CultureInfo.InvariantCulture)),
    ], CookieScheme));

    public static ClaimsPrincipal Admin(string user) => new(new ClaimsIdentity([
        new Claim(ClaimTypes.Name, user),
        new Claim(ClaimTypes.Role, Roles.Admin),
    ], CookieScheme));
}
