using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Indicators;
using NongThonMoi.Infrastructure;
using NongThonMoi.Programme;
using NongThonMoi.Tests.Support;
using Npgsql;

namespace NongThonMoi.Tests.Indicators;

/// <summary>
/// A snapshot stores references to the submission rows it used, not a copy of each commune's row (issue 18): the rows read
/// back must be exactly those the calculator produced — own rows, rows carried forward, no data, and rows inherited through
/// a merger (and a merger of a merger) under either <c>Reporting:MergerRule</c>.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class SnapshotStorageTests(PostgresFixture postgres, SmtpFixture smtp)
{
    private static readonly int[] AllNineteen = [.. Enumerable.Range(1, 19)];
    private static readonly int[] OneToTenAndTwelve = [.. Enumerable.Range(1, 10), 12];
    private static readonly int[] TwoToNineteen = [.. Enumerable.Range(2, 18)];

    private static object Row(string code, string status, int? year, int[] met) =>
        new { code, status, recognized_year = year, criteria_met = met };

    [Theory]
    [InlineData("all")]
    [InlineData("retained")]
    public async Task The_commune_rows_read_back_from_a_stored_snapshot_are_those_the_calculator_produced(string rule)
    {
        using var reference = MergerProvince.Folder();
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory,
            new FakeTimeProvider(new DateTimeOffset(2025, 8, 1, 3, 0, 0, TimeSpan.Zero)), serves: false,
            settings: new Dictionary<string, string?> { ["Reporting:UnitLevel"] = "district,commune@2025-07-01", ["Reporting:MergerRule"] = rule });
        await app.Get<NongThonMoi.Infrastructure.Database.MigrationRunner>().ApplyAsync(default);
        await app.Get<ReferenceSync>().RunAsync(default);
        var repository = app.Get<SnapshotRepository>();

        async Task<(CalculationResult Result, long Id)> ComputeAndReadAsync(string period)
        {
            await app.InScopeAsync<RecomputeJob, CalculationResult?>(j => j.ComputeAsync(ReportingPeriod.Parse(period), false, default));
            var stored = (await repository.FindAsync(period, default))!;
            // Every row the figures used, computed afresh: what the stored references must rebuild.
            var expected = IndicatorCalculator.Calculate(await repository.LoadInputAsync(ReportingPeriod.Parse(period), DateTimeOffset.UtcNow, default));
            var rebuilt = await repository.CommunesAsync(stored, default);
            Assert.Equal(Json(expected.Communes), Json(rebuilt));
            return (expected, stored.Id);
        }

        await SubmitAsync(app, new
        {
            unit = "901",
            period = "2019-W52",
            communes = new[] { Row("90101", "dat-chuan", 2018, AllNineteen), Row("90102", "chua-dat", null, OneToTenAndTwelve), Row("90103", "nang-cao", 2019, TwoToNineteen) },
        });
        var none = await ComputeAndReadAsync("2019-W51");
        Assert.All(none.Result.Communes, c => Assert.Null(c.Status));
        var own = await ComputeAndReadAsync("2019-W52");
        Assert.All(own.Result.Communes, c => Assert.Equal("2019-W52", c.DataPeriod));
        // 90102 inherits the 2019 rows of its predecessors; 90104 those of 90103, unless only the retained code passes data on.
        var derived = await ComputeAndReadAsync("2020-W05");
        Assert.Equal(rule == "all" ? ["90102", "90104"] : ["90102"], derived.Result.Communes.Where(c => c.DerivedFrom is not null).Select(c => c.Code));
        await ComputeAndReadAsync("2025-W30");

        await SubmitAsync(app, new
        {
            unit = "901",
            period = "2020-W10",
            communes = new[] { Row("90102", "dat-chuan", 2020, AllNineteen), Row("90104", "nang-cao", 2019, TwoToNineteen) },
        });
        var carried = await ComputeAndReadAsync("2020-W12");
        Assert.All(carried.Result.Communes, c => Assert.Equal(("2020-W10", null), (c.DataPeriod, c.DerivedFrom)));
        // Rows of 2020 are of another criteria set than 2025's: the 2025 unit inherits its predecessors' rows of 2025.
        await SubmitAsync(app, new
        {
            unit = "901",
            period = "2025-W20",
            communes = new[] { Row("90102", "dat-chuan", 2020, AllNineteen), Row("90104", "nang-cao", 2019, TwoToNineteen) },
        });
        var inherited = await ComputeAndReadAsync("2025-W30");
        Assert.Equal(("2025-W20", "90102,90104"), (inherited.Result.Communes.Single().DataPeriod, string.Join(',', inherited.Result.Communes.Single().DerivedFrom!)));

        // No snapshot row carries per-commune JSON: only a number per commune, and the few derived rows' references.
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        var rows = (await connection.QueryAsync<(long Id, bool Copied, string? Derived)>(
            "select id, communes is not null, derived_rows::text from snapshots order by id")).ToList();
        Assert.Equal(6, rows.Count);
        Assert.All(rows, r => Assert.False(r.Copied));
        var sources = new List<int>();
        foreach (var r in rows) sources.Add((await repository.GetAsync(r.Id, default))!.CommuneSources!.Length);
        Assert.Equal([3, 3, 2, 1, 2, 1], sources);
        Assert.Equal([false, false, true, false, false, true], rows.Select(r => r.Derived is not null));
        Assert.DoesNotContain("dat-chuan", string.Concat(rows.Select(r => r.Derived)));
    }

    [Fact]
    public async Task A_snapshot_stored_with_its_commune_rows_copied_as_before_is_still_read_from_that_copy()
    {
        using var reference = MergerProvince.Folder();
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory,
            new FakeTimeProvider(new DateTimeOffset(2025, 8, 1, 3, 0, 0, TimeSpan.Zero)), serves: false);
        await app.Get<NongThonMoi.Infrastructure.Database.MigrationRunner>().ApplyAsync(default);
        await app.Get<ReferenceSync>().RunAsync(default);
        await SubmitAsync(app, new
        {
            unit = "901",
            period = "2019-W52",
            communes = new[] { Row("90101", "dat-chuan", 2018, AllNineteen), Row("90102", "chua-dat", null, OneToTenAndTwelve), Row("90103", "nang-cao", 2019, TwoToNineteen) },
        });
        var repository = app.Get<SnapshotRepository>();
        var input = await repository.LoadInputAsync(ReportingPeriod.Parse("2019-W52"), DateTimeOffset.UtcNow, default);
        var result = IndicatorCalculator.Calculate(input);
        var id = await repository.SaveAsync(result with { Sources = null }, null, SnapshotRepository.SubmissionsUsed(input), default);

        // A row as migration 0011 found them: the copy, and no references. The copy is what is read (here: marked, to tell).
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        var copy = result.Communes.Select(c => c with { Name = c.Name + " (bản sao)" }).ToList();
        await connection.ExecuteAsync("update snapshots set communes = @copy::json, commune_sources = null where id = @id",
            new { id, copy = JsonSerializer.Serialize(copy, JsonDefaults.Options) });
        var stored = (await repository.GetAsync(id, default))!;
        Assert.Equal(Json(copy), Json(await repository.CommunesAsync(stored, default)));
    }

    [Fact]
    public async Task A_snapshot_stored_compact_reads_back_as_the_same_api_json_and_rows_when_its_keys_sort_unlike_its_ids()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await SmallProvinceAsync(reference);
        var period = ReportingPeriod.Parse("2026-W48");
        await SubmitThreeAsync(app);
        await using var connection = await app.Get<NpgsqlDataSource>().OpenConnectionAsync();
        // The first id in PostgreSQL's order takes the newest key: the keys' order is no longer the ids' order, and rows
        // read through positions counted in the wrong one would be another submission's (or missing).
        await connection.ExecuteAsync("update submissions set seq = default where id = (select id from submissions order by id limit 1)");

        var result = (await app.InScopeAsync<RecomputeJob, CalculationResult?>(j => j.ComputeAsync(period, false, default)))!;
        var repository = app.Get<SnapshotRepository>();
        var stored = (await repository.FindAsync(period.Id, default))!;
        var row = await connection.QuerySingleAsync<(bool OldPayload, bool OldIds, bool KeysSortAsIds)>($"""
            select n.payload is not null, n.submission_ids is not null,
                   array(select s.id from ({SnapshotRepository.KeysOfRow}) k join submissions s using (seq) order by k.seq)
                   = array(select s.id from ({SnapshotRepository.KeysOfRow}) k join submissions s using (seq) order by s.id)
            from snapshots n where n.id = @Id
            """, new { stored.Id });
        Assert.Equal((false, false, false), row);

        var json = JsonSerializer.Serialize(result.Snapshot, JsonDefaults.Options);
        Assert.Equal(json, stored.Payload);
        Assert.Equal(json, await app.Admin().GetStringAsync("/api/indicators/2026-W48"));
        Assert.Equal(json, JsonSerializer.Serialize((await repository.HistoryAsync(period.Id, 1, default)).Single(), JsonDefaults.Options));
        Assert.Equal(json, JsonSerializer.Serialize((await repository.SnapshotsAsync([stored.Id], default))[stored.Id], JsonDefaults.Options));
        // Every row the figures used, computed afresh: what the stored references must rebuild.
        var rows = IndicatorCalculator.Calculate(await repository.LoadInputAsync(period, DateTimeOffset.UtcNow, default)).Communes;
        Assert.Equal(Json(rows), Json(await repository.CommunesAsync(stored, default)));
        Assert.Equal(3, (await repository.LatestSubmissionsAsync(period.Id, default))!.SubmissionIds.Count);
        // With nothing new (the same submissions, read back through their keys), a triggered run stops early.
        Assert.Null(await app.InScopeAsync<RecomputeJob, CalculationResult?>(j => j.ComputeAsync(period, true, default)));
    }

    [Fact]
    public async Task A_snapshot_stored_with_its_json_and_submission_ids_as_before_is_still_read_from_them()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await SmallProvinceAsync(reference);
        var period = ReportingPeriod.Parse("2026-W48");
        await SubmitThreeAsync(app);
        var result = (await app.InScopeAsync<RecomputeJob, CalculationResult?>(j => j.ComputeAsync(period, false, default)))!;
        var repository = app.Get<SnapshotRepository>();
        var compact = (await repository.FindAsync(period.Id, default))!;

        // A row as migration 0014 found them, after the compact one: the JSON as text (marked, to tell it from the compact
        // row's), the ids themselves in an order of their own (here: PostgreSQL's reversed), its positions counted in it.
        await using var connection = await app.Get<NpgsqlDataSource>().OpenConnectionAsync();
        var ids = (await connection.QueryAsync<Guid>(
            $"select s.id from snapshots n, lateral ({SnapshotRepository.KeysOfRow}) k join submissions s using (seq) where n.id = @Id order by s.id desc",
            new { compact.Id })).ToArray();
        var sources = compact.CommuneSources!.Select(p => p > 0 ? ids.Length + 1 - p : p).ToArray();
        var json = JsonSerializer.Serialize(result.Snapshot with { ComputedAt = result.Snapshot.ComputedAt.AddMinutes(1) }, JsonDefaults.Options);
        var id = await connection.ExecuteScalarAsync<long>("""
            insert into snapshots (period, computed_at, criteria_set_id, input_mark, submission_ids, payload, commune_sources)
            select period, computed_at, criteria_set_id, input_mark, @ids, @json::json, @sources from snapshots where id = @Id
            returning id
            """, new { compact.Id, ids, json, sources });

        var stored = (await repository.FindAsync(period.Id, default))!;
        Assert.Equal((id, json), (stored.Id, stored.Payload));
        Assert.Equal(json, await app.Admin().GetStringAsync("/api/indicators/2026-W48"));
        Assert.Equal(json, JsonSerializer.Serialize((await repository.HistoryAsync(period.Id, 1, default)).Single(), JsonDefaults.Options));
        var both = await repository.SnapshotsAsync([id, compact.Id], default);
        Assert.Equal(result.Snapshot.ComputedAt.AddMinutes(1), both[id].ComputedAt);
        Assert.Equal(result.Snapshot.ComputedAt, both[compact.Id].ComputedAt);
        var rows = IndicatorCalculator.Calculate(await repository.LoadInputAsync(period, DateTimeOffset.UtcNow, default)).Communes;
        Assert.Equal(Json(rows), Json(await repository.CommunesAsync(stored, default)));
        Assert.Equal(ids.ToHashSet(), (await repository.LatestSubmissionsAsync(period.Id, default))!.SubmissionIds);
        Assert.Null(await app.InScopeAsync<RecomputeJob, CalculationResult?>(j => j.ComputeAsync(period, true, default)));
    }

    [Fact]
    public async Task The_order_positions_are_counted_in_is_the_order_postgresql_sorts_uuids_in()
    {
        await using var app = await TestApp.StartAsync(postgres, smtp, serves: false);
        var random = new Random(18);
        var ids = Enumerable.Range(0, 500).Select(_ =>
        {
            var bytes = new byte[16];
            random.NextBytes(bytes);
            return new Guid(bytes);
        }).ToArray();
        await using var connection = await app.Get<NpgsqlDataSource>().OpenConnectionAsync();
        var sorted = await connection.QueryAsync<Guid>("select u from unnest(@ids) u order by u", new { ids });
        Assert.Equal(sorted, ids.Order(SnapshotRepository.UuidOrder));
    }

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 0, 1, 1, 1, 63, 64, 2100, 2100, -1, -64, -65, 0 })]
    [InlineData(new[] { int.MaxValue, int.MinValue, -1, 0, 1 })]
    public void Commune_sources_packed_read_back_as_they_were(int[] sources) =>
        Assert.Equal(sources, SnapshotRepository.UnpackSources(SnapshotRepository.PackSources(sources)));

    private async Task<TestApp> SmallProvinceAsync(TestReference reference)
    {
        var app = await TestApp.StartAsync(postgres, smtp, reference.Directory,
            new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero)), serves: false);
        await app.Get<NongThonMoi.Infrastructure.Database.MigrationRunner>().ApplyAsync(default);
        await app.Get<ReferenceSync>().RunAsync(default);
        return app;
    }

    /// <summary>District 901's last two weeks and 902's week: three submissions behind 2026-W48's figures.</summary>
    private static async Task SubmitThreeAsync(TestApp app)
    {
        await SubmitAsync(app, WalkingSkeletonTests.Body901("2026-W47"));
        await SubmitAsync(app, WalkingSkeletonTests.Body901());
        await SubmitAsync(app, WalkingSkeletonTests.Body902());
    }

    private static string Json(IReadOnlyList<CommuneFigures> communes) => JsonSerializer.Serialize(communes, JsonDefaults.Options);

    private static async Task SubmitAsync(TestApp app, object body)
    {
        var answer = await app.Get<NongThonMoi.Submissions.SubmissionService>().SubmitAsync(NongThonMoi.Submissions.Submitter.Admin,
            NongThonMoi.Submissions.SubmissionFormat.Json, "application/json", JsonSerializer.SerializeToUtf8Bytes(body), null, null, default);
        Assert.True(answer.Accepted, string.Join("; ", answer.Errors.Select(e => e.Message)));
    }
}
