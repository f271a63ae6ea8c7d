using Hangfire;
using Microsoft.Extensions.Options;
using NongThonMoi.Bulletins;
using NongThonMoi.Indicators;
using NongThonMoi.Infrastructure.Jobs;
using NongThonMoi.Reminders;

namespace NongThonMoi.Composition;

/// <summary>
/// Every recurring job and its cron, in one place. Crons are read in <c>Schedule:TimeZone</c>. Each worker
/// registers them at start; AddOrUpdate by a fixed id makes that idempotent across workers.
/// </summary>
public sealed class RecurringJobs(IRecurringJobManager jobs, IOptions<ScheduleOptions> schedule)
{
    public const string Recompute = "recompute";
    public const string Bulletin = "bulletin";
    public const string Reminders = "reminders";

    public void Register()
    {
        var options = new RecurringJobOptions
        {
            TimeZone = schedule.Value.Zone,
            // A bulletin missed while every worker was down goes out once when one comes back, not once per missed slot.
            MisfireHandling = MisfireHandlingMode.Relaxed,
        };
        jobs.AddOrUpdate<RecomputeJob>(Recompute, j => j.RunAsync(null, false, CancellationToken.None), schedule.Value.Recompute, options);
        jobs.AddOrUpdate<BulletinJob>(Bulletin, j => j.RunScheduledAsync(CancellationToken.None), schedule.Value.Bulletin, options);
        jobs.AddOrUpdate<ReminderJob>(Reminders, j => j.RunAsync(CancellationToken.None), schedule.Value.Reminders, options);
    }
}
