using System.Runtime.InteropServices;

namespace NongThonMoi.Infrastructure;

/// <summary>
/// Keeps glibc's malloc from holding on to native memory the worker has freed. Two of its defaults do that here:
/// <list type="bullet">
/// <item>A block of 128 KB or more is mapped on its own and given back when freed — but each such free raises that
/// threshold to the block's size (up to 32 MB), so from then on blocks of that size come from the heap and stay there.
/// The worker's native work frees large blocks over and over (Skia's chart strips, zlib and Brotli state are the likely
/// ones, not traced one by one). Fixed at 128 KB here.</item>
/// <item>Each new thread that allocates gets an arena of its own, up to 8 per core, and an arena is seldom given back.
/// The first seconds of a Friday rush do that: the first requests arrive together on new threads while the code is
/// compiled. At most 2 arenas here.</item>
/// </list>
/// National bench (2 December, BENCHMARKS.md finding 23): a worker on the held data set, 14 recomputes then a bulletin run
/// of 2,103 messages, peaked at 292 and 299 MB with the moving threshold, 259 and 259 MB with it fixed; the ingest's
/// warm-up rose 86 MB above the worker at rest with glibc's arenas, 50 MB with two (one run each; both measured through
/// glibc's environment variables, which this sets from inside).
/// </summary>
public static class NativeHeap
{
    /// <summary>glibc's own starting threshold, kept fixed.</summary>
    public const int MapThreshold = 128 * 1024;

    /// <summary>Arenas at most: the main heap and one more, every thread taking whichever is free.</summary>
    public const int Arenas = 2;

    private const int M_MMAP_THRESHOLD = -3;
    private const int M_ARENA_MAX = -8;

    /// <summary>
    /// Sets both, before the worker's own threads start (glibc on Linux only; elsewhere nothing to do). An admin's
    /// <c>MALLOC_MMAP_THRESHOLD_</c> or <c>MALLOC_ARENA_MAX</c> in the environment wins: glibc read it at start, and that
    /// setting is left as it is. Returns the settings made here.
    /// </summary>
    public static IReadOnlyList<string> KeepFreedMemoryReturned() =>
        KeepFreedMemoryReturned(Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_"), Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX"));

    internal static IReadOnlyList<string> KeepFreedMemoryReturned(string? adminsThreshold, string? adminsArenas)
    {
        var made = new List<string>();
        if (!OperatingSystem.IsLinux()) return made;
        try
        {
            if (adminsThreshold is null && mallopt(M_MMAP_THRESHOLD, MapThreshold) == 1) made.Add($"mmap threshold {MapThreshold}");
            if (adminsArenas is null && mallopt(M_ARENA_MAX, Arenas) == 1) made.Add($"arena max {Arenas}");
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // another C library (musl on Alpine): its allocator has neither to set
        }
        return made;
    }

    // Blittable arguments and result: nothing to marshal, so the plain DllImport is enough ("libc" is libc.so.6 on Linux).
    [DllImport("libc", ExactSpelling = true)]
    private static extern int mallopt(int param, int value);
}
