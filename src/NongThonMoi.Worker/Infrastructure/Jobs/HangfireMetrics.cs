using Hangfire;
using NongThonMoi.Infrastructure.Telemetry;
using Prometheus;

namespace NongThonMoi.Infrastructure.Jobs;

/// <summary>
/// Hangfire's job counts by state, read from its monitoring API at each scrape (so every worker reports the same
/// totals, those of the shared storage). With the database away the series are left out of that scrape, which still
/// answers with the HTTP and runtime series; the next scrape brings them back.
/// </summary>
public sealed class HangfireMetrics
{
    private readonly JobStorage _storage;
    private readonly ILogger<HangfireMetrics> _logger;
    private readonly Gauge _jobs;
    private readonly Gauge _failed;
    private readonly Gauge _servers;
    private readonly Gauge _recurring;

    public HangfireMetrics(PrometheusRegistry prometheus, JobStorage storage, ILogger<HangfireMetrics> logger)
    {
        _storage = storage;
        _logger = logger;
        var hidden = new GaugeConfiguration { SuppressInitialValue = true };
        _jobs = prometheus.Factory.CreateGauge("ntm_hangfire_jobs",
            "Hangfire jobs by state (all workers); succeeded and deleted count the jobs Hangfire still keeps (a day by default).",
            ["state"], hidden);
        _failed = prometheus.Factory.CreateGauge("ntm_hangfire_jobs_failed",
            "Hangfire jobs currently in the Failed state (retries exhausted; all workers).", hidden);
        _servers = prometheus.Factory.CreateGauge("ntm_hangfire_servers", "Hangfire servers (worker processes) with a recent heartbeat.", hidden);
        _recurring = prometheus.Factory.CreateGauge("ntm_hangfire_recurring_jobs", "Recurring jobs registered.", hidden);
        prometheus.Registry.AddBeforeCollectCallback(Collect);
    }

    private void Collect()
    {
        try
        {
            var s = _storage.GetMonitoringApi().GetStatistics();
            _jobs.WithLabels("enqueued").Set(s.Enqueued);
            _jobs.WithLabels("scheduled").Set(s.Scheduled);
            _jobs.WithLabels("processing").Set(s.Processing);
            _jobs.WithLabels("awaiting").Set(s.Awaiting ?? 0);
            _jobs.WithLabels("succeeded").Set(s.Succeeded);
            _jobs.WithLabels("failed").Set(s.Failed);
            _jobs.WithLabels("deleted").Set(s.Deleted);
            _failed.Set(s.Failed);
            _servers.Set(s.Servers);
            _recurring.Set(s.Recurring);
        }
        catch (Exception e)
        {
            // Whatever the storage throws (the database away, a timeout), a scrape must still answer: these series are
            // left out rather than reported as stale or as zero, which would read as "no failed jobs".
            _logger.LogWarning("Hangfire metrics left out of this scrape: {Error}", e.GetType().Name);
            foreach (var child in _jobs.GetAllLabelValues().ToList()) _jobs.WithLabels(child).Unpublish();
            _failed.Unpublish();
            _servers.Unpublish();
            _recurring.Unpublish();
        }
    }
}
