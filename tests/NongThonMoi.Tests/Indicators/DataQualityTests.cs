using NongThonMoi.Indicators;
using NongThonMoi.Programme;
using static NongThonMoi.Tests.Support.Builders;

namespace NongThonMoi.Tests.Indicators;

/// <summary>Data-quality warnings in the snapshot, worked out by hand on a 5-criteria set with a few thresholds.</summary>
public class DataQualityTests
{
    /// <summary>
    /// Criterion 1: income ≥ 45 nationally, ≥ 36 in TDMNPB. Criterion 2: poverty ≤ 6 and a Đạt/Không đạt indicator.
    /// Criterion 3: one indicator with no known threshold. Criteria 4 and 5: no indicators.
    /// </summary>
    private static readonly CriteriaSet WithThresholds = FiveCriteria with
    {
        Definition = """
            { "threshold_basis": "region", "criteria": [
              { "number": 1, "indicators": [ { "code": "1.1", "comparison": ">=", "level": "dat-chuan",
                  "thresholds": [ { "applies_to": "*", "value": 45 }, { "applies_to": "TDMNPB", "value": 36 } ] } ] },
              { "number": 2, "indicators": [
                  { "code": "2.1", "comparison": "<=", "level": "dat-chuan", "thresholds": [ { "applies_to": "*", "value": 6 } ] },
                  { "code": "2.2", "comparison": "bool", "level": "dat-chuan", "thresholds": [ { "applies_to": "*", "value": 1 } ] },
                  { "code": "2.3-nc", "comparison": ">=", "level": "nang-cao", "thresholds": [ { "applies_to": "*", "value": 99 } ] } ] },
              { "number": 3, "indicators": [ { "code": "3.1", "comparison": ">=", "level": "dat-chuan", "thresholds": [] } ] } ] }
            """,
    };

    private static readonly Unit Mountain = Commune("90101", "901");                          // TDMNPB
    private static readonly Unit Delta = Commune("90102", "901") with { Region = "DBSH" };   // no DBSH entry: the national value

    private static CommuneReport Reported(string code, Dictionary<string, decimal> values, params int[] met) =>
        new(code, "chua-dat", null, met, values);

    private static IReadOnlyList<DataWarning> Warnings(CommuneReport mountain, CommuneReport? delta = null, IReadOnlyList<UnitReport>? previous = null, Guid? id = null)
    {
        var report = Report("901", "2019-W52", false, delta is null ? [mountain] : [mountain, delta]) with { SubmissionId = id ?? Guid.NewGuid() };
        var input = Input("2019-W52", [District("901")], [Mountain, Delta], [report], set: WithThresholds) with { PreviousReports = previous };
        return IndicatorCalculator.Calculate(input).Snapshot.Warnings;
    }

    [Fact]
    public void A_value_is_judged_against_the_threshold_of_the_communes_region()
    {
        // 40 meets TDMNPB's 36 though not the national 45; in DBSH, which has no value of its own, 45 applies.
        var warnings = Warnings(Reported("90101", new() { ["1.1"] = 40 }, 1), Reported("90102", new() { ["1.1"] = 40 }, 1));
        var warning = Assert.Single(warnings);
        Assert.Equal(("90102", "indicator-below-threshold"), (warning.Commune, warning.Kind));
        Assert.Equal("Xã 90102 báo cáo đạt tiêu chí 1 (Tiêu chí 1) nhưng chỉ tiêu 1.1 = 40 chưa đạt ngưỡng ≥ 45 (chung cả nước)", warning.Message);

        var below = Assert.Single(Warnings(Reported("90101", new() { ["1.1"] = 30.5m }, 1)));
        Assert.Equal("Xã 90101 báo cáo đạt tiêu chí 1 (Tiêu chí 1) nhưng chỉ tiêu 1.1 = 30,5 chưa đạt ngưỡng ≥ 36 (vùng TDMNPB)", below.Message);
    }

    [Fact]
    public void A_criterion_reported_unmet_whose_every_indicator_meets_its_threshold_is_flagged()
    {
        var met = Assert.Single(Warnings(Reported("90101", new() { ["2.1"] = 5.5m, ["2.2"] = 1 })));
        Assert.Equal(("indicator-meets-threshold", "90101"), (met.Kind, met.Commune));
        Assert.Contains("chưa đạt tiêu chí 2", met.Message);
        // One indicator missing: the criterion could still fail on it, so nothing is said; the nâng cao one does not count.
        Assert.Empty(Warnings(Reported("90101", new() { ["2.1"] = 5.5m })));
        // A poverty rate above 6 and a Không đạt both fail, and the warning names both.
        var failed = Assert.Single(Warnings(Reported("90101", new() { ["2.1"] = 7, ["2.2"] = 0 }, 2)));
        Assert.Contains("chỉ tiêu 2.1 = 7 chưa đạt ngưỡng ≤ 6", failed.Message);
        Assert.Contains("chỉ tiêu 2.2 = 0 chưa đạt ngưỡng 1", failed.Message);
        // No threshold known, and no indicator at all: not checked.
        Assert.Empty(Warnings(Reported("90101", new() { ["3.1"] = 0 }, 3, 4, 5)));
    }

    [Fact]
    public void A_commune_whose_count_fell_since_the_previous_period_is_flagged_and_the_figures_stay_as_reported()
    {
        var previous = Report("901", "2019-W51", false, [Row("90101", "chua-dat", null, 1, 2, 3, 4)]);
        var fell = Assert.Single(Warnings(Row("90101", "chua-dat", null, 1, 3), previous: [previous]));
        Assert.Equal("criteria-fell", fell.Kind);
        Assert.Equal("Xã 90101: số tiêu chí đạt giảm từ 4 (kỳ 2019-W51) xuống 2 (kỳ 2019-W52); không còn đạt: 2, 4", fell.Message);
        Assert.Empty(Warnings(Row("90101", "chua-dat", null, 1, 2, 3, 4, 5), previous: [previous]));

        // The same submission carried into this period is not a new report, whatever it says.
        var carried = Report("901", "2019-W50", false, [Row("90101", "chua-dat", null, 1, 2, 3, 4)]);
        Assert.Empty(Warnings(Row("90101", "chua-dat", null, 1), previous: [carried with { SubmissionId = Guid.Empty }], id: Guid.Empty));

        var input = Input("2019-W52", [District("901")], [Mountain], [Report("901", "2019-W52", false, [Row("90101", "chua-dat", null, 1)])], set: WithThresholds)
            with
        { PreviousReports = [previous] };
        Assert.Equal(1.00m, IndicatorCalculator.Calculate(input).Snapshot.Province.AvgCriteria);
    }
}
