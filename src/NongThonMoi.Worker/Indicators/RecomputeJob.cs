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
/// Enqueues a recompute at once for the first request of a period, then at most one more per <see cref="Gap"/> while
/// requests keep coming. Every accepted submission used to enqueue its own job: a deadline rush of 4,200 submissions left
/// 4,200 national recomputes queued, each loading the whole snapshot's input (bench/, BENCHMARKS.md). A request made
/// while a follow-up is pending is served by that follow-up, which is enqueued after it, so it still reaches the figures.
/// </summary>
internal sealed class HangfireRecomputeTrigger(IBackgroundJobClient jobs, ReportingCalendar calendar, ILogger<HangfireRecomputeTrigger> logger)
    : IRecomputeTrigger
{
    /// <summary>Real time, not the injected clock: this spaces out jobs, it decides nothing about periods or deadlines.</summary>
    private static readonly TimeSpan Gap = TimeSpan.FromSeconds(1);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Pending> _pending = new();

    public void Request(string period)
    {
        Coalesce(period);
        // A late or back-filled period also changes the current one, which carries its data forward.
        var current = calendar.Current.Id;
        if (string.CompareOrdinal(period, current) < 0) Coalesce(current);
    }

    private void Coalesce(string period)
    {
        var pending = _pending.GetOrAdd(period, _ => new Pending());
        lock (pending)
        {
            if (pending.Open)
            {
                pending.Again = true;
                return;
            }
            pending.Open = true;
        }
        try
        {
            Enqueue(period);
        }
        catch
        {
            lock (pending) pending.Open = false;
            throw;
        }
        _ = Task.Run(() => FollowUpAsync(period, pending));
    }

    private async Task FollowUpAsync(string period, Pending pending)
    {
        while (true)
        {
            await Task.Delay(Gap);
            lock (pending)
            {
                if (!pending.Again)
                {
                    pending.Open = false;
                    return;
                }
                pending.Again = false;
            }
            try
            {
                Enqueue(period);
            }
            catch (Exception e)
            {
                // The scheduled recompute (Schedule:Recompute) picks the submission up; the next request tries again.
                logger.LogWarning(e, "Could not enqueue the recompute of {Period}", period);
            }
        }
    }

    private void Enqueue(string period) => jobs.Enqueue<RecomputeJob>(j => j.RunAsync(period, true, CancellationToken.None));

    private sealed class Pending
    {
        public bool Open;
        public bool Again;
    }
}
