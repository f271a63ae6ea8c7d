using Hangfire;
using NongThonMoi.Programme;

namespace NongThonMoi.Indicators;

/// <summary>
/// Enqueues a triggered recompute, unless one this process enqueued for the period is still waiting in the queue.
/// A deadline rush (hundreds of districts in a minute) otherwise enqueues one job per accepted submission; they all
/// queue on the period's lock and most find nothing new, but their sheer number keeps the job server and the database
/// busy long after the rush (measured in DeadlineRushTests and BENCHMARKS.md).
/// Skipping is safe: the caller's submission is committed before <see cref="OnAccepted"/>, and a job still in the
/// Enqueued state has not started, so it reads its inputs after that commit. Only that state counts; a job that is
/// processing may already have read, so a new one is enqueued. Each process tracks its own jobs, so a job that another
/// worker runs never makes this one skip wrongly.
/// </summary>
internal sealed class HangfireRecomputeTrigger(IBackgroundJobClient jobs, JobStorage storage, ReportingCalendar calendar) : ISubmissionAccepted
{
    private readonly Dictionary<string, string> waiting = new(StringComparer.Ordinal);

    public void OnAccepted(string period)
    {
        Enqueue(period);
        // A late or back-filled period also changes the current one, which carries its data forward.
        var current = calendar.Current.Id;
        if (string.CompareOrdinal(period, current) < 0) Enqueue(current);
    }

    private void Enqueue(string period)
    {
        string? last;
        lock (waiting) waiting.TryGetValue(period, out last);
        if (last is not null && StillEnqueued(last)) return;
        var id = jobs.Enqueue<RecomputeJob>(j => j.RunAsync(period, true, CancellationToken.None));
        lock (waiting) waiting[period] = id;
    }

    private bool StillEnqueued(string jobId)
    {
        using var connection = storage.GetConnection();
        return connection.GetStateData(jobId)?.Name == Hangfire.States.EnqueuedState.StateName;
    }
}
