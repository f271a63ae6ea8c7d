using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Indicators;

/// <summary>
/// The two-tier structure (since 01/07/2025, NQ 202/2025/QH15): no districts, each commune reports for itself
/// (<c>Reporting:UnitLevel = commune</c>), on the real 175 rural communes of Lạng Sơn's last list before the reform.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class TwoTierStructureTests(PostgresFixture postgres, SmtpFixture smtp)
{
    /// <summary>Wednesday 25/11/2026 10:00 in Hà Nội: week 48 of a 2026–2030 year, before Friday's deadline.</summary>
    private static FakeTimeProvider Wednesday() => new(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero));

    private static object Own(string commune, string status, int? recognizedYear, params int[] met) => new
    {
        unit = commune,
        period = "2026-W48",
        communes = new[] { new { code = commune, status, recognized_year = recognizedYear, criteria_met = met } },
    };

    [Fact]
    public async Task Communes_report_for_themselves_and_the_snapshot_lists_communes()
    {
        smtp.Reset();
        var units = LangSonUnits.Read("langson-units-2025-03-01.csv");
        var communes = LangSonUnits.RuralCommunes(units);
        Assert.Equal(175, communes.Count);
        // Only the province's committee: district steering committees no longer exist.
        using var reference = new TestReference(LangSonUnits.TwoTierCsv(units), committees: new object[]
        {
            new { id = "bcd-tinh", name = "Ban Chỉ đạo các CTMTQG tỉnh", scope = "province",
                  members = new[] { new { name = "Văn phòng điều phối", email = "tinh-2cap@example.vn" } } },
        });
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, Wednesday(),
            settings: new Dictionary<string, string?> { ["Reporting:UnitLevel"] = "commune" });
        var admin = app.Admin();
        var (a, b, c) = (communes[0].Code, communes[1].Code, communes[2].Code);
        var tokenA = await WalkingSkeletonTests.CreateTokenAsync(admin, a);
        var tokenB = await WalkingSkeletonTests.CreateTokenAsync(admin, b);
        var tokenC = await WalkingSkeletonTests.CreateTokenAsync(admin, c);

        // A commune token cannot submit for another commune, nor slip another commune's row into its own report.
        Assert.Equal(HttpStatusCode.Forbidden, (await app.District(tokenA).PostAsJsonAsync("/api/submissions", Own(b, "chua-dat", null, 1))).StatusCode);
        var smuggled = await app.District(tokenA).PostAsJsonAsync("/api/submissions", new
        {
            unit = a,
            period = "2026-W48",
            communes = new object[]
            {
                new { code = a, status = "chua-dat", criteria_met = new[] { 1 } },
                new { code = b, status = "chua-dat", criteria_met = new[] { 1 } },
            },
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, smuggled.StatusCode);
        var errors = (await smuggled.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsArray();
        Assert.Contains(errors, e => (string?)e!["commune"] == b && (string?)e["field"] == "code");

        Assert.Equal(HttpStatusCode.Created, (await app.District(tokenA).PostAsJsonAsync("/api/submissions",
            Own(a, "dat-chuan", 2026, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await app.District(tokenB).PostAsJsonAsync("/api/submissions",
            Own(b, "hien-dai", 2023, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await app.District(tokenC).PostAsJsonAsync("/api/submissions",
            Own(c, "chua-dat", null, 1, 2, 3, 4, 5, 6))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync("/api/admin/recompute?period=2026-W48", null)).StatusCode);

        var snapshot = await LangSon2019AcceptanceTests.WaitForPeriodAsync(admin, "2026-W48", s => (int)s["submissions"]!["on_time"]! == 3);
        Assert.Equal("qd51-2026-2030", (string?)snapshot["criteria_set"]);
        var rows = snapshot["districts"]!.AsArray();
        Assert.Equal(communes.Select(x => x.Code), rows.Select(r => (string?)r!["code"]));
        Assert.All(rows, r => Assert.Equal(1, (int)r!["communes"]!));
        var rowA = rows.Single(r => (string?)r!["code"] == a)!;
        Assert.Equal(communes[0].Name, (string?)rowA["name"]);
        Assert.Equal((1, 1, "2026-W48", "on-time"), ((int)rowA["standard"]!, (int)rowA["new_standard_this_year"]!, (string?)rowA["data_period"], (string?)rowA["submission"]));
        Assert.Equal(10.00m, (decimal)rowA["avg_criteria"]!);
        var silent = rows.Single(r => (string?)r!["code"] == communes[3].Code)!;
        Assert.Equal((1, "missing"), ((int)silent["communes_without_data"]!, (string?)silent["submission"]));
        Assert.Null(silent["data_period"]);

        var p = snapshot["province"]!;
        Assert.Equal((175, 172, 2, 1, 1), ((int)p["communes"]!, (int)p["communes_without_data"]!, (int)p["standard"]!,
            (int)p["new_standard_this_year"]!, (int)p["modern"]!));
        Assert.Equal(8.67m, (decimal)p["avg_criteria"]!);        // (10 + 10 + 6) / 3
        Assert.Equal(["10", "8-9", "5-7", "3-4", "0-2"], p["bands"]!.AsObject().Select(x => x.Key));
        Assert.Equal((175, 3, 0, 172), ((int)snapshot["submissions"]!["expected"]!, (int)snapshot["submissions"]!["on_time"]!,
            (int)snapshot["submissions"]!["late"]!, (int)snapshot["submissions"]!["missing"]!));
        Assert.Equal(3, rows.Sum(r => (int)r!["communes"]! - (int)r["communes_without_data"]!));

        // The province's bulletin goes out with no district committee configured.
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync("/api/admin/bulletins/send?period=2026-W48", null)).StatusCode);
        await Poll.UntilAsync(() => Task.FromResult(smtp.To("tinh-2cap@example.vn").Count > 0), TimeSpan.FromSeconds(30), "the province's bulletin delivered");
        var message = Assert.Single(smtp.To("tinh-2cap@example.vn"));
        Assert.Contains(communes[0].Name, message.TextBody);
    }
}
