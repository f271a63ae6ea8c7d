using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Bulletins;
using NongThonMoi.Indicators;
using NongThonMoi.Programme;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Indicators;

/// <summary>
/// Issue 17 through the public API, in one database: the small province of <see cref="MergerMappingTests"/> across its
/// 2020 merger and the 2025 reform, with <c>Reporting:UnitLevel = district,commune@2025-07-01</c>. Figures worked by hand.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class MergerApiTests(PostgresFixture postgres, SmtpFixture smtp)
{
    private static readonly int[] AllNineteen = [.. Enumerable.Range(1, 19)];
    private static readonly int[] OneToTenAndTwelve = [.. Enumerable.Range(1, 10), 12];
    private static readonly int[] TwoToNineteen = [.. Enumerable.Range(2, 18)];

    private static object Row(string code, string status, int? year, int[] met) =>
        new { code, status, recognized_year = year, criteria_met = met };

    private static object Body(string unit, string period, params object[] communes) => new { unit, period, communes };

    [Fact]
    public async Task Submissions_and_figures_follow_the_units_of_each_period_across_a_merger_and_the_change_of_reporting_level()
    {
        using var reference = MergerProvince.Folder(committees: new object[]
        {
            new { id = "bcd-tinh", name = "Ban Chỉ đạo tỉnh", scope = "province", members = new[] { new { name = "Văn phòng", email = "tinh@example.vn" } } },
        });
        // Friday 01/08/2025: every period used below has begun; the admin may submit for closed ones.
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 8, 1, 3, 0, 0, TimeSpan.Zero));
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, clock,
            settings: new Dictionary<string, string?> { ["Reporting:UnitLevel"] = "district,commune@2025-07-01" });
        var admin = app.Admin();

        async Task<HttpResponseMessage> SubmitAsync(object body)
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            return await admin.PostAsJsonAsync("/api/submissions", body);
        }
        // A recompute is queued: wait for the snapshot that has seen the newest submission, not an earlier one of the period.
        async Task<JsonObject> FiguresAsync(string period, Func<JsonObject, bool>? ready = null)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/admin/recompute?period={period}", null)).StatusCode);
            return await LangSon2019AcceptanceTests.WaitForPeriodAsync(admin, period, ready ?? (_ => true));
        }

        // End of 2019, three communes of district 901.
        var end2019 = await SubmitAsync(Body("901", "2019-W52",
            Row("90101", "dat-chuan", 2018, AllNineteen), Row("90102", "chua-dat", null, OneToTenAndTwelve), Row("90103", "nang-cao", 2019, TwoToNineteen)));
        Assert.Equal(HttpStatusCode.Created, end2019.StatusCode);
        var s2019 = await FiguresAsync("2019-W52");
        IndicatorSnapshot s2019Snapshot() => System.Text.Json.JsonSerializer.Deserialize<IndicatorSnapshot>(s2019.ToJsonString(), NongThonMoi.Infrastructure.JsonDefaults.Options)!;
        Assert.Equal("2019-12-27", (string?)s2019["boundaries"]);
        Assert.Equal(3, (int)s2019["province"]!["communes"]!);
        Assert.Equal(16.00m, (decimal)s2019["province"]!["avg_criteria"]!); // (19 + 11 + 18) / 3

        // After the merger the district still sends an old code: told which commune it became.
        var old = await SubmitAsync(Body("901", "2020-W10", Row("90101", "dat-chuan", 2018, AllNineteen)));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, old.StatusCode);
        var message = string.Join(" | ", (await old.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsArray().Select(e => (string?)e!["message"]));
        Assert.Contains("xã Một Một (90101) đã sáp nhập vào xã Hợp Nhất (90102) từ 01/01/2020", message);

        // 2020-W10, nobody reported since the merger: the two new units inherit by rule "all", on the 2020 units.
        var s = await FiguresAsync("2020-W10");
        Assert.Equal("2020-03-06", (string?)s["boundaries"]);
        Assert.Equal("2020-01-01", (string?)s["boundaries_change"]!["effective"]);
        Assert.Equal((3, 2), ((int)s["boundaries_change"]!["communes_before"]!, (int)s["boundaries_change"]!["communes_after"]!));
        var p = s["province"]!;
        Assert.Equal(2, (int)p["communes"]!);
        Assert.Equal(1, (int)p["standard"]!);                     // Tân Lập, from Một Ba (nang-cao); Hợp Nhất takes the lowest: chua-dat
        Assert.Equal(14.00m, (decimal)p["avg_criteria"]!);        // ({2..10, 12} = 10 + Một Ba's 18) / 2
        // The baseline is the end of 2019 mapped onto the same two units, not 2019's three communes (16,00).
        Assert.Equal(14.00m, (decimal)p["avg_criteria_prev_year"]!);
        Assert.Equal(0.00m, (decimal)p["avg_criteria_delta"]!);
        var unit = s["districts"]!.AsArray().Single()!;
        Assert.Equal(["90101", "90102", "90103"], unit["derived_from"]!.AsArray().Select(c => (string?)c));
        Assert.Equal("missing", (string?)unit["submission"]);

        // The bulletin says so: the boundaries line, the count before → after, the derived unit marked.
        var folder = Path.Combine(Path.GetTempPath(), $"ntm-merger-{Guid.NewGuid():N}");
        try
        {
            await app.Get<BulletinPreview>().WriteAsync("2020-W10", "bcd-tinh", folder, CancellationToken.None);
            var text = await File.ReadAllTextAsync(Path.Combine(folder, "bcd-tinh.txt"));
            Assert.Contains("Số liệu quy đổi theo địa giới sau sáp nhập (01/01/2020): 3 → 2 xã", text);
            Assert.Contains("Huyện Một (*)", text);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }

        // The district reports on the new units: its own figures replace the inherited ones.
        Assert.Equal(HttpStatusCode.Created, (await SubmitAsync(Body("901", "2020-W12",
            Row("90102", "dat-chuan", 2020, AllNineteen), Row("90104", "nang-cao", 2019, TwoToNineteen)))).StatusCode);
        s = await FiguresAsync("2020-W12");
        Assert.Equal(2, (int)s["province"]!["standard"]!);
        Assert.Equal(1, (int)s["province"]!["new_standard_this_year"]!);
        Assert.Null(s["districts"]![0]!["derived_from"]);

        // The trend continues across the merger on mapped history: 2019-W52 on the two new units, not its own three.
        var stored2020 = (await app.Get<SnapshotRepository>().FindAsync("2020-W12", CancellationToken.None))!;
        var trend = await app.InScopeAsync<RecomputeJob, List<IndicatorSnapshot>>(j => j.TrendAsync(stored2020, 12, CancellationToken.None));
        var mapped2019 = trend.Single(t => t.Period == "2019-W52");
        Assert.Equal((2, 14.00m, "2020-03-20"), (mapped2019.Province.Communes, mapped2019.Province.AvgCriteria, mapped2019.Boundaries));
        Assert.Equal(3, (await app.Get<SnapshotRepository>().FindAsync("2019-W52", CancellationToken.None))!.Snapshot.Province.Communes); // stored as sent

        // A correction of a period before the merger is said to be on the old units.
        var correction = new Correction("2019-W52", s2019Snapshot(), s2019Snapshot() with { Province = s2019Snapshot().Province with { Standard = 3 } });
        Assert.Equal(["Tuần 52/2019 (23/12–29/12/2019) (theo địa giới trước sáp nhập: 3 xã): xã đạt chuẩn 2 → 3."],
            Corrections.Lines([correction], null, communesNow: 2));

        // Before 01/07/2025 the district still reports; from then on each commune does, in the same database.
        Assert.Equal(HttpStatusCode.Created, (await SubmitAsync(Body("901", "2025-W20",
            Row("90102", "nang-cao", 2020, AllNineteen), Row("90104", "nang-cao", 2019, AllNineteen)))).StatusCode);
        var district = await SubmitAsync(Body("901", "2025-W30", Row("90102", "nang-cao", 2020, AllNineteen)));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, district.StatusCode);
        Assert.Contains("huyện Một (901) không còn là đơn vị hành chính từ 01/07/2025; từ kỳ này mỗi xã tự báo cáo",
            await district.Content.ReadAsStringAsync());

        var s2025 = await FiguresAsync("2025-W30");
        var only = s2025["districts"]!.AsArray().Single()!;
        Assert.Equal("90102", (string?)only["code"]);             // the reporting units are communes now
        Assert.Equal(["90102", "90104"], only["derived_from"]!.AsArray().Select(c => (string?)c));
        Assert.Equal(1, (int)s2025["submissions"]!["expected"]!);
        Assert.Equal(19, (int)s2025["province"]!["avg_criteria"]!); // both predecessors met all 19 in 2025-W20
        var stored = await app.Get<SnapshotRepository>().FindAsync("2025-W30", CancellationToken.None);
        var rebuilt = (await app.Get<SnapshotRepository>().CommunesAsync(stored!, CancellationToken.None)).Single();
        Assert.Equal((Statuses.Advanced, 2020), (rebuilt.Status, rebuilt.RecognizedYear));
        Assert.Equal(["90102", "90104"], rebuilt.DerivedFrom);

        Assert.Equal(HttpStatusCode.Created, (await SubmitAsync(Body("90102", "2025-W30", Row("90102", "dat-chuan", 2020, OneToTenAndTwelve)))).StatusCode);
        s2025 = await FiguresAsync("2025-W30", f => (string?)f["districts"]![0]!["submission"] == "late");
        Assert.Null(s2025["districts"]![0]!["derived_from"]);
        Assert.Equal(11.00m, (decimal)s2025["province"]!["avg_criteria"]!);
        Assert.Equal("late", (string?)s2025["districts"]![0]!["submission"]); // sent on 01/08 for a deadline of 25/07

        // The earlier periods keep their own units: 2019 still has three communes and district 901.
        var again = await FiguresAsync("2019-W52");
        Assert.Equal(3, (int)again["province"]!["communes"]!);
        Assert.Equal("901", (string?)again["districts"]![0]!["code"]);
    }

}
