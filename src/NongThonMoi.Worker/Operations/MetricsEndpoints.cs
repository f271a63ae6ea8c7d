using NongThonMoi.Infrastructure.Jobs;
using NongThonMoi.Infrastructure.Security;
using NongThonMoi.Infrastructure.Telemetry;
using Prometheus;

namespace NongThonMoi.Operations;

/// <summary>
/// <c>GET /metrics</c> in the Prometheus text format (or OpenMetrics when the scraper asks for it), behind the admin
/// login, written by prometheus-net from this application's registry: the HTTP requests, the .NET runtime and process,
/// Npgsql's connection pool and commands, Hangfire's jobs by state, and the programme's own series (every series: docs/deployment.md, section 3).
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
        // prometheus-net's exporter (format negotiation: Prometheus text, or OpenMetrics when asked) behind a GET route of
        // our own rather than its MapMetrics: a route handler is what the OpenAPI document lists, and it answers any other
        // method with the 405 problem of the rest of the machine paths.
        var exporter = new MetricServerMiddleware(_ => Task.CompletedTask, new MetricServerMiddleware.Settings { Registry = prometheus.Registry });
        // A Func, not a RequestDelegate: only a route handler built from a delegate is described to the OpenAPI document.
        Func<HttpContext, Task> scrape = exporter.Invoke;
        app.MapGet("/metrics", scrape)
            .Produces(StatusCodes.Status200OK, contentType: "text/plain")
            .RequireAuthorization(SecurityExtensions.AdminPolicy);
    }
}
