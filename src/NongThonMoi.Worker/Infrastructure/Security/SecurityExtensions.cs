using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace NongThonMoi.Infrastructure.Security;

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

}
