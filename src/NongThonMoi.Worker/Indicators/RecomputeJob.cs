using System.Diagnostics;
using Hangfire;
using NongThonMoi.Programme;

namespace NongThonMoi.Indicators;

/// <summary>
/// Recomputes the figures of a period and stores them as a new snapshot. Runs on <c>Schedule:Recompute</c>
/// and after each accepted submission; a run that would use the same submissions as the last snapshot
/// (<c>onlyIfChanged</c>) stops early, which coalesces a burst of submissions into one computation.
/// </summary>
public sealed class RecomputeJob(
    SnapshotRepository repository, ReferenceStore reference, ReportingCalendar calendar, RecomputeTimings timings, ILogger<RecomputeJob> logger)
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

    /// <summary>Each commune's row as the snapshot's figures used it (rebuilt from the submission rows it references).</summary>
    public Task<IReadOnlyList<CommuneFigures>> CommunesAsync(StoredSnapshot stored, CancellationToken ct) => repository.CommunesAsync(stored, ct);

    /// <summary>
    /// The newest snapshot of each of <paramref name="count"/> periods up to <paramref name="current"/>'s, oldest first, for the
    /// trend chart. A period before a merger that took effect by the current boundaries is computed again on the current
    /// units (not stored: its own snapshot stays as it was sent), so the line continues across the merger on mapped history.
    /// </summary>
    public async Task<List<IndicatorSnapshot>> TrendAsync(StoredSnapshot current, int count, CancellationToken ct)
    {
        var history = await repository.HistoryAsync(current.Period, count, ct);
        var data = await reference.LoadAsync(ct);
        var boundaries = calendar.BoundariesOf(ReportingPeriod.Parse(current.Period));
        var trend = new List<IndicatorSnapshot>(history.Count);
        foreach (var snapshot in history)
        {
            var period = ReportingPeriod.Parse(snapshot.Period);
            var own = calendar.BoundariesOf(period);
            trend.Add(data.Mergers.Any(m => m.Effective > own && m.Effective <= boundaries)
                ? IndicatorCalculator.Calculate(await repository.LoadInputAsync(period, snapshot.ComputedAt, ct, boundaries)).Snapshot
                : snapshot);
        }
        return trend;
    }

    public async Task<CalculationResult?> ComputeAsync(ReportingPeriod period, bool onlyIfChanged, CancellationToken ct)
    {
        // One computation of a period at a time, each reading its inputs only once it holds the lock: the snapshot
        // stored last is always computed from the newest data, and a queued duplicate finds nothing new and stops.
        await using var _ = await repository.LockPeriodAsync(period.Id, ct);
        var watch = Stopwatch.StartNew();
        var input = await repository.LoadInputAsync(period, calendar.Now, ct);
        var used = SnapshotRepository.SubmissionsUsed(input);
        // "Nothing new" is judged by the submissions used, not by times: two submissions can share a received_at,
        // or commit in another order than they were received, and the later one must still reach the figures.
        // The unit list counts too: a snapshot's commune rows are rebuilt on the unit list of its day (CommunesAsync), so after
        // units.csv changed that day's communes (a merger entered late) the period needs a snapshot on the new list, or its
        // bulletin could not be built.
        if (onlyIfChanged && await repository.LatestSubmissionsAsync(period.Id, ct) is { } stored && stored.SubmissionIds.SetEquals(used)
            && (stored.Communes is null || stored.Communes == input.Communes.Count))
        {
            logger.LogDebug("Recompute {Period}: nothing new since the last snapshot", period.Id);
            return null;
        }
        var result = IndicatorCalculator.Calculate(input);
        // The mark stored with the snapshot (input_mark, for tracing) is the newest of the period's submissions it read: it was a
        // scan of every current submission per recompute (BENCHMARKS.md, finding 15).
        var id = await repository.SaveAsync(result, input.NewestReceived, used, ct);
        timings.Record(watch.Elapsed);
        var p = result.Snapshot.Province;
        logger.LogInformation(
            "Recompute {Period}: snapshot {SnapshotId}, {Standard}/{Communes} communes standard, {Reported}/{Expected} units reported, in {ElapsedMs} ms",
            period.Id, id, p.Standard, p.Communes, result.Snapshot.Submissions.OnTime + result.Snapshot.Submissions.Late,
            result.Snapshot.Submissions.Expected, watch.ElapsedMilliseconds);
        return result;
    }
}
