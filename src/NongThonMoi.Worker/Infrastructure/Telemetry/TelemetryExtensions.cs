using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Prometheus;

namespace NongThonMoi.Infrastructure.Telemetry;

/// <summary>
/// Metrics through prometheus-net (its exposition, its HTTP middleware, its runtime collectors and its bridge from
/// System.Diagnostics.Metrics), and, when <c>Telemetry:OtlpEndpoint</c> is set, traces through OpenTelemetry. prometheus-net
/// rather than OpenTelemetry's Prometheus exporter for the metrics: the exporter is still a pre-release, and it has no
/// summary type, which <c>ntm_recompute_duration_seconds</c> has always been.
/// </summary>
public static class TelemetryExtensions
{
    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>();
        builder.Services.AddSingleton<PrometheusRegistry>();

        // Decided here, while the services are being listed; a value that is not an address adds nothing, and the
        // validator above stops the program at start with one line naming the key.
        var endpoint = TelemetryOptions.Endpoint(builder.Configuration[$"{TelemetryOptions.Section}:{nameof(TelemetryOptions.OtlpEndpoint)}"]);
        if (endpoint is not null)
        {
            var protocol = builder.Configuration[$"{TelemetryOptions.Section}:{nameof(TelemetryOptions.OtlpProtocol)}"] == "http/protobuf"
                ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
            builder.Services.AddOpenTelemetry()
                .ConfigureResource(r => r.AddService("nongthonmoi"))
                .WithTracing(t => t
                    // Probes and scrapes every few seconds would drown the requests people make.
                    .AddAspNetCoreInstrumentation(o => o.Filter = http =>
                        !http.Request.Path.StartsWithSegments("/health") && !http.Request.Path.StartsWithSegments("/metrics"))
                    .AddNpgsql()
                    .AddOtlpExporter(o =>
                    {
                        o.Endpoint = endpoint;
                        o.Protocol = protocol;
                    }));
        }
        return builder;
    }

    /// <summary>
    /// Counts and times every request (<c>http_requests_received_total</c>, <c>http_request_duration_seconds</c>, by
    /// status, method and route pattern). First in the pipeline, so that the status recorded is the one the caller got,
    /// after the error handlers have turned an exception into its 503 or 500.
    /// </summary>
    public static void UseHttpRequestMetrics(this WebApplication app)
    {
        var registry = app.Services.GetRequiredService<PrometheusRegistry>();
        app.UseHttpMetrics(o => o.SetMetricFactory(registry.Factory));
    }
}
