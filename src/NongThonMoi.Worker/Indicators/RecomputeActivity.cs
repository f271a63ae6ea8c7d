using Hangfire.Server;

namespace NongThonMoi.Indicators;

/// <summary>
/// The recompute jobs whose work this process has finished, by Hangfire job id (<see cref="RecomputeFinished"/> notes each
/// one as its method returns). Hangfire marks a job Succeeded a moment later; the trigger reads this to tell its last job
/// still computing from one that is only waiting for that mark: the follow-up of the first waits
/// (<see cref="HangfireRecomputeTrigger.RushInterval"/>), of the second it need not.
/// </summary>
public sealed class RecomputeActivity
{
    /// <summary>How long a finished job is remembered: the trigger only asks about the job it enqueued last.</summary>
    private static readonly TimeSpan Memory = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _finished = new(StringComparer.Ordinal);

    public void Finished(string jobId)
    {
        var now = TimeProvider.System.GetTimestamp();
        lock (_gate)
        {
            _finished[jobId] = now;
            foreach (var (id, at) in _finished.ToList())
                if (TimeProvider.System.GetElapsedTime(at, now) > Memory) _finished.Remove(id);
        }
    }

    public bool HasFinished(string jobId)
    {
        lock (_gate) return _finished.ContainsKey(jobId);
    }
}

/// <summary>Notes in <see cref="RecomputeActivity"/> each <see cref="RecomputeJob"/> this process has run, as its method returns.</summary>
internal sealed class RecomputeFinished(RecomputeActivity activity) : IServerFilter
{
    public void OnPerforming(PerformingContext context)
    {
    }

    public void OnPerformed(PerformedContext context)
    {
        if (context.BackgroundJob.Job?.Type == typeof(RecomputeJob)) activity.Finished(context.BackgroundJob.Id);
    }
}
