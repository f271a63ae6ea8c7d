using System.Diagnostics;

namespace NongThonMoi.Bench;

/// <summary>
/// Who used the machine's CPU during a scenario: each named group of processes (a worker, PostgreSQL, the bench itself)
/// as a share of the machine's capacity over the window (wall time × cores, from <c>/proc/stat</c>), with the rest of the
/// machine (other engineers' builds and tests) and the idle time beside it. It tells what saturates first when a goal is
/// missed: a worker near 100 % of a core per thread it can use, PostgreSQL, or nobody (then the time goes in waiting).
/// </summary>
public sealed class CpuShares(IReadOnlyList<(string Name, Func<long> Ticks)> groups)
{
    /// <summary>A process and the children it has reaped (a worker, the bench).</summary>
    public static Func<long> Process(int pid) => () => ProcFs.CpuTicks(pid);

    /// <summary>The PostgreSQL server: the postmaster, its live backends and helpers, and those that ended in the window.</summary>
    public static Func<long> ProcessTree(int parent) => () =>
        ProcFs.CpuTicks(parent, withReapedChildren: true) + ProcFs.Children(parent).Sum(c => ProcFs.CpuTicks(c));

    public Window Start() => new(groups);

    public sealed class Window
    {
        private readonly IReadOnlyList<(string Name, Func<long> Ticks)> _groups;
        private readonly long[] _start;
        private readonly (long Busy, long Total) _machine;
        private readonly Stopwatch _watch = Stopwatch.StartNew();

        internal Window(IReadOnlyList<(string Name, Func<long> Ticks)> groups)
        {
            _groups = groups;
            _start = groups.Select(g => g.Ticks()).ToArray();
            _machine = ProcFs.MachineTicks();
        }

        /// <summary>Ends the window: each group's CPU seconds and share of the machine, then the other processes and idle.</summary>
        public Outcome Stop()
        {
            var used = _groups.Select((g, i) => (g.Name, Ticks: g.Ticks() - _start[i])).ToList();
            var machine = ProcFs.MachineTicks();
            var total = Math.Max(1, machine.Total - _machine.Total);
            var busy = machine.Busy - _machine.Busy;
            var shares = used.Select(u => (u.Name, Seconds: u.Ticks / ProcFs.TicksPerSecond, Share: (double)u.Ticks / total)).ToList();
            return new Outcome(_watch.Elapsed, shares, Math.Max(0, (double)(busy - used.Sum(u => u.Ticks)) / total), (double)(total - busy) / total);
        }
    }

    public sealed record Outcome(TimeSpan Elapsed, IReadOnlyList<(string Name, double Seconds, double Share)> Groups, double Other, double Idle)
    {
        public double ShareOf(string name) => Groups.FirstOrDefault(g => g.Name == name).Share;

        /// <summary>CPU milliseconds per unit of work (a submission, a message) for each group: what one more unit costs whom.</summary>
        public string Per(int items, string item) =>
            $"CPU per {item}: " + string.Join(", ", Groups.Select(g => $"{g.Name} {g.Seconds * 1000 / Math.Max(1, items):0.0} ms"));

        public override string ToString() =>
            $"over {Elapsed.TotalSeconds:0.0} s on {Environment.ProcessorCount} cores: " +
            string.Join(", ", Groups.Select(g => $"{g.Name} {g.Share:P0} ({g.Seconds:0.0} s CPU)")) +
            $", other processes {Other:P0}, idle {Idle:P0}";
    }
}
