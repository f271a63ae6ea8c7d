using NongThonMoi.Infrastructure.Jobs;
using NongThonMoi.Infrastructure.Security;
using NongThonMoi.Infrastructure.Telemetry;
using Prometheus;

namespace NongThonMoi.Operations;

/// <summary>
/// <c>GET /metrics</c> in the Prometheus text format (or OpenMetrics when the scraper asks for it), behind the admin
/// login, written by prometheus-net from this application's registry: the HTTP requests, the .NET runtime and process,
/// Npgsql's connection pool and commands, Hangfire's jobs by state, and the programme's own series (README, "Monitoring").
/// </summary>
public static class MetricsEndpoints
{
    public static void MapMetrics(this WebApplication app)
    {
        var prometheus = app.Services.GetRequiredService<PrometheusRegistry>();
        // Made now, not at the first scrape: the recompute summary counts from the start of the process, and these
        // register the scrape-time callbacks that read the database and Hangfire.
        app.Services.GetRequiredService<DomainMetrics>();
        app.Services.GetRequiredService<HangfireMetrics>();
        MetricServerMiddlewareExtensions.MapMetrics(app, "/metrics", prometheus.Registry)
            // prometheus-net maps every method; a POST is a 405 like on the rest of the machine paths.
            .WithMetadata(new HttpMethodMetadata(["GET"]))
            .RequireAuthorization(SecurityExtensions.AdminPolicy);
    }
}
