using System.Runtime.InteropServices;
using NongThonMoi.Infrastructure;

namespace NongThonMoi.Tests.Infrastructure;

/// <summary>
/// The worker fixes glibc's threshold for mapping a block on its own and caps its arenas (<see cref="NativeHeap"/>): a
/// large block freed goes back to the system, and the next one of the same size is mapped again instead of kept in the heap. Read from glibc's own
/// count of mapped bytes (<c>mallinfo2</c>, glibc ≥ 2.33: Debian 12 has 2.36).
/// </summary>
public sealed class NativeHeapTests
{
    private const nuint Block = 16 * 1024 * 1024; // under glibc's 32 MB ceiling, so the moving threshold would take it

    [Fact]
    public void A_large_block_freed_and_asked_for_again_is_mapped_again_not_kept_in_the_heap()
    {
        Assert.Contains($"mmap threshold {NativeHeap.MapThreshold}", NativeHeap.KeepFreedMemoryReturned(adminsThreshold: null, adminsArenas: null));

        for (var round = 0; round < 3; round++)
        {
            // With glibc's moving threshold the first free raises it to 16 MB, and the second block comes from the heap.
            var before = (long)mallinfo2().hblkhd;
            var block = Marshal.AllocHGlobal((nint)Block); // malloc
            var held = (long)mallinfo2().hblkhd;
            Marshal.FreeHGlobal(block);
            Assert.True(held - before >= (long)Block, $"round {round}: mapped bytes grew by {held - before}, not by the block's {Block}");
        }
    }

    [Fact]
    public void An_admins_own_settings_are_left_as_they_are()
    {
        // MALLOC_MMAP_THRESHOLD_ and MALLOC_ARENA_MAX, read by glibc at start
        Assert.Equal([$"arena max {NativeHeap.Arenas}"], NativeHeap.KeepFreedMemoryReturned(adminsThreshold: "65536", adminsArenas: null));
        Assert.Equal([$"mmap threshold {NativeHeap.MapThreshold}"], NativeHeap.KeepFreedMemoryReturned(adminsThreshold: null, adminsArenas: "4"));
        Assert.Empty(NativeHeap.KeepFreedMemoryReturned(adminsThreshold: "65536", adminsArenas: "4"));
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly struct MallInfo2
    {
        public readonly nuint arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;
    }

    [DllImport("libc", ExactSpelling = true)]
    private static extern MallInfo2 mallinfo2();
}
