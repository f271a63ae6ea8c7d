using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Indicators;

/// <summary>
/// The seed's published table for Lạng Sơn at the end of 2019, reproduced through the public API from a constructed
/// data set over the real 207 rural communes (see <see cref="LangSon2019DataSet"/>).
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class LangSon2019AcceptanceTests(PostgresFixture postgres, SmtpFixture smtp)
{
    /// <summary>Monday 06/01/2020 10:00 in Hà Nội: the year's figures are compiled after the last week of 2019.</summary>
    private static FakeTimeProvider EarlyJanuary2020() => new(new DateTimeOffset(2020, 1, 6, 3, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task The_published_end_of_2019_figures_come_out_of_the_api()
    {
        var units = LangSonUnits.Read("langson-units-2019-12-01.csv");
        var communes = LangSonUnits.RuralCommunes(units);
        Assert.Equal(207, communes.Count);
        var published = PublishedTotals.LangSon2019;
        var dataSet = LangSon2019DataSet.Build(communes, published);
        using var reference = new TestReference(LangSonUnits.ThreeTierCsv(units),
            targets: new Dictionary<string, object> { ["2019"] = new { province = new { new_standard = 12 } } });
        var clock = EarlyJanuary2020();
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, clock);
        var admin = app.Admin();

        await dataSet.SubmitEndsOf2018And2019Async(admin, clock);
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync("/api/admin/recompute?period=2019-W52", null)).StatusCode);

        var snapshot = await WaitForPeriodAsync(admin, "2019-W52", s => (int)s["submissions"]!["missing"]! == 0);
        Assert.Equal("qd1980-2016-2020", (string?)snapshot["criteria_set"]);
        var p = snapshot["province"]!;
        Assert.Equal("20", (string?)p["code"]);
        Assert.Equal(207, (int)p["communes"]!);
        Assert.Equal(0, (int)p["communes_without_data"]!);
        Assert.Equal(61, (int)p["standard"]!);
        Assert.Equal(29.47m, (decimal)p["standard_pct"]!);           // 61 / 207
        Assert.Equal(13, (int)p["new_standard_this_year"]!);
        Assert.Equal(12m, (decimal)p["targets"]!["new_standard"]!);
        Assert.Equal(2, (int)p["advanced"]!);
        Assert.Equal(0, (int)p["model"]!);
        Assert.Equal(11.54m, (decimal)p["avg_criteria"]!);
        Assert.Equal(10.04m, (decimal)p["avg_criteria_prev_year"]!);
        Assert.Equal(1.50m, (decimal)p["avg_criteria_delta"]!);

        // Bands: the set's five, covering every commune; every standard commune meets all 19 in this data set.
        var bands = p["bands"]!.AsObject();
        Assert.Equal(["19", "15-18", "10-14", "5-9", "0-4"], bands.Select(b => b.Key));
        Assert.Equal(207, bands.Sum(b => (int)b.Value!));
        Assert.Equal(61, (int)bands["19"]!);
        // Each commune's count is the criteria it meets, so the per-criterion counts add up to the average's numerator.
        var criteria = p["criteria"]!.AsArray();
        Assert.Equal(19, criteria.Count);
        Assert.Equal(11.54m, Math.Round(criteria.Sum(c => (int)c!["met"]!) / 207m, 2));

        // The districts add up to the province, and each matches the data set it was sent.
        var districts = snapshot["districts"]!.AsArray();
        Assert.Equal(11, districts.Count);
        Assert.Equal(207, districts.Sum(d => (int)d!["communes"]!));
        Assert.Equal(61, districts.Sum(d => (int)d!["standard"]!));
        Assert.Equal(13, districts.Sum(d => (int)d!["new_standard_this_year"]!));
        Assert.Equal(2, districts.Sum(d => (int)d!["advanced"]!));
        foreach (var d in districts)
        {
            var sent = dataSet.Communes.Where(c => c.District == (string?)d!["code"]).ToList();
            Assert.Equal(sent.Count, (int)d!["communes"]!);
            Assert.Equal(sent.Count(c => c.Status2019 != "chua-dat"), (int)d["standard"]!);
            Assert.Equal(sent.Count(c => c.RecognizedYear2019 == 2019), (int)d["new_standard_this_year"]!);
            Assert.Equal(sent.Count(c => c.Status2019 == "nang-cao"), (int)d["advanced"]!);
            Assert.Equal(Math.Round((decimal)sent.Sum(c => c.Met2019.Length) / sent.Count, 2, MidpointRounding.AwayFromZero), (decimal)d["avg_criteria"]!);
            Assert.Equal(sent.Count, d["bands"]!.AsObject().Sum(b => (int)b.Value!));
            Assert.Equal("2019-W52", (string?)d["data_period"]);
            // Sent in January for a deadline in December: accepted, and late.
            Assert.Equal("late", (string?)d["submission"]);
        }
        // The constructed data never lowers a commune's count and every standard commune meets all 19: nothing to warn about.
        Assert.Empty(snapshot["warnings"]!.AsArray());
        Assert.Equal((11, 0, 11, 0), ((int)snapshot["submissions"]!["expected"]!, (int)snapshot["submissions"]!["on_time"]!,
            (int)snapshot["submissions"]!["late"]!, (int)snapshot["submissions"]!["missing"]!));
    }

    internal static async Task<JsonObject> WaitForPeriodAsync(HttpClient admin, string period, Func<JsonObject, bool> ready, int seconds = 60)
    {
        JsonObject? last = null;
        try
        {
            await Poll.UntilAsync(async () =>
            {
                var response = await admin.GetAsync($"/api/indicators/{period}");
                if (response.StatusCode != HttpStatusCode.OK) return false;
                last = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
                return ready(last);
            }, TimeSpan.FromSeconds(seconds), $"a snapshot of {period} as expected", everyMs: 200);
            return last!;
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; last: {last?["submissions"]?.ToJsonString()}", e);
        }
    }
}
