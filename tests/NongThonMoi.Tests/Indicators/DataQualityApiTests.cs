using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Indicators;

/// <summary>Raw indicator values and the previous period's report reach the snapshot's warnings through the database.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class DataQualityApiTests(PostgresFixture postgres, SmtpFixture smtp)
{
    private static object Body(string period, int[] met90101, Dictionary<string, decimal>? indicators90101 = null) => new
    {
        unit = "901",
        period,
        communes = new object[]
        {
            new { code = "90101", status = "chua-dat", criteria_met = met90101, indicators = indicators90101 ?? [] },
            new { code = "90102", status = "chua-dat", criteria_met = new[] { 1, 2 } },
            new { code = "90103", status = "chua-dat", criteria_met = new[] { 1 } },
        },
    };

    [Fact]
    public async Task Income_below_the_regional_threshold_and_a_fallen_count_are_warned_about()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        // Thursday 26/12/2019 in Hà Nội: week 52, before the deadline.
        var clock = new FakeTimeProvider(new DateTimeOffset(2019, 12, 26, 3, 0, 0, TimeSpan.Zero));
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, clock);
        var admin = app.Admin();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/submissions", Body("2019-W51", [1, 2, 3, 10, 11]))).StatusCode);
        clock.Advance(TimeSpan.FromMinutes(5));
        // Criterion 10 (income) claimed met at 30 million VND: TDMNPB's threshold is 36 (QĐ 1980). Criterion 11 dropped.
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/submissions",
            Body("2019-W52", [1, 2, 3, 10], new() { ["10"] = 30 }))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync("/api/admin/recompute?period=2019-W52", null)).StatusCode);

        var snapshot = await LangSon2019AcceptanceTests.WaitForPeriodAsync(admin, "2019-W52",
            s => s["districts"]!.AsArray().Any(d => (string?)d!["data_period"] == "2019-W52"));
        var warnings = snapshot["warnings"]!.AsArray().Select(w => ((string?)w!["commune"], (string?)w["kind"], (string?)w["message"])).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains(("90101", "indicator-below-threshold",
            "Xã Một Một báo cáo đạt tiêu chí 10 (Thu nhập) nhưng chỉ tiêu 10 = 30 chưa đạt ngưỡng ≥ 36 (vùng TDMNPB)"), warnings);
        Assert.Contains(("90101", "criteria-fell", "Xã Một Một: số tiêu chí đạt giảm từ 5 (kỳ 2019-W51) xuống 4 (kỳ 2019-W52); không còn đạt: 11"), warnings);
        // Warnings never change a figure: the district's average is what it reported, (4 + 2 + 1) / 3.
        Assert.Equal(2.33m, (decimal)snapshot["districts"]!.AsArray().Single(d => (string?)d!["code"] == "901")!["avg_criteria"]!);
    }
}
