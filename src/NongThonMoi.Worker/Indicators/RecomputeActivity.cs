namespace NongThonMoi.Indicators;

/// <summary>
/// When this process last finished a recompute of each period, in the machine's time (<see cref="TimeProvider.System"/>
/// timestamps). The trigger reads it to tell a recompute still running from one whose job has finished its work and not
/// yet been marked Succeeded: the follow-up of the first waits (<see cref="HangfireRecomputeTrigger.RushInterval"/>), of the
/// second it need not.
/// </summary>
public sealed class RecomputeActivity
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _finished = new(StringComparer.Ordinal);

    public void Finished(string period)
    {
        lock (_gate) _finished[period] = TimeProvider.System.GetTimestamp();
    }

    /// <summary>Whether a recompute of <paramref name="period"/> finished here after <paramref name="timestamp"/>.</summary>
    public bool FinishedSince(string period, long timestamp)
    {
        lock (_gate) return _finished.TryGetValue(period, out var at) && at > timestamp;
    }
}
