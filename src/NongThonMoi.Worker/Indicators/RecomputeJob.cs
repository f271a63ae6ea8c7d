using System.Diagnostics;
using Hangfire;
using NongThonMoi.Reporting;

namespace NongThonMoi.Indicators;

/// <summary>
/// Recomputes the figures of a period and stores them as a new snapshot. Runs on <c>Schedule:Recompute</c>
/// and after each accepted submission; a run that would use the same submissions as the last snapshot
/// (<c>onlyIfChanged</c>) stops early, which coalesces a burst of submissions into one computation.
/// </summary>
public sealed class RecomputeJob(SnapshotRepository repository, ReportingCalendar calendar, RecomputeTimings timings, ILogger<RecomputeJob> logger)
{
    [AutomaticRetry(Attempts = 3)]
    public async Task RunAsync(string? period, bool onlyIfChanged, CancellationToken ct) =>
        await ComputeAsync(period is null ? calendar.Current : ReportingPeriod.Parse(period), onlyIfChanged, ct);

    /// <summary>
    /// The newest stored snapshot of <paramref name="period"/> (or of any period when null); when there is none yet,
    /// the period (or the current one) is computed first, so a bulletin or preview never waits for the schedule.
    /// </summary>
    public async Task<StoredSnapshot> LatestOrComputeAsync(string? period, CancellationToken ct)
    {
        if (await repository.FindAsync(period, ct) is { } stored) return stored;
        var target = period is null ? calendar.Current : ReportingPeriod.Parse(period);
        await ComputeAsync(target, onlyIfChanged: false, ct);
        return await repository.FindAsync(target.Id, ct) ?? throw new InvalidOperationException($"no snapshot for {target.Id}");
    }

    public async Task<CalculationResult?> ComputeAsync(ReportingPeriod period, bool onlyIfChanged, CancellationToken ct)
    {
        // One computation of a period at a time, each reading its inputs only once it holds the lock: the snapshot
        // stored last is always computed from the newest data, and a queued duplicate finds nothing new and stops.
        await using var _ = await repository.LockPeriodAsync(period.Id, ct);
        var mark = await repository.LatestAcceptedAsync(ct);
        var watch = Stopwatch.StartNew();
        var input = await repository.LoadInputAsync(period, calendar.Now, ct);
        var used = SnapshotRepository.SubmissionsUsed(input);
        // "Nothing new" is judged by the submissions used, not by times: two submissions can share a received_at,
        // or commit in another order than they were received, and the later one must still reach the figures.
        if (onlyIfChanged && await repository.LatestSubmissionsAsync(period.Id, ct) is { } stored && stored.SetEquals(used))
        {
            logger.LogDebug("Recompute {Period}: nothing new since the last snapshot", period.Id);
            return null;
        }
        var result = IndicatorCalculator.Calculate(input);
        var id = await repository.SaveAsync(result, mark, used, ct);
        timings.Record(watch.Elapsed);
        var p = result.Snapshot.Province;
        logger.LogInformation(
            "Recompute {Period}: snapshot {SnapshotId}, {Standard}/{Communes} communes standard, {Reported}/{Expected} units reported, in {ElapsedMs} ms",
            period.Id, id, p.Standard, p.Communes, result.Snapshot.Submissions.OnTime + result.Snapshot.Submissions.Late,
            result.Snapshot.Submissions.Expected, watch.ElapsedMilliseconds);
        return result;
    }
}

/// <summary>Asks for a recompute soon; used by the submission path so it does not wait for the figures.</summary>
public interface IRecomputeTrigger
{
    void Request(string period);
}

/// <summary>
/// Enqueues a triggered recompute, unless one this process enqueued for the period is still waiting in the queue.
/// A deadline rush (hundreds of districts in a minute) otherwise enqueues one job per accepted submission; they all
/// queue on the period's lock and most find nothing new, but their sheer number kept the job server and the database
/// busy long after the rush (400 districts: 421 jobs for 9 snapshots, figures settled 28 s after the last submission;
/// with this, 14 jobs and settled within a second: DeadlineRushTests).
/// Skipping is safe: the caller's submission is committed before <see cref="Request"/>, and a job still in the
/// Enqueued state has not started, so it reads its inputs after that commit. Only that state counts; a job that is
/// processing may already have read, so a new one is enqueued. Each process tracks its own jobs, so a job that another
/// worker runs never makes this one skip wrongly.
/// </summary>
internal sealed class HangfireRecomputeTrigger(IBackgroundJobClient jobs, JobStorage storage, ReportingCalendar calendar) : IRecomputeTrigger
{
    private readonly Dictionary<string, string> waiting = new(StringComparer.Ordinal);

    public void Request(string period)
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
