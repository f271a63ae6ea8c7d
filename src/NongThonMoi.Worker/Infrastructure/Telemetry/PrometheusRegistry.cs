using Prometheus;

namespace NongThonMoi.Infrastructure.Telemetry;

/// <summary>
/// This application's own Prometheus registry: what <c>/metrics</c> shows. One per application rather than
/// prometheus-net's static default, so that two applications in one process (the tests) never mix their series or
/// their scrape-time callbacks. It carries the .NET runtime and process series (<c>dotnet_*</c>, <c>process_*</c>) and
/// Npgsql's own meter (System.Diagnostics.Metrics, bridged by prometheus-net's MeterAdapter: <c>npgsql_db_client_*</c>).
/// </summary>
public sealed class PrometheusRegistry : IDisposable
{
    private readonly IDisposable _meters;

    public PrometheusRegistry()
    {
        Registry = Metrics.NewCustomRegistry();
        Factory = Metrics.WithCustomRegistry(Registry);
        DotNetStats.Register(Registry);
        // Only Npgsql's meter: ASP.NET Core's own meters would repeat the HTTP series of UseHttpMetrics under other
        // names. The factory must be given too: the adapter's default factory writes to the static default registry.
        _meters = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = Registry,
            MetricFactory = Factory,
            InstrumentFilterPredicate = instrument => instrument.Meter.Name == "Npgsql",
        });
    }

    public CollectorRegistry Registry { get; }

    public IMetricFactory Factory { get; }

    public void Dispose() => _meters.Dispose();
}
