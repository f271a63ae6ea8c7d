using System.Text.Json;
using NongThonMoi.Indicators;
using NongThonMoi.Infrastructure;
using NongThonMoi.Programme;
using static NongThonMoi.Tests.Support.Builders;

namespace NongThonMoi.Tests.Indicators;

public class IndicatorCalculatorTests
{
    private static readonly Unit[] Districts = [District("901"), District("902")];
    private static readonly Unit[] Communes =
        [Commune("90101", "901"), Commune("90102", "901"), Commune("90103", "901"), Commune("90201", "902"), Commune("90202", "902")];

    /// <summary>
    /// District 901 reported on time; 902 did not, so its week-47 report (one commune of two) is carried forward.
    /// Computed by hand: 4 communes with data, criteria counts 5, 3, 5, 1.
    /// </summary>
    private static CalculationResult HandExample() => IndicatorCalculator.Calculate(Input("2026-W48", Districts, Communes,
        [
            Report("901", "2026-W48", false, [Row("90101", "dat-chuan", 2026, 1, 2, 3, 4, 5), Row("90102", "chua-dat", null, 1, 2, 3),
                Row("90103", "nang-cao", 2020, 1, 2, 3, 4, 5)], new() { ["ocop_3_sao"] = 4 }),
            Report("902", "2026-W47", false, [Row("90201", "chua-dat", null, 1)], new() { ["ocop_3_sao"] = 2 }),
        ],
        baseline:
        [
            Report("901", "2025-W52", false, [Row("90101", "chua-dat", null, 1, 2), Row("90102", "chua-dat", null, 1),
                Row("90103", "nang-cao", 2020, 1, 2, 3, 4, 5)]),
            Report("902", "2025-W52", false, [Row("90201", "chua-dat", null, 1)]),
        ],
        targets: [new Target(2026, "province", "new_standard", 2), new Target(2026, "901", "new_standard", 1)]));

    [Fact]
    public void Province_figures_match_the_hand_computation()
    {
        var p = HandExample().Snapshot.Province;
        Assert.Equal(5, p.Communes);
        Assert.Equal(1, p.CommunesWithoutData);
        Assert.Equal(2, p.Standard);
        Assert.Equal(40.00m, p.StandardPct);
        Assert.Equal(1, p.NewStandardThisYear);
        Assert.Equal(1, p.Advanced);
        Assert.Equal(0, p.Model);
        Assert.Equal(3.50m, p.AvgCriteria);              // (5 + 3 + 5 + 1) / 4
        Assert.Equal(2.25m, p.AvgCriteriaPrevYear);      // (2 + 1 + 5 + 1) / 4
        Assert.Equal(1.25m, p.AvgCriteriaDelta);
        Assert.Equal(["5", "3-4", "0-2"], p.Bands.Keys);
        Assert.Equal([2, 1, 1], p.Bands.Values);
        Assert.Equal([4, 3, 3, 2, 2], p.Criteria.Select(c => c.Met));
        Assert.Equal([100m, 75m, 75m, 50m, 50m], p.Criteria.Select(c => c.Pct));
        Assert.Equal(2m, p.Targets["new_standard"]);
        Assert.Equal(6m, p.Data["ocop_3_sao"]);
    }

    [Fact]
    public void Reporting_units_carry_their_newest_data_and_say_so()
    {
        var s = HandExample().Snapshot;
        var d1 = s.Districts.Single(d => d.Code == "901");
        var d2 = s.Districts.Single(d => d.Code == "902");
        Assert.Equal((3, 0, 2, 1, 1, 4.33m, "on-time", "2026-W48"), (d1.Communes, d1.CommunesWithoutData, d1.Standard, d1.NewStandardThisYear, d1.Advanced, d1.AvgCriteria, d1.Submission, d1.DataPeriod));
        Assert.Equal((2, 1, 0, 1.00m, "missing", "2026-W47"), (d2.Communes, d2.CommunesWithoutData, d2.Standard, d2.AvgCriteria, d2.Submission, d2.DataPeriod));
        Assert.Equal(1m, d1.Targets["new_standard"]);
        Assert.Equal(new SubmissionCounts(2, 1, 0, 1), s.Submissions);
    }

