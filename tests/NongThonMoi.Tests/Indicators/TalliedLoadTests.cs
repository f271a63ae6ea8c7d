using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Indicators;
using NongThonMoi.Infrastructure;
using NongThonMoi.Programme;
using NongThonMoi.Tests.Support;
using Npgsql;

namespace NongThonMoi.Tests.Indicators;

/// <summary>
/// The recompute counts most communes in PostgreSQL (<see cref="SnapshotRepository.LoadTalliedInputAsync"/>) instead of reading
/// every row into the calculator (<see cref="SnapshotRepository.LoadInputAsync"/>). Both must give the same snapshot — every
/// figure, every warning in its order — and the same references to the rows used, on data made to hit the edges: mergers
/// (a code carried on, a new code, a merger at the two-tier reform), a commune moving district, a unit's newest submission
/// missing some of its communes or holding another unit's, rows of another criteria set, numbers outside the set, unknown
/// statuses, raw indicator values, resubmissions, periods of another cycle, and weeks with no data at all.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class TalliedLoadTests(PostgresFixture postgres, SmtpFixture smtp)
{
    /// <summary>
    /// Three districts until the reform; 40101 absorbs 40102 and 40201 + 40202 form 40299 on 2020-01-01; 40303 moves from 403
    /// to 402 on 2022-01-01; on 2025-07-01 the districts go, 40301 absorbs 40302 and 40104 + 40203 form 40400.
    /// </summary>
    private const string Units = """
        code,name,level,parent,region,flags,valid_from,valid_to
        40,Tỉnh Ngẫu Nhiên,province,,TDMNPB,,,
        401,Huyện Bốn Không Một,district,40,,,,2025-06-30
        402,Huyện Bốn Không Hai,district,40,,,,2025-06-30
        403,Huyện Bốn Không Ba,district,40,,,,2025-06-30
        40101,Xã Một,commune,401,,,,2019-12-31
        40101,Xã Một Mới,commune,401,,,2020-01-01,2025-06-30
        40101,Xã Một Mới,commune,40,,,2025-07-01,
        40102,Xã Hai,commune,401,,,,2019-12-31
        40103,Xã Ba,commune,401,,,,2025-06-30
        40103,Xã Ba,commune,40,,,2025-07-01,
        40104,Xã Bốn,commune,401,,,,2025-06-30
        40201,Xã Năm,commune,402,,,,2019-12-31
        40202,Xã Sáu,commune,402,,,,2019-12-31
        40299,Xã Hợp Nhất,commune,402,,,2020-01-01,2025-06-30
        40299,Xã Hợp Nhất,commune,40,,,2025-07-01,
        40203,Xã Bảy,commune,402,,,,2025-06-30
        40204,Xã Tám,commune,402,,bien-gioi,,2025-06-30
        40204,Xã Tám,commune,40,,bien-gioi,2025-07-01,
        40301,Xã Chín,commune,403,,,,2025-06-30
        40301,Xã Chín,commune,40,,,2025-07-01,
        40302,Xã Mười,commune,403,,,,2025-06-30
        40303,Xã Mười Một,commune,403,,,,2021-12-31
        40303,Xã Mười Một,commune,402,,,2022-01-01,2025-06-30
        40303,Xã Mười Một,commune,40,,,2025-07-01,
        40400,Xã Liên Hiệp,commune,40,,,2025-07-01,
        """;

    private const string Mergers = """
        effective,old_code,new_code
        2020-01-01,40101,40101
        2020-01-01,40102,40101
        2020-01-01,40201,40299
        2020-01-01,40202,40299
        2025-07-01,40301,40301
        2025-07-01,40302,40301
        2025-07-01,40104,40400
        2025-07-01,40203,40400
        """;

    private static readonly string[] AllCommunes =
        ["40101", "40102", "40103", "40104", "40201", "40202", "40299", "40203", "40204", "40301", "40302", "40303", "40400"];

    private static readonly Dictionary<string, string[]> OwnCommunes = new()
    {
        ["401"] = ["40101", "40102", "40103", "40104"],
        ["402"] = ["40201", "40202", "40299", "40203", "40204", "40303"],
        ["403"] = ["40301", "40302", "40303"],
    };

    [Theory]
    [InlineData(1, "all")]
    [InlineData(2, "retained")]
    [InlineData(3, "all")]
    public async Task Counting_in_PostgreSQL_gives_the_snapshot_and_references_of_the_row_by_row_load(int seed, string rule)
    {
        using var reference = new TestReference(Units);
        File.WriteAllText(Path.Combine(reference.Directory, "mergers.csv"), Mergers, Encoding.UTF8);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory,
            new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 3, 0, 0, TimeSpan.Zero)), serves: false,
            settings: new Dictionary<string, string?> { ["Reporting:UnitLevel"] = "district,commune@2025-07-01", ["Reporting:MergerRule"] = rule });
        await app.Get<NongThonMoi.Infrastructure.Database.MigrationRunner>().ApplyAsync(default);
        await app.Get<ReferenceSync>().RunAsync(default);

        var random = new Random(seed);
        var weeks = new List<string>();
        foreach (var year in new[] { 2019, 2020, 2021, 2022, 2024, 2025, 2026 })
            foreach (var week in new[] { 2, 26, 27, 40, 52 })
                weeks.Add($"{year}-W{week:00}");
        await using (var connection = new NpgsqlConnection(app.ConnectionString))
        {
            await connection.OpenAsync();
            foreach (var week in weeks)
            {
                var year = int.Parse(week[..4], CultureInfo.InvariantCulture);
                IEnumerable<string> unitsThen = year > 2025 || week == "2025-W27" || week == "2025-W40" || week == "2025-W52"
                    ? AllCommunes.Where(c => c is not ("40102" or "40201" or "40202" or "40302" or "40104" or "40203"))
                    : OwnCommunes.Keys;
                foreach (var unit in unitsThen)
                    for (var copy = random.Next(0, 3); copy > 0; copy--) // none, one, or a resubmission
                        await InsertAsync(connection, random, unit, week, year);
            }
            // A monthly period among the weekly ones: never read by a weekly computation.
            await InsertAsync(connection, random, "401", "2024-06", 2024);
        }

        var repository = app.Get<SnapshotRepository>();
        var now = new DateTimeOffset(2026, 11, 30, 3, 0, 0, TimeSpan.Zero);
        foreach (var week in weeks.Concat(["2019-W01", "2020-W01", "2025-W26", "2025-W28", "2026-W01", "2026-W48"]).Distinct())
        {
            var period = ReportingPeriod.Parse(week);
            var rows = IndicatorCalculator.Calculate(await repository.LoadInputAsync(period, now, default));
            var (input, _) = await repository.LoadTalliedInputAsync(period, now, default);
            var tallied = IndicatorCalculator.Calculate(input);
            Assert.Equal(Json(rows.Snapshot), Json(tallied.Snapshot));
            Assert.Equal(Json(rows.Sources), Json(tallied.Sources));
            Assert.Equal(SnapshotRepository.SubmissionsUsed(await repository.LoadInputAsync(period, now, default)).Order(),
                SnapshotRepository.SubmissionsUsed(input).Order());
            // The rows the tallied calculation read are the row-by-row one's rows of the same communes.
            var byCode = rows.Communes.ToDictionary(c => c.Code);
            Assert.All(tallied.Communes, c => Assert.Equal(Json(byCode[c.Code]), Json(c)));
        }
    }

    /// <summary>
    /// One submission of <paramref name="unit"/> for <paramref name="period"/>, written as the archive statement writes it, with
    /// rows chosen to be awkward: most of the unit's communes, sometimes one left out, sometimes another unit's commune.
    /// </summary>
    private static async Task InsertAsync(NpgsqlConnection connection, Random random, string unit, string period, int year)
    {
        var set = year >= 2026 ? 10 : 19;
        var own = OwnCommunes.TryGetValue(unit, out var list) ? list : [unit];
        var codes = own.Where(_ => random.Next(8) > 0).ToList();
        if (random.Next(4) == 0) codes.Add(AllCommunes[random.Next(AllCommunes.Length)]);
        var id = Guid.NewGuid();
        var received = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(random.Next(1, 10_000_000));
        await using var batch = new NpgsqlBatch(connection);
        var submission = new NpgsqlBatchCommand("""
            insert into submissions (id, unit_code, period, received_at, sha256, body, content_type, format, submitted_by, status, http_status, late)
            values (@id, @unit, @period, @at, @sha, '\x7b7d', 'application/json', 'json', 'admin', 'accepted', 201, @late)
            """);
        submission.Parameters.AddWithValue("id", id);
        submission.Parameters.AddWithValue("unit", unit);
        submission.Parameters.AddWithValue("period", period);
        submission.Parameters.AddWithValue("at", received);
        submission.Parameters.AddWithValue("sha", id.ToString("N"));
        var late = random.Next(3) == 0;
        submission.Parameters.AddWithValue("late", late);
        batch.BatchCommands.Add(submission);
        foreach (var code in codes.Distinct())
        {
            var met = Enumerable.Range(1, set).Where(_ => random.Next(3) > 0).ToList();
            if (random.Next(10) == 0) met.Add(set + 3); // a number outside the set: counted in the total, not as a criterion
            var status = random.Next(12) switch
            {
                0 => "khong-ro",
                < 5 => Statuses.NotMet,
                < 8 => Statuses.Standard,
                8 => Statuses.Advanced,
                9 => Statuses.Model,
                _ => year >= 2026 ? Statuses.Modern : Statuses.Standard,
            };
            if (status != Statuses.NotMet && random.Next(2) == 0) met = [.. Enumerable.Range(1, set)];
            var row = new NpgsqlBatchCommand("""
                insert into submission_communes (submission_id, period, commune_code, status, recognized_year, criteria_met, criteria_count, indicators)
                values (@id, @period, @code, @status, @year, @met, @count, @indicators::jsonb)
                """);
            row.Parameters.AddWithValue("id", id);
            row.Parameters.AddWithValue("period", period);
            row.Parameters.AddWithValue("code", code);
            row.Parameters.AddWithValue("status", status);
            row.Parameters.AddWithValue("year", NpgsqlTypes.NpgsqlDbType.Integer, random.Next(3) switch { 0 => DBNull.Value, 1 => year, _ => year - 1 });
            row.Parameters.AddWithValue("met", met.Select(n => (short)n).ToArray());
            row.Parameters.AddWithValue("count", (short)met.Count);
            row.Parameters.AddWithValue("indicators", NpgsqlTypes.NpgsqlDbType.Text,
                random.Next(6) == 0 ? "{\"ty_le_ho_ngheo\": " + random.Next(0, 20) + "}" : DBNull.Value);
            batch.BatchCommands.Add(row);
        }
        if (random.Next(2) == 0)
        {
            var data = new NpgsqlBatchCommand("insert into submission_data (submission_id, element_code, value) values (@id, 'ocop_3_sao', @value)");
            data.Parameters.AddWithValue("id", id);
            data.Parameters.AddWithValue("value", (decimal)random.Next(0, 9));
            batch.BatchCommands.Add(data);
        }
        var current = new NpgsqlBatchCommand("""
            insert into current_submissions (unit_code, period, submission_id, received_at, late) values (@unit, @period, @id, @at, @late)
            on conflict (unit_code, period) do update
                set submission_id = excluded.submission_id, received_at = excluded.received_at, late = excluded.late
            """);
        current.Parameters.AddWithValue("unit", unit);
        current.Parameters.AddWithValue("period", period);
        current.Parameters.AddWithValue("id", id);
        current.Parameters.AddWithValue("at", received);
        current.Parameters.AddWithValue("late", late);
        batch.BatchCommands.Add(current);
        await batch.ExecuteNonQueryAsync();
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, JsonDefaults.Options);
}
