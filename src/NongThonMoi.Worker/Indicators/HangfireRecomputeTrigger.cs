using System.Threading.Channels;
using Hangfire;
using NongThonMoi.Programme;

namespace NongThonMoi.Indicators;

/// <summary>
/// Enqueues a recompute of the period of each accepted submission — off the request path, and at most one waiting job
/// per period.
/// <para>
/// Off the request path: enqueuing a Hangfire job is several statements (job, state, queue) and checking the queue one
/// more; in a deadline rush they were a fifth of a submission's time (BENCHMARKS.md). The request only writes the period to
/// a channel and answers; <see cref="ExecuteAsync"/> takes what has gathered, once per period, and enqueues it. Nothing
/// depends on the job being enqueued before the answer: the submission is committed, and the scheduled recompute
/// (<c>Schedule:Recompute</c>) would reach it anyway. Where no host runs this loop (a command-line verb such as
/// <c>submit</c>), requests are enqueued at once, as before.
/// </para>
/// <para>
/// At most one waiting job: a rush (hundreds of districts in a minute) otherwise enqueues one job per submission; they
/// all queue on the period's lock and most find nothing new, but their number keeps the job server and the database busy
/// long after the rush (DeadlineRushTests, BENCHMARKS.md). Skipping is safe: a job still in the Enqueued state has not
/// started, so it reads its inputs after the submission's commit. A job that is processing may already have read, so a new
/// one is enqueued. Each process tracks its own jobs, so a job that another worker runs never makes this one skip wrongly.
/// </para>
/// </summary>
internal sealed class HangfireRecomputeTrigger(
    IBackgroundJobClient jobs, JobStorage storage, ReportingCalendar calendar, ILogger<HangfireRecomputeTrigger> logger)
    : BackgroundService, ISubmissionAccepted
{
    private readonly Channel<string> requests = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, string> waiting = new(StringComparer.Ordinal);
    private volatile bool forwarding;
    private int pending; // written to the channel and not yet enqueued

    public void OnAccepted(string period)
    {
        // A late or back-filled period also changes the current one, which carries its data forward.
        var current = calendar.Current.Id;
        string[] periods = string.CompareOrdinal(period, current) < 0 ? [period, current] : [period];
        if (forwarding)
            foreach (var p in periods)
            {
                Interlocked.Increment(ref pending);
                requests.Writer.TryWrite(p);
            }
        else
            EnqueueNow(periods);
    }

    /// <summary>Waits until every request written so far is enqueued (for tests, which read the queue).</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        while (Volatile.Read(ref pending) > 0) await Task.Delay(5, ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        forwarding = true;
        try
        {
            while (await requests.Reader.WaitToReadAsync(stoppingToken))
                Forward();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Stopping: what the last requests asked for is enqueued before the host goes.
            forwarding = false;
            Forward();
        }
    }

    /// <summary>Enqueues what has gathered, once per period. Only <see cref="ExecuteAsync"/> calls it, one call at a time.</summary>
    private void Forward()
    {
        var periods = new SortedSet<string>(StringComparer.Ordinal);
        var read = 0;
        for (; requests.Reader.TryRead(out var period); read++) periods.Add(period);
        EnqueueNow(periods);
        Interlocked.Add(ref pending, -read);
    }

    private void EnqueueNow(IEnumerable<string> periods)
    {
        foreach (var period in periods)
        {
            try
            {
                Enqueue(period);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The submission is archived and counted; the scheduled recompute brings the figures up to date.
                logger.LogWarning(e, "Recompute of {Period} not enqueued now; the scheduled recompute will include it", period);
            }
        }
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
