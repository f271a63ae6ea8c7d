using NongThonMoi.Infrastructure.Jobs;

namespace NongThonMoi.Tests.Reliability;

/// <summary>
/// Jobs are picked up by polling the queue, not by Hangfire.PostgreSql's long polling: its listener, cancelled after every
/// fetch, can leave the job server's thread waiting for good with the job it fetched (npgsql/npgsql#5975; a national bench
/// run stopped that way on 3 December, BENCHMARKS.md finding 28). The hang is rare (once in the eleven national runs of
/// that day, some two hundred jobs each) and no test here provokes it on demand, so this one holds the settings that
/// avoid it.
/// </summary>
public sealed class JobPickupTests
{
    [Fact]
    public void The_job_queue_is_polled_often_and_never_through_a_listener()
    {
        var options = JobsExtensions.StorageOptions(TimeSpan.FromMinutes(5));
        Assert.False(options.EnableLongPolling, "long polling's listener can hang a job thread (npgsql/npgsql#5975)");
        // A job another worker enqueued starts within the poll (one enqueued in the same process wakes a thread at once).
        Assert.True(options.QueuePollInterval <= TimeSpan.FromSeconds(1), $"queue polled every {options.QueuePollInterval}");
        Assert.True(options.UseSlidingInvisibilityTimeout);
    }
}
