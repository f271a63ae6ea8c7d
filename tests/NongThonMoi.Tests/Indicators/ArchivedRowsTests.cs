using System.Text.Json;
using NongThonMoi.Indicators;
using NongThonMoi.Programme;
using NongThonMoi.Tests.Support;
using Npgsql;

namespace NongThonMoi.Tests.Indicators;

/// <summary>
/// The recompute keeps the rows of submissions it has read (<see cref="ArchivedRows"/>): the figures must be those of a fresh
/// read, whatever was kept, and a recompute after a submission reads only that submission's rows.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class ArchivedRowsTests(PostgresFixture postgres, SmtpFixture smtp)
{
    private static readonly ReportingPeriod Week48 = ReportingPeriod.Parse("2026-W48");

    [Fact]
    public async Task After_a_resubmission_the_kept_rows_give_the_figures_of_a_fresh_read_and_only_the_new_rows_are_read()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await QuietAppAsync(reference);
        await SubmitAsync(app, WalkingSkeletonTests.Body901("2026-W47"));
        await SubmitAsync(app, WalkingSkeletonTests.Body901());
        await SubmitAsync(app, WalkingSkeletonTests.Body902());
        var kept = app.Get<ArchivedRows>();
        var first = await app.InScopeAsync<RecomputeJob, CalculationResult?>(j => j.ComputeAsync(Week48, false, default));
        Assert.Equal(2, first!.Snapshot.Submissions.OnTime);
        var read = kept.RowsRead;

        // District 901 corrects its week: 90103 now meets every criterion. Its new submission is the unit's head.
        await SubmitAsync(app, Corrected901());
        var warm = await app.InScopeAsync<RecomputeJob, CalculationResult?>(j => j.ComputeAsync(Week48, false, default));
        Assert.Equal(3, kept.RowsRead - read); // the corrected submission's three communes, nothing kept read again

        // The same period through a repository that has kept nothing.
        var fresh = ActivatorUtilities.CreateInstance<SnapshotRepository>(app.Services, new ArchivedRows());
        var cold = IndicatorCalculator.Calculate(await fresh.LoadInputAsync(Week48, warm!.Snapshot.ComputedAt, default));
        Assert.Equal(Json(cold.Snapshot), Json(warm.Snapshot));
        Assert.Equal(Json(cold.Sources), Json(warm.Sources));
        Assert.Equal(10, warm.Communes.Single(c => c.Code == "90103").CriteriaMet.Count);
        Assert.NotEqual(Json(first.Snapshot.Province), Json(warm.Snapshot.Province));
    }

    [Fact]
    public async Task Past_its_bound_it_lets_go_of_the_least_recently_used_and_reads_them_again_unchanged()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await QuietAppAsync(reference);
        await SubmitAsync(app, WalkingSkeletonTests.Body901("2026-W46"));
        await SubmitAsync(app, WalkingSkeletonTests.Body901("2026-W47"));
        await SubmitAsync(app, WalkingSkeletonTests.Body901());
        await SubmitAsync(app, WalkingSkeletonTests.Body902());
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        var ids = new List<Guid>();
        await using (var command = new NpgsqlCommand("select id from submissions order by seq", connection))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) ids.Add(reader.GetGuid(0));
        Assert.Equal(4, ids.Count);

        var truth = await new ArchivedRows().OfAsync(connection, null, ids, default);
        Assert.Equal([3, 3, 3, 2], ids.Select(id => truth[id].Communes.Count));
        Assert.Equal(3m, truth[ids[2]].Data["ocop_3_sao"]);
        Assert.Empty(truth[ids[3]].Data);

        // Room for six rows: two submissions of 901's, then each new one pushes out the oldest used.
        var small = new ArchivedRows(maxRows: 6);
        foreach (var id in ids) Assert.Equal(Json(truth[id]), Json((await small.OfAsync(connection, null, [id], default))[id]));
        Assert.Equal(11, small.RowsRead);
        Assert.True(small.Count <= 2, $"{small.Count} submissions kept");
        // The newest stays kept; the first was let go and is read again, the same rows.
        Assert.Equal(Json(truth[ids[3]]), Json((await small.OfAsync(connection, null, [ids[3]], default))[ids[3]]));
        Assert.Equal(11, small.RowsRead);
        Assert.Equal(Json(truth[ids[0]]), Json((await small.OfAsync(connection, null, [ids[0]], default))[ids[0]]));
        Assert.Equal(14, small.RowsRead);
        // One request larger than the bound is answered whole.
        var all = await small.OfAsync(connection, null, ids, default);
        Assert.Equal(ids.Select(id => Json(truth[id])), ids.Select(id => Json(all[id])));
    }

    private static object Corrected901() => new
    {
        unit = "901",
        period = "2026-W48",
        communes = new object[]
        {
            new { code = "90101", status = "dat-chuan", recognized_year = 2026, criteria_met = Enumerable.Range(1, 10) },
            new { code = "90102", status = "chua-dat", criteria_met = new[] { 1, 2, 3, 4, 5, 6 } },
            new { code = "90103", status = "chua-dat", criteria_met = Enumerable.Range(1, 10) },
        },
        data = new { ocop_3_sao = 4 },
    };

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);

    private Task<TestApp> QuietAppAsync(TestReference reference) => RecomputeJobTests.QuietAppAsync(postgres, smtp, reference);

    private static Task SubmitAsync(TestApp app, object body) => RecomputeJobTests.SubmitAsync(app, body);
}
