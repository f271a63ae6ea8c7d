using System.Globalization;

namespace NongThonMoi.Bench;

/// <summary>
/// Where a scenario's time goes inside a worker process, without a profiler: two scrapes of its <c>/metrics</c> (before and
/// after), their difference read as the requests' server-side durations (prometheus-net's <c>http_request_duration_seconds</c>
/// histogram, percentiles interpolated inside its buckets as Prometheus' <c>histogram_quantile</c> does) and the database
/// commands' total time (Npgsql's <c>npgsql_db_client_operation_duration</c>). The worker is another process now, so an
/// <c>ActivityListener</c> in the bench would see nothing of it.
/// </summary>
public sealed class WorkerMetrics
{
    private readonly IReadOnlyList<WorkerProcess> _workers;
    private Dictionary<string, double> _before = [];

    public WorkerMetrics(IReadOnlyList<WorkerProcess> workers) => _workers = workers;

    public async Task StartAsync() => _before = await ScrapeAsync();

    /// <summary>The requests to <paramref name="endpoint"/> (a route pattern) and the database time, per request, since <see cref="StartAsync"/>.</summary>
    public async Task<string> StopAsync(string method, string endpoint)
    {
        var after = await ScrapeAsync();
        var diff = after.ToDictionary(kv => kv.Key, kv => kv.Value - _before.GetValueOrDefault(kv.Key));
        // A route of a group mapped at "" is listed with a trailing slash ("/api/submissions/").
        bool Request(string key) => Label(key, "method") == method && Label(key, "endpoint").TrimEnd('/') == endpoint.TrimEnd('/');
        var count = Sum(diff, "http_request_duration_seconds_count", Request);
        var sum = Sum(diff, "http_request_duration_seconds_sum", Request);
        var buckets = diff.Where(kv => Name(kv.Key) == "http_request_duration_seconds_bucket" && Request(kv.Key))
            .GroupBy(kv => Label(kv.Key, "le")).Select(g => (Le: ParseLe(g.Key), Count: g.Sum(kv => kv.Value))).OrderBy(b => b.Le).ToList();
        var text = $"server-side (the worker's /metrics) {method} {endpoint} mean {sum / Math.Max(1, count) * 1000:0} ms, " +
                   $"p50 ≈ {Quantile(buckets, 0.5) * 1000:0} ms, p99 ≈ {Quantile(buckets, 0.99) * 1000:0} ms over {count:0}";
        if (count == 0)
            return $"no {method} {endpoint} in the worker's /metrics (endpoints seen: " +
                   string.Join(", ", diff.Keys.Where(k => Name(k) == "http_request_duration_seconds_count").Select(k => Label(k, "endpoint")).Distinct()) + ")";
        var db = diff.Keys.Select(Name).FirstOrDefault(n => n.Contains("db_client_operation_duration", StringComparison.Ordinal) && n.EndsWith("_sum", StringComparison.Ordinal));
        if (db is not null)
        {
            var dbCount = Sum(diff, db[..^4] + "_count", _ => true);
            var dbSum = Sum(diff, db, _ => true);
            text += $"; database commands (all of the worker's, its recompute jobs' included) {dbSum / count * 1000:0.0} ms per request, " +
                    $"{dbCount / count:0.0} commands per request, {dbSum / Math.Max(1, dbCount) * 1000:0.0} ms each";
        }
        return text;
    }

    private async Task<Dictionary<string, double>> ScrapeAsync()
    {
        var all = new Dictionary<string, double>();
        foreach (var worker in _workers)
        {
            using var admin = worker.Admin();
            foreach (var line in (await admin.GetStringAsync("/metrics")).Split('\n'))
            {
                if (line.Length == 0 || line[0] == '#') continue;
                var space = line.LastIndexOf(' ');
                if (space < 0 || !double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) continue;
                var key = line[..space];
                all[key] = all.GetValueOrDefault(key) + value; // the workers' series added up
            }
        }
        return all;
    }

    private static string Name(string key) => key.IndexOf('{') is var i and >= 0 ? key[..i] : key;

    private static string Label(string key, string label)
    {
        var start = key.IndexOf($"{label}=\"", StringComparison.Ordinal);
        if (start < 0) return "";
        start += label.Length + 2;
        return key[start..key.IndexOf('"', start)];
    }

    private static double ParseLe(string le) => le == "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture);

    private static double Sum(Dictionary<string, double> diff, string name, Func<string, bool> filter) =>
        diff.Where(kv => Name(kv.Key) == name && filter(kv.Key)).Sum(kv => kv.Value);

    /// <summary>Cumulative buckets (upper bound, count at or below it): linear inside the bucket holding the rank.</summary>
    private static double Quantile(List<(double Le, double Count)> buckets, double q)
    {
        if (buckets.Count == 0 || buckets[^1].Count <= 0) return 0;
        var rank = q * buckets[^1].Count;
        var (lower, below) = (0.0, 0.0);
        foreach (var (le, count) in buckets)
        {
            if (count >= rank)
                return double.IsPositiveInfinity(le) ? lower : lower + (le - lower) * (rank - below) / Math.Max(1e-9, count - below);
            (lower, below) = (le, count);
        }
        return lower;
    }
}
