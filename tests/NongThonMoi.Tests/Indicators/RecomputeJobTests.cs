using System.Net;
using System.Net.Http.Json;
using Dapper;
using Hangfire;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Indicators;
using NongThonMoi.Programme;
using NongThonMoi.Tests.Support;
using Npgsql;

namespace NongThonMoi.Tests.Indicators;

[Collection(DatabaseCollection.Name)]
public sealed class RecomputeJobTests(PostgresFixture postgres, SmtpFixture smtp)
{
    [Fact]
    public async Task A_recompute_waits_for_another_of_the_same_period_and_then_reads_the_newest_data()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        // Wednesday 25/11/2026 10:00 in Hà Nội: week 48, before the deadline.
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero)));
        var repository = app.Get<SnapshotRepository>();

        var held = await repository.LockPeriodAsync("2026-W48", default);
        var waiting = app.InScopeAsync<RecomputeJob, CalculationResult?>(j => j.ComputeAsync(ReportingPeriod.Parse("2026-W48"), false, default));
        // Another period is not held up.
        Assert.NotNull(await app.InScopeAsync<RecomputeJob, CalculationResult?>(j => j.ComputeAsync(ReportingPeriod.Parse("2026-W47"), false, default)));
        // The waiting computation is seen queued on the period's lock in PostgreSQL, not assumed after a sleep.
        await Poll.UntilAsync(async () => await WaitersOnAdvisoryLocksAsync(app.ConnectionString) == 1, TimeSpan.FromSeconds(30), "a recompute waiting on the period lock");
        Assert.False(waiting.IsCompleted);

        // A submission accepted while the period is held is in the figures of the computation that waited.
        Assert.Equal(HttpStatusCode.Created, (await app.Admin().PostAsJsonAsync("/api/submissions", WalkingSkeletonTests.Body901())).StatusCode);
        await held.DisposeAsync();
        var result = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, result!.Snapshot.Submissions.OnTime);
    }

    [Fact]
    public async Task A_submission_received_at_the_same_instant_as_the_last_one_still_reaches_the_figures()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        // A clock that does not move: both submissions carry the same received_at. No job server, so only this test computes.
        await using var app = await QuietAppAsync(postgres, smtp, reference);
        var period = ReportingPeriod.Parse("2026-W48");
        await SubmitAsync(app, WalkingSkeletonTests.Body901());
        Assert.NotNull(await app.InScopeAsync<RecomputeJob, CalculationResult?>(j => j.ComputeAsync(period, false, default)));

        await SubmitAsync(app, WalkingSkeletonTests.Body902());
        await app.InScopeAsync<RecomputeJob, CalculationResult?>(j => j.ComputeAsync(period, true, default));
        Assert.Equal(2, (await app.Get<SnapshotRepository>().FindAsync("2026-W48", default))!.Snapshot.Submissions.OnTime);
        // With nothing new, a triggered run stops early.
        Assert.Null(await app.InScopeAsync<RecomputeJob, CalculationResult?>(j => j.ComputeAsync(period, true, default)));
    }

    [Fact]
    public async Task A_changed_unit_list_of_the_period_is_something_new_even_without_new_submissions()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await QuietAppAsync(postgres, smtp, reference);
        var period = ReportingPeriod.Parse("2026-W48");
        await SubmitAsync(app, WalkingSkeletonTests.Body901());
        Assert.NotNull(await app.InScopeAsync<RecomputeJob, CalculationResult?>(j => j.ComputeAsync(period, false, default)));
        Assert.Null(await app.InScopeAsync<RecomputeJob, CalculationResult?>(j => j.ComputeAsync(period, true, default)));

        // A commune entered late in units.csv: the stored snapshot's rows reference the old list of that day, so the next
        // triggered or scheduled recompute stores one on the new list, and its rows can be rebuilt for the bulletin.
        var units = Path.Combine(reference.Directory, "units.csv");
        File.WriteAllLines(units, [.. File.ReadAllLines(units), "90104,Xã Một Bốn,commune,901,,"]);
        await app.Get<ReferenceSync>().RunAsync(default);
        Assert.NotNull(await app.InScopeAsync<RecomputeJob, CalculationResult?>(j => j.ComputeAsync(period, true, default)));
        var repository = app.Get<SnapshotRepository>();
        var rows = await repository.CommunesAsync((await repository.FindAsync("2026-W48", default))!, default);
        Assert.Equal(6, rows.Count);
        Assert.Contains(rows, r => r.Code == "90104" && r.Status is null);
        Assert.Null(await app.InScopeAsync<RecomputeJob, CalculationResult?>(j => j.ComputeAsync(period, true, default)));
    }

    [Fact]
    public async Task Recomputes_of_one_period_started_together_run_one_at_a_time_and_only_one_finds_something_new()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        // No job server: the submissions' triggered recomputes stay queued, so only this test computes. (Waiting for the queue
        // to empty left a window: a job fetched but not yet Processing counts in neither, and could store after the check.)
        await using var app = await QuietAppAsync(postgres, smtp, reference);
        await SubmitAsync(app, WalkingSkeletonTests.Body901());
        await SubmitAsync(app, WalkingSkeletonTests.Body902());

        // Four jobs at once, each in its own scope (as four Hangfire workers would run them), none holding anything by hand.
        var period = ReportingPeriod.Parse("2026-W48");
        var start = new TaskCompletionSource();
        var runs = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            return await app.InScopeAsync<RecomputeJob, CalculationResult?>(j => j.ComputeAsync(period, true, default));
        })).ToList();
        start.SetResult();
        var results = await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(60));

        // One computed; the others waited their turn, then found the snapshot it stored and stopped.
        Assert.Equal(1, results.Count(r => r is not null));
        await using var check = new NpgsqlConnection(app.ConnectionString);
        Assert.Equal(1, await check.ExecuteScalarAsync<long>("select count(*) from snapshots where period = '2026-W48'"));
        Assert.Equal(2, (await app.Get<SnapshotRepository>().FindAsync("2026-W48", default))!.Snapshot.Submissions.OnTime);
    }

    [Fact]
    public async Task Triggers_for_a_period_whose_recompute_still_waits_in_the_queue_add_no_second_job()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await QueueAppAsync(reference);
        var (trigger, forwarded) = TriggerOf(app);
        var monitoring = app.Get<JobStorage>().GetMonitoringApi();
        // An hour: a job that is waiting, or that has left the queue without running, is no rush to pace (a deferral
        // would outlast the flush's guard).
        app.Get<HangfireRecomputeTrigger>().Interval = TimeSpan.FromHours(1);

        for (var i = 0; i < 5; i++)
        {
            trigger.OnAccepted("2026-W48");
            await forwarded();
        }
        Assert.Equal(1, monitoring.EnqueuedCount("default"));
        trigger.OnAccepted("2026-W47");   // a late period: its own job and one for the current period, which is still waiting
        await forwarded();
        Assert.Equal(2, monitoring.EnqueuedCount("default"));
        Assert.Equal(["2026-W47", "2026-W48"], await JobPeriodsAsync(app));

        // Once the waiting job has left the queue (a worker took it, and may already have read), a trigger enqueues a new one.
        var taken = monitoring.EnqueuedJobs("default", 0, 10).First(j => (string?)j.Value.Job.Args[0] == "2026-W48").Key;
        Assert.True(app.Get<IBackgroundJobClient>().ChangeState(taken, new Hangfire.States.DeletedState(), Hangfire.States.EnqueuedState.StateName));
        trigger.OnAccepted("2026-W48");
        await forwarded();
        Assert.Equal(["2026-W47", "2026-W48", "2026-W48"], await JobPeriodsAsync(app));
    }

    [Fact]
    public async Task In_a_rush_the_follow_up_of_a_running_recompute_waits_out_its_second_and_takes_every_request_of_it()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        // A worker has taken the job and is computing (it may already have read its inputs): the rush goes on.
        var (app, first) = await RunningJobAsync(reference, HangfireRecomputeTrigger.RushInterval);
        await using var _ = app;
        var (trigger, forwarded) = TriggerOf(app);
        for (var i = 0; i < 5; i++)
        {
            trigger.OnAccepted("2026-W48");
            await Task.Delay(50);
        }
        await forwarded();

        // One follow-up for the five, enqueued no sooner than the interval after the running one (both times from this
        // process's clock, by Hangfire's client).
        var jobs = await JobsAsync(app);
        Assert.Equal(2, jobs.Count);
        Assert.True(jobs[1].CreatedAt - first.CreatedAt >= HangfireRecomputeTrigger.RushInterval - TimeSpan.FromMilliseconds(20),
            $"follow-up enqueued {(jobs[1].CreatedAt - first.CreatedAt).TotalMilliseconds:0} ms after the running job");
    }

    [Fact]
    public async Task A_recompute_that_has_finished_its_work_here_is_not_a_rush_though_its_job_is_not_yet_marked_done()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        // An hour: were the follow-up deferred, the flush below would not end (and the test fail at its guard).
        var (app, first) = await RunningJobAsync(reference, TimeSpan.FromHours(1));
        await using var _ = app;
        var (trigger, forwarded) = TriggerOf(app);

        // The job's method has returned in this process (the snapshot stored); Hangfire marks it Succeeded a moment later.
        app.Get<RecomputeActivity>().Finished(first.Id);
        trigger.OnAccepted("2026-W48");
        await forwarded();
        Assert.Equal(2, (await JobsAsync(app)).Count);
    }

    [Fact]
    public async Task A_period_held_back_in_a_rush_holds_back_no_other_period()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        // An hour: the current week's follow-up stays held back for the whole test.
        var (app, _) = await RunningJobAsync(reference, TimeSpan.FromHours(1));
        await using var running = app;
        var (trigger, _) = TriggerOf(app);
        trigger.OnAccepted("2026-W48");

        // A late week's submission (it asks for its own week and for the current one): its own week is enqueued at once.
        trigger.OnAccepted("2026-W47");
        await Poll.UntilAsync(async () => (await JobPeriodsAsync(app)).Contains("2026-W47"), TimeSpan.FromSeconds(30), "the late week enqueued");
        Assert.Equal(["2026-W47", "2026-W48"], await JobPeriodsAsync(app));
    }

    [Fact]
    public async Task A_recompute_job_run_by_this_worker_is_noted_as_finished_by_its_id()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory,
            new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero)));
        var id = app.Get<IBackgroundJobClient>().Enqueue<RecomputeJob>(j => j.RunAsync("2026-W48", false, CancellationToken.None));
        await Poll.UntilAsync(async () =>
        {
            await using var db = new NpgsqlConnection(app.ConnectionString);
            return await db.ExecuteScalarAsync<string?>("select statename from hangfire.job where id = @Id",
                new { Id = long.Parse(id, System.Globalization.CultureInfo.InvariantCulture) }) == "Succeeded";
        }, TimeSpan.FromSeconds(60), "the recompute job run");
        var activity = app.Get<RecomputeActivity>();
        Assert.True(activity.HasFinished(id));
        Assert.False(activity.HasFinished("0"));
    }

    /// <summary>
    /// A queue-only app (<see cref="QueueAppAsync"/>) whose trigger has enqueued one recompute of 2026-W48, then marked as
    /// taken by a worker (Processing); its trigger paces follow-ups by <paramref name="interval"/>.
    /// </summary>
    private async Task<(TestApp App, (string Id, DateTime CreatedAt) Job)> RunningJobAsync(TestReference reference, TimeSpan interval)
    {
        var app = await QueueAppAsync(reference);
        app.Get<HangfireRecomputeTrigger>().Interval = interval;
        var (trigger, forwarded) = TriggerOf(app);
        trigger.OnAccepted("2026-W48");
        await forwarded();
        var job = Assert.Single(await JobsAsync(app));
        await MarkProcessingAsync(app, job.Id);
        return (app, job);
    }

    private static async Task MarkProcessingAsync(TestApp app, string jobId)
    {
        await using var db = new NpgsqlConnection(app.ConnectionString);
        await db.ExecuteAsync("""
            with s as (insert into hangfire.state (jobid, name, reason, createdat, data)
                       values (@Id, 'Processing', null, now(), '{}'::jsonb) returning id)
            update hangfire.job set stateid = (select id from s), statename = 'Processing' where id = @Id
            """, new { Id = long.Parse(jobId, System.Globalization.CultureInfo.InvariantCulture) });
    }

    private static async Task<List<(string Id, DateTime CreatedAt)>> JobsAsync(TestApp app)
    {
        await using var db = new NpgsqlConnection(app.ConnectionString);
        return (await db.QueryAsync<(long Id, DateTime CreatedAt)>("select id, createdat from hangfire.job order by id"))
            .Select(j => (j.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), j.CreatedAt)).ToList();
    }

    /// <summary>No job server: what is enqueued stays enqueued, so the queue can be read exactly.</summary>
    private async Task<TestApp> QueueAppAsync(TestReference reference)
    {
        var app = await TestApp.StartAsync(postgres, smtp, reference.Directory,
            new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero)), serves: false);
        await app.Get<NongThonMoi.Infrastructure.Database.MigrationRunner>().ApplyAsync(default);
        return app;
    }

    /// <summary>
    /// The trigger, and a wait for its loop: requests are enqueued off the request path, by the host's loop; waiting for it
    /// makes the queue exact.
    /// </summary>
    private static (ISubmissionAccepted Trigger, Func<Task> Forwarded) TriggerOf(TestApp app) =>
        (app.Get<ISubmissionAccepted>(), () => app.Get<HangfireRecomputeTrigger>().FlushAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));

    /// <summary>The period of every recompute job ever created, whatever its state.</summary>
    private static async Task<string[]> JobPeriodsAsync(TestApp app)
    {
        await using var db = new NpgsqlConnection(app.ConnectionString);
        var arguments = await db.QueryAsync<string>("select arguments from hangfire.job");   // each argument JSON in a JSON array
        return arguments.Select(a => System.Text.Json.JsonSerializer.Deserialize<string>(System.Text.Json.JsonSerializer.Deserialize<string[]>(a)![0])!).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Sessions of this database waiting for an advisory lock (pg_locks: not granted).</summary>
    private static async Task<long> WaitersOnAdvisoryLocksAsync(string connectionString)
    {
        await using var db = new NpgsqlConnection(connectionString);
        return await db.ExecuteScalarAsync<long>(
            "select count(*) from pg_locks where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())");
    }

    /// <summary>An app with no job server (nor web server) on the small province, its schema and reference in place.</summary>
    internal static async Task<TestApp> QuietAppAsync(PostgresFixture postgres, SmtpFixture smtp, TestReference reference)
    {
        var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero)),
            serves: false);
        await app.Get<NongThonMoi.Infrastructure.Database.MigrationRunner>().ApplyAsync(default);
        await app.Get<ReferenceSync>().RunAsync(default);
        return app;
    }

    internal static async Task SubmitAsync(TestApp app, object body)
    {
        var answer = await app.Get<NongThonMoi.Submissions.SubmissionService>().SubmitAsync(NongThonMoi.Submissions.Submitter.Admin,
            NongThonMoi.Submissions.SubmissionFormat.Json, "application/json", System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(body), null, null, default);
        Assert.True(answer.Accepted, string.Join("; ", answer.Errors.Select(e => e.Message)));
    }
}
