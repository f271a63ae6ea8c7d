namespace NongThonMoi.Indicators;

/// <summary>
/// How long the recomputes of this process took (for <c>/metrics</c>). Kept in memory: a duration is only known where the
/// job ran, and Prometheus scrapes every worker, so each reports its own and the sums add up across workers.
/// </summary>
public sealed class RecomputeTimings
{
    private readonly Lock _gate = new();
    private long _count;
    private double _totalSeconds;
    private double? _lastSeconds;

    /// <summary>Each recorded duration, for a metrics library's summary (<c>Operations/DomainMetrics</c>) to observe.</summary>
    public event Action<TimeSpan>? Recorded;

    public void Record(TimeSpan elapsed)
    {
        lock (_gate)
        {
            _count++;
            _totalSeconds += elapsed.TotalSeconds;
            _lastSeconds = elapsed.TotalSeconds;
        }
        Recorded?.Invoke(elapsed);
    }

    public (long Count, double TotalSeconds, double? LastSeconds) Read()
    {
        lock (_gate) return (_count, _totalSeconds, _lastSeconds);
    }
}
