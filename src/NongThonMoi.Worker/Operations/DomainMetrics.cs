using Dapper;
using NongThonMoi.Indicators;
using NongThonMoi.Infrastructure.Telemetry;
using Npgsql;
using Prometheus;

namespace NongThonMoi.Operations;

/// <summary>
/// The programme's own series in <c>/metrics</c>, with the names and meanings they have always had. Counts come from
/// the database at scrape time, so every worker of a scaled-out installation reports the same totals; only the recompute
/// durations are this process's own. With the database away the database's series are left out of that scrape.
/// </summary>
public sealed class DomainMetrics
{
    private static readonly string[] DeliveryStatuses = ["pending", "sending", "sent", "failed"];

    /// <summary>A scrape waits this long for the database at most; Prometheus's own scrape timeout is 10 s by default.</summary>
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(8);

    private readonly NpgsqlDataSource _dataSource;
    private readonly RecomputeTimings _timings;
    private readonly TimeProvider _clock;
    private readonly ILogger<DomainMetrics> _logger;
    private readonly Counter _submissions;
    private readonly Counter _late;
    private readonly Gauge _deliveries;
    private readonly Gauge _snapshotAge;
    private readonly Gauge _recomputeLast;

    public DomainMetrics(PrometheusRegistry prometheus, NpgsqlDataSource dataSource, RecomputeTimings timings, TimeProvider clock, ILogger<DomainMetrics> logger)
    {
        _dataSource = dataSource;
        _timings = timings;
        _clock = clock;
        _logger = logger;
        var f = prometheus.Factory;
        _submissions = f.CreateCounter("ntm_submissions_total", "Submissions received since installation, by outcome (all workers).",
            ["outcome"], new CounterConfiguration { SuppressInitialValue = true });
        _late = f.CreateCounter("ntm_submissions_late_total", "Accepted submissions received after their period's deadline (all workers).",
            new CounterConfiguration { SuppressInitialValue = true });
        _deliveries = f.CreateGauge("ntm_deliveries", "Rows of the mail delivery ledger (bulletins and reminders) by status (all workers).",
            ["status"], new GaugeConfiguration { SuppressInitialValue = true });
        // No snapshot yet: the series is left out rather than reported as a misleading zero age.
        _snapshotAge = f.CreateGauge("ntm_snapshot_age_seconds", "Seconds since the newest indicator snapshot was computed.",
            new GaugeConfiguration { SuppressInitialValue = true });
        // A summary without quantiles (_sum and _count), as this series has always been; it counts from this process's start.
        var recompute = f.CreateSummary("ntm_recompute_duration_seconds", "Duration of the recomputes that stored a snapshot, in this process.");
        timings.Recorded += elapsed => recompute.Observe(elapsed.TotalSeconds);
        _recomputeLast = f.CreateGauge("ntm_recompute_last_duration_seconds", "Duration of this process's most recent recompute.",
            new GaugeConfiguration { SuppressInitialValue = true });
        prometheus.Registry.AddBeforeCollectCallback(CollectAsync);
    }

    private async Task CollectAsync(CancellationToken scrape)
    {
        if (_timings.Read().LastSeconds is { } last) _recomputeLast.Set(last);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(scrape);
        timeout.CancelAfter(QueryTimeout);
        var ct = timeout.Token;
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(ct);
            var submissions = await connection.QuerySingleAsync<(long Accepted, long Rejected, long Late)>(new CommandDefinition("""
                select count(*) filter (where status = 'accepted'), count(*) filter (where status = 'rejected'),
                       count(*) filter (where status = 'accepted' and late)
                from submissions
                """, cancellationToken: ct));
            var deliveries = (await connection.QueryAsync<(string Status, long Count)>(new CommandDefinition(
                "select status, count(*) from deliveries group by status", cancellationToken: ct))).ToDictionary(r => r.Status, r => r.Count);
            var newest = await connection.ExecuteScalarAsync<DateTimeOffset?>(new CommandDefinition(
                "select max(computed_at) from snapshots", cancellationToken: ct));

            // Totals of the shared database, which only grow: IncTo sets the counter to the count.
            _submissions.WithLabels("accepted").IncTo(submissions.Accepted);
            _submissions.WithLabels("rejected").IncTo(submissions.Rejected);
            _late.IncTo(submissions.Late);
            foreach (var status in DeliveryStatuses) _deliveries.WithLabels(status).Set(deliveries.GetValueOrDefault(status));
            if (newest is { } computedAt) _snapshotAge.Set(Math.Max(0, (_clock.GetUtcNow() - computedAt).TotalSeconds));
            else _snapshotAge.Unpublish();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            // The scrape still answers (HTTP, runtime, this process's recompute series); the database's counts are left
            // out rather than repeated from the last scrape as if they were current.
            _logger.LogWarning("Domain metrics left out of this scrape, the database did not answer: {Error}", e.GetType().Name);
            foreach (var outcome in new[] { "accepted", "rejected" }) _submissions.WithLabels(outcome).Unpublish();
            _late.Unpublish();
            foreach (var status in DeliveryStatuses) _deliveries.WithLabels(status).Unpublish();
            _snapshotAge.Unpublish();
        }
    }
}
