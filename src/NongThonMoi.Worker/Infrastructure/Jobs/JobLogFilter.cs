using System.Diagnostics;
using Hangfire.Common;
using Hangfire.Server;

namespace NongThonMoi.Infrastructure.Jobs;

/// <summary>
/// One line when any job starts and one when it ends (with its duration and outcome), written by whichever worker
/// runs it, so the admin can follow every job in the log without opening the dashboard. The jobs add their own
/// counts (recompute, bulletin, reminders) in between. Arguments are not logged: they are periods and committee ids
/// today, but a job argument is no place to promise that nothing secret will ever travel.
/// </summary>
internal sealed class JobLogFilter(ILogger<JobLogFilter> logger) : IServerFilter
{
    private const string WatchKey = "ntm.watch";

    public void OnPerforming(PerformingContext context)
    {
        context.Items[WatchKey] = Stopwatch.StartNew();
        logger.LogInformation("Job {JobId} {Job} started (attempt {Attempt})",
            context.BackgroundJob.Id, Name(context), context.GetJobParameter<int?>("RetryCount") is { } retries ? retries + 1 : 1);
    }

    public void OnPerformed(PerformedContext context)
    {
        var elapsed = context.Items.TryGetValue(WatchKey, out var w) && w is Stopwatch watch ? watch.ElapsedMilliseconds : -1;
        if (context.Exception is null)
            logger.LogInformation("Job {JobId} {Job} finished in {ElapsedMs} ms", context.BackgroundJob.Id, Name(context), elapsed);
        else if (context.Exception is OperationCanceledException && context.CancellationToken.ShutdownToken.IsCancellationRequested)
            logger.LogWarning("Job {JobId} {Job} stopped after {ElapsedMs} ms: the worker is shutting down; the job goes back to the queue",
                context.BackgroundJob.Id, Name(context), elapsed);
        else
            logger.LogWarning("Job {JobId} {Job} failed after {ElapsedMs} ms: {Error}",
                context.BackgroundJob.Id, Name(context), elapsed, (context.Exception.InnerException ?? context.Exception).Message);
    }

    private static string Name(PerformContext context) => $"{context.BackgroundJob.Job.Type.Name}.{context.BackgroundJob.Job.Method.Name}";
}

/// <summary>
/// Hangfire's global filters plus this server's own (<see cref="JobLogFilter"/>, and any other <see cref="IServerFilter"/>
/// registered in the container): the global collection is static, and several hosts in one process (the tests) would
/// otherwise each add their filters to every host.
/// </summary>
internal sealed class WithServerFilters(IJobFilterProvider inner, IReadOnlyList<IServerFilter> filters) : IJobFilterProvider
{
    public IEnumerable<JobFilter> GetFilters(Job job) =>
        inner.GetFilters(job).Concat(filters.Select(f => new JobFilter(f, JobFilterScope.Global, order: null)));
}
