using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.WebEncoders;

namespace NongThonMoi.Portal;

/// <summary>
/// The district portal (README, "Cho đơn vị báo cáo"): server-rendered Razor Pages at the root of <c>Web:Urls</c>, for the people who
/// report. Pages live beside this file (<c>RootDirectory = /Portal</c>); the session is <see cref="PortalAuthentication"/>.
/// </summary>
public static class PortalExtensions
{
    public static WebApplicationBuilder AddPortal(this WebApplicationBuilder builder)
    {
        builder.Services.AddPortalAuthentication();
        PortalKeys.AddPortalKeys(builder.Services);
        builder.Services.AddSingleton<AccessCodes>();
        builder.Services.AddSingleton<PortalUnits>();
        builder.Services.AddSingleton<UnitHistory>();
        // Vietnamese as letters, not as &#x1EC7; entities: a third of the page's weight otherwise. Markup is still encoded.
        builder.Services.Configure<WebEncoderOptions>(o => o.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
        builder.Services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "ntm_af";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.FormFieldName = "__af";
        });
        var pages = builder.Services.AddRazorPages(o =>
        {
            o.RootDirectory = "/Portal";
            o.Conventions.AuthorizeFolder("/", PortalAuthentication.Policy);
            // The sign-in pages, and the home page which is the sign-in page until a session opens (it still sees the session).
            o.Conventions.AllowAnonymousToPage("/Index");
            o.Conventions.AllowAnonymousToPage("/AdminSignIn");
        });
        // The pages are compiled into this assembly; a host whose entry assembly is another (the test runner) must be told.
        var assembly = typeof(PortalExtensions).Assembly;
        pages.ConfigureApplicationPartManager(m =>
        {
            if (!m.ApplicationParts.OfType<AssemblyPart>().Any(p => p.Assembly == assembly)) m.ApplicationParts.Add(new AssemblyPart(assembly));
            if (!m.ApplicationParts.OfType<CompiledRazorAssemblyPart>().Any(p => p.Assembly == assembly)) m.ApplicationParts.Add(new CompiledRazorAssemblyPart(assembly));
        });
        return builder;
    }

    public static void MapPortal(this WebApplication app)
    {
        app.Use(PortalHeaders);
        app.MapGet(PortalStyles.Path, PortalStyles.Serve).WithMetadata(PortalEndpoint.Marker);
        app.MapPortalFiles();
        app.MapRazorPages().WithMetadata(PortalEndpoint.Marker);
    }

    /// <summary>
    /// Portal pages allow nothing but their own stylesheet and forms to themselves: no script at all, no inline style, no
    /// frame. They hold a unit's figures, so no cache keeps them.
    /// </summary>
    private static Task PortalHeaders(HttpContext context, Func<Task> next)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<PortalEndpoint>() is null) return next();
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        if (!context.Request.Path.StartsWithSegments(PortalStyles.Path)) headers.CacheControl = new StringValues("no-store");
        return next();
    }
}

/// <summary>Marks the portal's endpoints, so its headers are not put on the API's or the dashboard's.</summary>
public sealed class PortalEndpoint
{
    public static readonly PortalEndpoint Marker = new();
}
