using System.Diagnostics;

namespace NongThonMoi.Tests.Support;

/// <summary>Waits for a condition by polling, never a fixed sleep; the bound only guards against a hang.</summary>
public static class Poll
{
    /// <param name="detail">What to add to the timeout's message, read when it happens (e.g. the tail of a process's output).</param>
    public static async Task UntilAsync(Func<Task<bool>> done, TimeSpan within, string what, int everyMs = 100, Func<string>? detail = null)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < within)
        {
            if (await done()) return;
            await Task.Delay(everyMs);
        }
        throw new TimeoutException($"not within {within.TotalSeconds} s: {what}" + (detail is null ? "" : "\n" + detail()));
    }

    /// <summary>The first non-null value <paramref name="value"/> gives.</summary>
    public static async Task<T> ForAsync<T>(Func<T?> value, TimeSpan within, string what, int everyMs = 200, Func<string>? detail = null) where T : class
    {
        T? result = null;
        await UntilAsync(() => Task.FromResult((result = value()) is not null), within, what, everyMs, detail);
        return result!;
    }
}