    [Fact]
    public void A_standard_commune_below_all_criteria_is_a_warning_not_a_change()
    {
        var result = IndicatorCalculator.Calculate(Input("2026-W48", [District("901")], [Commune("90101", "901")],
            [Report("901", "2026-W48", true, [Row("90101", "dat-chuan", 2025, 1, 2, 3, 4)])]));
        var warning = Assert.Single(result.Snapshot.Warnings);
        Assert.Equal(("901", "90101"), (warning.Unit, warning.Commune));
        Assert.Contains("4/5", warning.Message);
        Assert.Equal(1, result.Snapshot.Province.Standard);
        Assert.Equal("late", result.Snapshot.Districts[0].Submission);
    }

    [Fact]
    public void Averages_across_different_criteria_sets_are_not_compared()
    {
        var input = Input("2026-W48", [District("901")], [Commune("90101", "901")],
            [Report("901", "2026-W48", false, [Row("90101", "chua-dat", null, 1, 2)])],
            baseline: [Report("901", "2025-W52", false, [Row("90101", "chua-dat", null, 1, 2, 3)])]);
        var other = FiveCriteria with { Id = "older-set" };
        var p = IndicatorCalculator.Calculate(input with { BaselineCriteriaSet = other }).Snapshot.Province;
        Assert.Equal(3.00m, p.AvgCriteriaPrevYear);
        Assert.Null(p.AvgCriteriaDelta);
    }

    [Fact]
    public void Invariants_hold_on_generated_data_and_the_same_input_gives_the_same_snapshot()
    {
        var random = new Random(20191231);
        var districts = Enumerable.Range(1, 12).Select(i => District((900 + i).ToString())).ToArray();
        var communes = districts.SelectMany((d, i) => Enumerable.Range(1, 5 + i).Select(j => Commune($"{d.Code}{j:00}", d.Code))).ToArray();
        var statuses = new[] { "chua-dat", "dat-chuan", "nang-cao", "kieu-mau" };
        var reports = districts.Where(_ => random.NextDouble() < 0.85).Select(d => Report(d.Code, random.NextDouble() < 0.7 ? "2026-W48" : "2026-W45", random.NextDouble() < 0.2,
            communes.Where(c => c.ParentCode == d.Code && random.NextDouble() < 0.95).Select(c =>
            {
                var status = statuses[random.Next(statuses.Length)];
                var met = status == "chua-dat" ? Enumerable.Range(1, 5).Where(_ => random.NextDouble() < 0.5).ToArray() : [1, 2, 3, 4, 5];
                return Row(c.Code, status, status == "chua-dat" ? null : random.Next(2012, 2027), met);
            }).ToList())).ToList();
        var input = Input("2026-W48", districts, communes, reports);

        var first = IndicatorCalculator.Calculate(input).Snapshot;
        var p = first.Province;
        var withData = p.Communes - p.CommunesWithoutData;
        Assert.Equal(withData, p.Bands.Values.Sum());
        Assert.Equal(p.Communes, first.Districts.Sum(d => d.Communes));
        Assert.Equal(p.CommunesWithoutData, first.Districts.Sum(d => d.CommunesWithoutData));
        Assert.Equal(p.Standard, first.Districts.Sum(d => d.Standard));
        Assert.Equal(p.NewStandardThisYear, first.Districts.Sum(d => d.NewStandardThisYear));
        Assert.Equal(p.Advanced, first.Districts.Sum(d => d.Advanced));
        Assert.All(first.Districts, d => Assert.Equal(d.Communes - d.CommunesWithoutData, d.Bands.Values.Sum()));
        Assert.Equal(first.Submissions.Expected, first.Submissions.OnTime + first.Submissions.Late + first.Submissions.Missing);
        Assert.All(p.Criteria, c => Assert.InRange(c.Met, 0, withData));

        var again = IndicatorCalculator.Calculate(input).Snapshot;
        Assert.Equal(JsonSerializer.Serialize(first, JsonDefaults.Options), JsonSerializer.Serialize(again, JsonDefaults.Options));
    }
}
