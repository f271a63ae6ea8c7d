using System.Threading.Channels;
using Hangfire;
using NongThonMoi.Programme;

namespace NongThonMoi.Indicators;

/// <summary>
/// Enqueues a recompute of the period of each accepted submission — off the request path, at most one waiting job per
/// period, and in a rush at most one a second.
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
/// <para>
/// At most one a second in a rush: while the period's last job is running, its follow-up is enqueued no sooner than
/// <see cref="RushInterval"/> after it, and the requests of that second go with it. Enqueued the moment the last one
/// started, recomputes ran back to back through a national rush — 17 in 4 s, a quarter of the CPU the worker and
/// PostgreSQL spent per submission (perf and pg_stat_statements, BENCHMARKS.md finding 27). A submission after a quiet
/// moment (no job of the period running) is enqueued at once, as before.
/// </para>
/// </summary>
internal sealed class HangfireRecomputeTrigger(
    IBackgroundJobClient jobs, JobStorage storage, ReportingCalendar calendar, RecomputeActivity activity,
    ILogger<HangfireRecomputeTrigger> logger)
    : BackgroundService, ISubmissionAccepted
{
    /// <summary>The least time between two jobs of a period while the first is running.</summary>
    internal static readonly TimeSpan RushInterval = TimeSpan.FromSeconds(1);

    /// <summary><see cref="RushInterval"/>; a test sets it longer, so that a deferral it looks at cannot end meanwhile.</summary>
    internal TimeSpan Interval { get; set; } = RushInterval;

    // Real time, not the programme's clock: this paces work on the machine, and a test's fake clock (moved by days) must
    // neither stop it nor skip it.
    private static readonly TimeProvider Machine = TimeProvider.System;

    private readonly Channel<string> requests = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, (string JobId, long EnqueuedAt)> waiting = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> deferred = new(StringComparer.Ordinal); // period → when it may be enqueued (loop only)
    private volatile bool forwarding;
    private int pending; // written to the channel, or deferred, and not yet enqueued

    public void OnAccepted(string period)
    {
        // A late or back-filled period also changes the current one, which carries its data forward.
        var current = calendar.Current.Id;
        string[] periods = string.CompareOrdinal(period, current) < 0 ? [period, current] : [period];
        foreach (var p in periods)
        {
            Interlocked.Increment(ref pending);
            if (forwarding && requests.Writer.TryWrite(p)) continue;
            Interlocked.Decrement(ref pending);
            EnqueueNow([p]);
        }
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
            // One wait for the channel at a time (it has a single reader), kept across turns of the loop.
            Task<bool>? readable = null;
            while (true)
            {
                readable ??= requests.Reader.WaitToReadAsync(stoppingToken).AsTask();
                // A deferred period waits for its time; a request meanwhile (another period, or the same again) is taken
                // at once, so a late week is not held back by the current one's rush.
                var wait = deferred.Count == 0 ? Timeout.InfiniteTimeSpan : Machine.GetElapsedTime(Machine.GetTimestamp(), deferred.Values.Min());
                if (wait == Timeout.InfiniteTimeSpan || wait > TimeSpan.Zero)
                {
                    using var timer = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    var due = Task.Delay(wait, Machine, timer.Token);
                    if (await Task.WhenAny(readable, due) == due)
                        await due; // a deferred period's time (or the host stopping, which throws)
                    else
                    {
                        timer.Cancel();
                        if (!await readable) break;
                        readable = null;
                    }
                }
                Forward(pace: true);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Stopping: what the last requests asked for is enqueued before the host goes. A request written after this
            // finds the channel closed and is enqueued by its caller.
            forwarding = false;
            requests.Writer.TryComplete();
            Forward(pace: false);
        }
    }

    /// <summary>
    /// Enqueues what has gathered and what was deferred and is due, once per period; with <paramref name="pace"/>, a period
    /// whose last job is running and started less than <see cref="Interval"/> ago is deferred instead. Only
    /// <see cref="ExecuteAsync"/> calls it, one call at a time.
    /// </summary>
    private void Forward(bool pace)
    {
        var periods = new SortedSet<string>(StringComparer.Ordinal);
        while (requests.Reader.TryRead(out var period))
            // One count per period stays, until it is enqueued; a deferred period keeps its own and waits for its time.
            if (deferred.ContainsKey(period) || !periods.Add(period)) Interlocked.Decrement(ref pending);
        var now = Machine.GetTimestamp();
        foreach (var (period, due) in deferred.ToList())
            if (!pace || due <= now)
            {
                deferred.Remove(period);
                periods.Add(period);
            }
        foreach (var period in periods)
        {
            if (TryEnqueue(period, pace) is { } due)
            {
                deferred[period] = due;
                continue;
            }
            Interlocked.Decrement(ref pending);
        }
    }

    private void EnqueueNow(IEnumerable<string> periods)
    {
        foreach (var period in periods) TryEnqueue(period, pace: false);
    }

    /// <summary>
    /// Enqueues a recompute of the period unless this process's last one still waits in the queue; with
    /// <paramref name="pace"/>, returns instead when it may be enqueued, if that last job is running and was enqueued less
    /// than <see cref="Interval"/> ago. The last job's state is read once for both.
    /// </summary>
    private long? TryEnqueue(string period, bool pace)
    {
        try
        {
            (string JobId, long EnqueuedAt)? last = null;
            lock (waiting)
                if (waiting.TryGetValue(period, out var entry)) last = entry;
            var state = last is { } l ? StateOf(l.JobId) : null;
            if (state == Hangfire.States.EnqueuedState.StateName) return null;
            if (pace && state == Hangfire.States.ProcessingState.StateName && last is { } running)
            {
                var due = running.EnqueuedAt + (long)(Interval.TotalSeconds * Machine.TimestampFrequency);
                // Its work done here (its method has returned), the job is only waiting to be marked Succeeded: one request
                // after another, each sent once the last one's figures are in (the freshness scenario), is not a rush.
                if (Machine.GetTimestamp() < due && !activity.HasFinished(running.JobId)) return due;
            }
            var id = jobs.Enqueue<RecomputeJob>(j => j.RunAsync(period, true, CancellationToken.None));
            lock (waiting) waiting[period] = (id, Machine.GetTimestamp());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The submission is archived and counted; the scheduled recompute brings the figures up to date.
            logger.LogWarning(e, "Recompute of {Period} not enqueued now; the scheduled recompute will include it", period);
        }
        return null;
    }

    private string? StateOf(string jobId)
    {
        using var connection = storage.GetConnection();
        return connection.GetStateData(jobId)?.Name;
    }
}
