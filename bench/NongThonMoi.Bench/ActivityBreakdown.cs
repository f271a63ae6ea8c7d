using System.Collections.Concurrent;
using System.Diagnostics;

namespace NongThonMoi.Bench;

/// <summary>
/// Where a scenario's time goes inside the worker, without a profiler: the duration of every HTTP request
/// (ASP.NET Core's activity) and of every database command (Npgsql's), grouped by statement.
/// </summary>
public sealed class ActivityBreakdown : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentDictionary<string, (long Count, double Ms)> _commands = new();
    private readonly ConcurrentBag<double> _requests = [];
    private volatile bool _on;

    public ActivityBreakdown()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "Npgsql" or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => _on ? ActivitySamplingResult.AllData : ActivitySamplingResult.None,
            ActivityStopped = a =>
            {
                if (!_on) return;
                if (a.Source.Name == "Microsoft.AspNetCore") { _requests.Add(a.Duration.TotalMilliseconds); return; }
                var text = (a.GetTagItem("db.query.text") ?? a.GetTagItem("db.statement"))?.ToString() ?? a.DisplayName;
                var key = string.Join(' ', text.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries))[..Math.Min(60, text.Length)];
                _commands.AddOrUpdate(key, (1, a.Duration.TotalMilliseconds), (_, v) => (v.Count + 1, v.Ms + a.Duration.TotalMilliseconds));
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Start()
    {
        _commands.Clear();
        _requests.Clear();
        _on = true;
    }

    public string Stop(int submissions)
    {
        _on = false;
        var requests = _requests.ToArray();
        var db = _commands.Values.Sum(v => v.Ms);
        var top = _commands.OrderByDescending(kv => kv.Value.Ms).Take(6)
            .Select(kv => $"{kv.Key}… ×{kv.Value.Count} {kv.Value.Ms / Math.Max(1, kv.Value.Count):0.0} ms");
        return $"server-side request p50 {IngestScenario.Percentile(requests, 0.5):0} ms, p99 {IngestScenario.Percentile(requests, 0.99):0} ms over {requests.Length}; " +
               $"database commands {db / Math.Max(1, submissions):0.0} ms per submission; slowest: {string.Join("; ", top)}";
    }

    public void Dispose() => _listener.Dispose();
}
