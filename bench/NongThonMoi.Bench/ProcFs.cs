using System.Globalization;

namespace NongThonMoi.Bench;

/// <summary>
/// What Linux says about a process in <c>/proc</c>: its resident set (now and at its peak), a reset of that peak, its
/// CPU time and its children. The bench reads the worker's own figures from here, not from a .NET counter of the bench
/// process; on another OS every figure is 0 and every reset fails, which the report then says.
/// </summary>
public static class ProcFs
{
    /// <summary>USER_HZ: the unit of the times in <c>/proc/*/stat</c> and <c>/proc/stat</c>; 100 on every Linux the bench runs on.</summary>
    public const double TicksPerSecond = 100;

    /// <summary>A <c>Vm…</c> line of <c>/proc/&lt;pid&gt;/status</c> in bytes (VmRSS: resident now, VmHWM: peak resident); 0 when unreadable.</summary>
    public static long StatusBytes(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith(field, StringComparison.Ordinal) && line.Length > field.Length && line[field.Length] == ':')
                    return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return 0;
    }

    /// <summary>
    /// Resets the process's peak resident set (VmHWM) to its current one: writing 5 to <c>clear_refs</c> (Linux ≥ 4.0). False
    /// when the kernel refused, so that the caller falls back on its own samples.
    /// </summary>
    public static bool ResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>The fields of <c>/proc/&lt;pid&gt;/stat</c> after the command name (which may hold spaces): index 0 is the state (field 3).</summary>
    private static string[]? StatFields(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return text[(text.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>
    /// CPU ticks of the process (utime + stime); with <paramref name="withReapedChildren"/> also those of its children that
    /// have exited and been waited for (cutime + cstime), so that a PostgreSQL backend that ended in the window still counts.
    /// </summary>
    public static long CpuTicks(int pid, bool withReapedChildren = false)
    {
        if (StatFields(pid) is not { } f) return 0;
        long Field(int n) => long.Parse(f[n - 3], CultureInfo.InvariantCulture); // n: the field's number in proc(5)
        return Field(14) + Field(15) + (withReapedChildren ? Field(16) + Field(17) : 0);
    }

    /// <summary>The live processes whose parent is <paramref name="parent"/>.</summary>
    public static List<int> Children(int parent)
    {
        var children = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            if (StatFields(pid) is { } f && int.TryParse(f[1], CultureInfo.InvariantCulture, out var ppid) && ppid == parent) children.Add(pid);
        }
        return children;
    }

    /// <summary>The whole machine's CPU ticks from <c>/proc/stat</c>: busy (everything but idle and iowait) and total.</summary>
    public static (long Busy, long Total) MachineTicks()
    {
        try
        {
            var parts = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Take(8).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var total = parts.Sum();
            return (total - parts[3] - parts[4], total);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException) { return (0, 0); }
    }
}
