using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Bulletins;
using NongThonMoi.Programme;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Indicators;

/// <summary>
/// Issue 17 on the shipped reference files (config/units.csv with validity dates, config/mergers.csv, config/targets.json):
/// Lạng Sơn's end of 2019 through the public API, unchanged by the history, then the first week after the 2020 merger
/// (NQ 818, 207 → 181 xã) on the new units, beside the plan "65 xã sau sáp nhập".
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class LangSonMergerAcceptanceTests(PostgresFixture postgres, SmtpFixture smtp)
{
    private static readonly string Shipped = Path.Combine(AppContext.BaseDirectory, "config");

    [Fact]
    public async Task The_end_of_2019_stands_and_the_first_week_of_2020_is_counted_on_the_181_new_xa()
    {
        var communes2019 = LangSonUnits.RuralCommunes(LangSonUnits.Read("langson-units-2019-12-01.csv"));
        var dataSet = LangSon2019DataSet.Build(communes2019, PublishedTotals.LangSon2019);
        // Monday 06/01/2020: 2019-W52 is closed and 2020-W02 (deadline Friday 10/01/2020) is the current week.
        var clock = new FakeTimeProvider(new DateTimeOffset(2020, 1, 6, 3, 0, 0, TimeSpan.Zero));
        await using var app = await TestApp.StartAsync(postgres, smtp, Shipped, clock);
        var admin = app.Admin();

        await dataSet.SubmitEndsOf2018And2019Async(admin, clock);

        // End of 2019, on the 207 xã of its own list: the seed's figures.
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync("/api/admin/recompute?period=2019-W52", null)).StatusCode);
        var end2019 = await LangSon2019AcceptanceTests.WaitForPeriodAsync(admin, "2019-W52", s => (int)s["submissions"]!["missing"]! == 0);
        var p = end2019["province"]!;
        Assert.Equal((207, 61, 13, 2), ((int)p["communes"]!, (int)p["standard"]!, (int)p["new_standard_this_year"]!, (int)p["advanced"]!));
        Assert.Equal((11.54m, 1.50m), ((decimal)p["avg_criteria"]!, (decimal)p["avg_criteria_delta"]!));
        Assert.Equal(12m, (decimal)p["targets"]!["new_standard"]!);
        Assert.Equal("2019-12-27", (string?)end2019["boundaries"]);
        Assert.Null(end2019["boundaries_change"]);

        // A district that still sends a merged xã's code in 2020 is told what it became.
        clock.Advance(TimeSpan.FromMinutes(1));
        var old = await admin.PostAsJsonAsync("/api/submissions", new
        {
            unit = "182",
            period = "2020-W02",
            communes = new[] { new { code = "06145", status = "chua-dat", criteria_met = new[] { 1 } } },
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, old.StatusCode);
        Assert.Contains("xã An Hùng (06145) đã sáp nhập vào xã Bắc Hùng (06139) từ 01/01/2020", await old.Content.ReadAsStringAsync());

        // 2020-W02, before any district reports on the new units: the 181 xã, each merged one inheriting by rule "all".
        var expected = Expected2020(dataSet);
        var asked = await admin.PostAsync("/api/admin/recompute?period=2020-W02", null);
        Assert.Equal(HttpStatusCode.Accepted, asked.StatusCode);
        // Each of the data set's submissions also asked for the current week (2020-W02), and a recompute asked for while the
        // last of them were arriving may be stored while the one asked for here waits: read the figures once it has run
        // (any recompute stored after it read the same submissions).
        var job = (string)(await asked.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>())!["job_id"]!;
        await Poll.UntilAsync(async () =>
        {
            await using var db = new Npgsql.NpgsqlConnection(app.ConnectionString);
            await db.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand("select statename from hangfire.job where id = @id", db);
            command.Parameters.AddWithValue("id", long.Parse(job, System.Globalization.CultureInfo.InvariantCulture));
            return (string?)await command.ExecuteScalarAsync() == "Succeeded";
        }, TimeSpan.FromSeconds(60), "the recompute of 2020-W02 asked for");
        var week2 = await LangSon2019AcceptanceTests.WaitForPeriodAsync(admin, "2020-W02", _ => true);
        p = week2["province"]!;
        Assert.Equal("2020-01-10", (string?)week2["boundaries"]);
        Assert.Equal(("2020-01-01", 207, 181), ((string?)week2["boundaries_change"]!["effective"], (int)week2["boundaries_change"]!["communes_before"]!,
            (int)week2["boundaries_change"]!["communes_after"]!));
        Assert.Equal(181, (int)p["communes"]!);
        Assert.Equal(0, (int)p["communes_without_data"]!);
        Assert.Equal(expected.Standard, (int)p["standard"]!);
        Assert.Equal(expected.Average, (decimal)p["avg_criteria"]!);
        // The end of 2019 mapped onto the same 181 xã: nothing was reported since, so nothing moved.
        Assert.Equal(expected.Average, (decimal)p["avg_criteria_prev_year"]!);
        Assert.Equal(0.00m, (decimal)p["avg_criteria_delta"]!);
        Assert.Equal(65m, (decimal)p["targets"]!["total_standard"]!);
        Assert.Equal(181, week2["districts"]!.AsArray().Sum(d => (int)d!["communes"]!));
        Assert.Equal(expected.DerivedDistricts, week2["districts"]!.AsArray().Where(d => d!["derived_from"] is not null).Select(d => (string)d!["code"]!).Order());

        var folder = Path.Combine(Path.GetTempPath(), $"ntm-langson-2020-{Guid.NewGuid():N}");
        try
        {
            await app.Get<BulletinPreview>().WriteAsync("2020-W02", "bcd-tinh", folder, CancellationToken.None);
            var text = await File.ReadAllTextAsync(Path.Combine(folder, "bcd-tinh.txt"));
            Assert.Contains("Số liệu quy đổi theo địa giới sau sáp nhập (01/01/2020): 207 → 181 xã", text);
            Assert.Contains($"Xã đạt chuẩn NTM: {expected.Standard}/181 xã", text);
            Assert.Contains("kế hoạch 65 xã", text);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// The 2020 figures worked out from the data set and mergers.csv directly: a xã of 2020 whose code has rows in the
    /// 2020 merger is standard only if all its old xã were, and meets the criteria all of them met; any other xã of 2020 is
    /// the xã of 2019 with its code.
    /// </summary>
    private static (int Standard, decimal Average, List<string> DerivedDistricts) Expected2020(LangSon2019DataSet dataSet)
    {
        var data = ReferenceLoader.Load(Shipped);
        var xa2020 = data.UnitsOn(new DateOnly(2020, 1, 10)).Where(u => u.Level == UnitLevel.Commune).ToList();
        Assert.Equal(181, xa2020.Count);
        var rows = File.ReadAllLines(Path.Combine(Shipped, "mergers.csv")).Skip(1).Select(l => l.Split(','))
            .Where(f => f[0] == "2020-01-01").ToLookup(f => f[2], f => f[1]);
        var y2019 = dataSet.Communes.ToDictionary(c => c.Code);
        int standard = 0, criteria = 0;
        var derived = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var xa in xa2020)
        {
            var olds = rows[xa.Code].ToList();
            if (olds.Count > 0) derived.Add(xa.ParentCode!);
            var parts = (olds.Count > 0 ? olds : [xa.Code]).Select(code => y2019[code]).ToList();
            if (parts.All(c => c.Status2019 != "chua-dat")) standard++;
            criteria += parts.Skip(1).Aggregate(parts[0].Met2019.AsEnumerable(), (met, c) => met.Intersect(c.Met2019)).Count();
        }
        return (standard, Math.Round((decimal)criteria / xa2020.Count, 2, MidpointRounding.AwayFromZero), derived.ToList());
    }
}
