using System.Diagnostics;

namespace NongThonMoi.Bench;

/// <summary>Samples the process's working set every 50 ms; the worker is hosted in this process.</summary>
public sealed class MemorySampler : IDisposable
{
    private readonly Timer _timer;
    private long _peak;

    public MemorySampler() => _timer = new Timer(_ => Sample(), null, 0, 50);

    public long PeakBytes => Interlocked.Read(ref _peak);

    public void Reset() => Interlocked.Exchange(ref _peak, 0);

    public void Sample()
    {
        using var process = Process.GetCurrentProcess();
        var ws = process.WorkingSet64;
        long seen;
        while (ws > (seen = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, ws, seen) != seen) { }
    }

    public void Dispose() => _timer.Dispose();
}
