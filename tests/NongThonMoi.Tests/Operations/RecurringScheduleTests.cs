using Hangfire;
using Hangfire.Storage;
using NongThonMoi.Composition;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Operations;

/// <summary>
/// Every worker registers the recurring schedule at start (RecurringJobs). Test apps leave it out unless a test asks,
/// since its crons run on the real clock beside the test's fake one; these two tests hold both halves of that.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class RecurringScheduleTests(PostgresFixture postgres)
{
    [Fact]
    public async Task A_worker_registers_the_three_recurring_jobs_with_the_configured_crons_in_the_schedule_zone()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, referenceDirectory: reference.Directory, schedule: true,
            settings: new Dictionary<string, string?> { ["Schedule:Reminders"] = "30 6 * * 1-5" });

        using var connection = app.Get<JobStorage>().GetConnection();
        var jobs = connection.GetRecurringJobs().ToDictionary(j => j.Id);
        Assert.Equal([RecurringJobs.Bulletin, RecurringJobs.Recompute, RecurringJobs.Reminders], jobs.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("*/15 * * * *", jobs[RecurringJobs.Recompute].Cron);
        Assert.Equal("0 7 * * MON", jobs[RecurringJobs.Bulletin].Cron);
        Assert.Equal("30 6 * * 1-5", jobs[RecurringJobs.Reminders].Cron);
        Assert.All(jobs.Values, j => Assert.Equal("Asia/Ho_Chi_Minh", j.TimeZoneId));
        Assert.Equal("RecomputeJob.RunAsync", $"{jobs[RecurringJobs.Recompute].Job.Type.Name}.{jobs[RecurringJobs.Recompute].Job.Method.Name}");
        Assert.Equal("BulletinJob.RunScheduledAsync", $"{jobs[RecurringJobs.Bulletin].Job.Type.Name}.{jobs[RecurringJobs.Bulletin].Job.Method.Name}");
        Assert.Equal("ReminderJob.RunAsync", $"{jobs[RecurringJobs.Reminders].Job.Type.Name}.{jobs[RecurringJobs.Reminders].Job.Method.Name}");
    }

    [Fact]
    public async Task A_test_app_that_does_not_ask_for_the_schedule_has_no_recurring_job()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, referenceDirectory: reference.Directory);

        using var connection = app.Get<JobStorage>().GetConnection();
        Assert.Empty(connection.GetRecurringJobs());
        // The start-up did run (the reference folder is loaded), so the schedule is missing by the test's choice alone.
        Assert.NotEmpty((await app.Get<NongThonMoi.Programme.ReferenceStore>().LoadAsync(default)).Units);
    }
}
