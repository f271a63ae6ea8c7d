using Hangfire;

namespace NongThonMoi.Infrastructure.Mail;

/// <summary>A kind of mail run and how to enqueue the job that continues one; registered by the capability that owns the kind.</summary>
public sealed record MailRunJob(string Kind, Func<IBackgroundJobClient, long, string> Enqueue);

/// <summary>
/// Finds the runs whose job died (open rows, hold run out: <see cref="DeliveryLedger.SweepAsync"/>) and enqueues a job
/// that continues each, at start and then every quarter of <c>Jobs:DeliveryLease</c> (at most every 15 s). Without it a
/// dead worker's run waits for Hangfire to fetch its job again, after the invisibility timeout (5 minutes); with it
/// the members wait about one lease. The job the sweep enqueues and the original, should Hangfire bring that back too,
/// continue the same run through the ledger, so neither sends anything twice.
/// </summary>
internal sealed class RunSweeper(
    DeliveryLedger ledger, IEnumerable<MailRunJob> kinds, IBackgroundJobClient jobs, IHostApplicationLifetime lifetime, TimeProvider clock,
    ILogger<RunSweeper> logger) : BackgroundService
{
    public TimeSpan Interval => TimeSpan.FromTicks(Math.Clamp(ledger.Lease.Ticks / 4, TimeSpan.TicksPerSecond, 15 * TimeSpan.TicksPerSecond));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Only once the start-up tasks are done (migrations, on an empty database the tables do not exist before).
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        await using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try { await started.Task; }
            catch (OperationCanceledException) { return; }
        }

        var byKind = kinds.ToDictionary(k => k.Kind);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var run in await ledger.SweepAsync(stoppingToken))
                {
                    if (!byKind.TryGetValue(run.Kind, out var kind))
                    {
                        logger.LogWarning("Run {RunId} ({Kind} {Period}) has open deliveries but no job kind continues it", run.Id, run.Kind, run.Period);
                        continue;
                    }
                    var job = kind.Enqueue(jobs, run.Id);
                    logger.LogInformation("Run {RunId} ({Kind} {Period}, copy {Copy}) has open deliveries and no live job: enqueued job {JobId} to continue it",
                        run.Id, run.Kind, run.Period, run.Copy, job);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The database away for a moment: the next sweep tries again; nothing is lost meanwhile.
                logger.LogWarning("Sweep of mail runs failed; trying again in {Interval}: {Error}", Interval, e.Message);
            }
            try { await Task.Delay(Interval, clock, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }
}
