using NongThonMoi.Infrastructure.Database;
using NongThonMoi.Infrastructure.Jobs;
using NongThonMoi.Infrastructure.Mail;
using NongThonMoi.Infrastructure.Security;
using NongThonMoi.Infrastructure.Telemetry;
using NongThonMoi.Infrastructure.Web;

namespace NongThonMoi.Infrastructure;

/// <summary>The plumbing every capability stands on, registered and put in the request pipeline in one call each.</summary>
public static class InfrastructureExtensions
{
    /// <summary>The admin login is required only where there is something to log in to (serve, demo).</summary>
    public static WebApplicationBuilder AddInfrastructure(this WebApplicationBuilder builder, bool requireAdminPassword) =>
        builder.AddDatabase().AddWeb().AddSecurity(requireAdminPassword).AddMail().AddTelemetry();

    /// <summary>
    /// The request metrics outermost (they record the status the caller got), proxies and errors next, then who the
    /// caller is, then the endpoints that need no capability.
    /// </summary>
    public static WebApplication UseInfrastructure(this WebApplication app)
    {
        app.UseHttpRequestMetrics();
        app.UseTrustedProxies();
        app.UseDatabaseAwareErrors();
        app.UseApiProblems();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealth();
        app.MapApiDocument();
        app.MapDashboard();
        return app;
    }
}
