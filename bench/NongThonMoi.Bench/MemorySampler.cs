namespace NongThonMoi.Bench;

/// <summary>
/// The peak resident set of each tracked process (the worker processes, the bench itself) per scenario. The kernel's own
/// peak (VmHWM, reset per scenario through <c>clear_refs</c>) catches what a sample would miss; the resident set sampled
/// every 50 ms backs it up where the reset is refused. Both come from <c>/proc</c>: the worker's figures, not the bench's.
/// </summary>
public sealed class MemorySampler : IDisposable
{
    private readonly Timer _timer;
    private readonly List<Tracked> _tracked = [];

    public MemorySampler() => _timer = new Timer(_ => Sample(), null, 0, 50);

    /// <summary>Starts following <paramref name="pid"/> under <paramref name="name"/>, its peak counted from now.</summary>
    public void Track(string name, int pid)
    {
        var t = new Tracked(name, pid);
        t.Reset();
        lock (_tracked) _tracked.Add(t);
    }

    public void Untrack(string name)
    {
        lock (_tracked) _tracked.RemoveAll(t => t.Name == name);
    }

    /// <summary>Each tracked process's peak since the last reset, in bytes.</summary>
    public IReadOnlyDictionary<string, long> Peaks()
    {
        Sample();
        lock (_tracked) return _tracked.ToDictionary(t => t.Name, t => t.PeakBytes);
    }

    /// <summary>False when the kernel refused a peak reset: the figures are then the 50 ms samples only.</summary>
    public bool KernelPeaks
    {
        get { lock (_tracked) return _tracked.All(t => t.KernelPeak); }
    }

    public void Reset()
    {
        lock (_tracked) foreach (var t in _tracked) t.Reset();
    }

    private void Sample()
    {
        lock (_tracked) foreach (var t in _tracked) t.Sample();
    }

    public void Dispose() => _timer.Dispose();

    private sealed class Tracked(string name, int pid)
    {
        private long _sampled;

        public string Name => name;
        public bool KernelPeak { get; private set; }

        public long PeakBytes => Math.Max(_sampled, KernelPeak ? ProcFs.StatusBytes(pid, "VmHWM") : 0);

        public void Sample() => _sampled = Math.Max(_sampled, ProcFs.StatusBytes(pid, "VmRSS"));

        public void Reset()
        {
            KernelPeak = ProcFs.ResetPeak(pid);
            _sampled = ProcFs.StatusBytes(pid, "VmRSS");
        }
    }
}
