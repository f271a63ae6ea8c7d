using System.Globalization;
using System.Text;
using Dapper;
using Hangfire;
using NongThonMoi.Indicators;
using NongThonMoi.Infrastructure.Security;
using Npgsql;

namespace NongThonMoi.Operations;

/// <summary>
/// <c>GET /metrics</c> in the Prometheus text format (0.0.4), behind the admin login. Counts come from the database at
/// scrape time, so every worker of a scaled-out installation reports the same totals; only the recompute durations
/// are this process's own.
/// </summary>
public static class MetricsEndpoints
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly string[] DeliveryStatuses = ["pending", "sending", "sent", "failed"];

    public static void MapMetrics(this WebApplication app)
    {
        app.MapGet("/metrics", async (NpgsqlDataSource dataSource, RecomputeTimings timings, JobStorage hangfire, TimeProvider clock, CancellationToken ct) =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            var submissions = await connection.QuerySingleAsync<(long Accepted, long Rejected, long Late)>(new CommandDefinition("""
                select count(*) filter (where status = 'accepted'), count(*) filter (where status = 'rejected'),
                       count(*) filter (where status = 'accepted' and late)
                from submissions
                """, cancellationToken: ct));
            var deliveries = (await connection.QueryAsync<(string Status, long Count)>(new CommandDefinition(
                "select status, count(*) from deliveries group by status", cancellationToken: ct))).ToDictionary(r => r.Status, r => r.Count);
            var newest = await connection.ExecuteScalarAsync<DateTimeOffset?>(new CommandDefinition(
                "select max(computed_at) from snapshots", cancellationToken: ct));
            var failedJobs = hangfire.GetMonitoringApi().FailedCount();
            var recompute = timings.Read();

            var text = new PrometheusText();
            text.Metric("ntm_submissions_total", "counter", "Submissions received since installation, by outcome (all workers).",
                ("outcome=\"accepted\"", submissions.Accepted), ("outcome=\"rejected\"", submissions.Rejected));
            text.Metric("ntm_submissions_late_total", "counter", "Accepted submissions received after their period's deadline (all workers).",
                ("", submissions.Late));
            text.Metric("ntm_deliveries", "gauge", "Rows of the mail delivery ledger (bulletins and reminders) by status (all workers).",
                DeliveryStatuses.Select(s => ($"status=\"{s}\"", (double)deliveries.GetValueOrDefault(s))).ToArray());
            // No snapshot yet: the series is left out rather than reported as a misleading zero age.
            if (newest is { } computedAt)
                text.Metric("ntm_snapshot_age_seconds", "gauge", "Seconds since the newest indicator snapshot was computed.",
                    ("", Math.Max(0, (clock.GetUtcNow() - computedAt).TotalSeconds)));
            text.Metric("ntm_recompute_duration_seconds", "summary", "Duration of the recomputes that stored a snapshot, in this process.",
                ("", recompute.TotalSeconds, "_sum"), ("", recompute.Count, "_count"));
            if (recompute.LastSeconds is { } last)
                text.Metric("ntm_recompute_last_duration_seconds", "gauge", "Duration of this process's most recent recompute.", ("", last));
            text.Metric("ntm_hangfire_jobs_failed", "gauge", "Hangfire jobs currently in the Failed state (retries exhausted; all workers).",
                ("", failedJobs));
            return Results.Text(text.ToString(), ContentType);
        }).RequireAuthorization(SecurityExtensions.AdminPolicy);
    }

    /// <summary>Writes the exposition format by hand: a dozen lines do not warrant a dependency.</summary>
    private sealed class PrometheusText
    {
        private readonly StringBuilder _text = new();

        public void Metric(string name, string type, string help, params (string Labels, double Value)[] samples) =>
            Metric(name, type, help, samples.Select(s => (s.Labels, s.Value, "")).ToArray());

        public void Metric(string name, string type, string help, params (string Labels, double Value, string Suffix)[] samples)
        {
            _text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            foreach (var (labels, value, suffix) in samples)
            {
                _text.Append(name).Append(suffix);
                if (labels.Length > 0) _text.Append('{').Append(labels).Append('}');
                _text.Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        public override string ToString() => _text.ToString();
    }
}
