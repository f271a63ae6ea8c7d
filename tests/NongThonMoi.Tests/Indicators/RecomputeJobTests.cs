using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Indicators;
using NongThonMoi.Programme;
using NongThonMoi.Tests.Support;

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
        await Task.Delay(500);
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
        // A clock that does not move: both submissions carry the same received_at.
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero)));
        var admin = app.Admin();
        var period = ReportingPeriod.Parse("2026-W48");
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/submissions", WalkingSkeletonTests.Body901())).StatusCode);
        Assert.NotNull(await app.InScopeAsync<RecomputeJob, CalculationResult?>(j => j.ComputeAsync(period, false, default)));

        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/submissions", WalkingSkeletonTests.Body902())).StatusCode);
        await app.InScopeAsync<RecomputeJob, CalculationResult?>(j => j.ComputeAsync(period, true, default));
        Assert.Equal(2, (await app.Get<SnapshotRepository>().FindAsync("2026-W48", default))!.Snapshot.Submissions.OnTime);
        // With nothing new, a triggered run stops early.
        Assert.Null(await app.InScopeAsync<RecomputeJob, CalculationResult?>(j => j.ComputeAsync(period, true, default)));
    }
}
