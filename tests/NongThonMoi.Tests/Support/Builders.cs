using NongThonMoi.Indicators;
using NongThonMoi.Programme;

namespace NongThonMoi.Tests.Support;

/// <summary>Small hand-made inputs for the pure parts (calculator, validator).</summary>
public static class Builders
{
    /// <summary>A 5-criteria set with three bands, small enough to compute by hand.</summary>
    public static readonly CriteriaSet FiveCriteria = new(
        "test-5", "Bộ thử 5 tiêu chí", "thử", 2016, 2030, ["chua-dat", "dat-chuan", "nang-cao", "kieu-mau"],
        [new Band("5", 5, 5), new Band("3-4", 3, 4), new Band("0-2", 0, 2)],
        Enumerable.Range(1, 5).Select(n => new Criterion(n, $"Tiêu chí {n}", null)).ToList(),
        """{ "criteria": [ { "number": 1, "indicators": [ { "code": "1.1" } ] } ] }""");

    public static readonly Unit Province = new("20", "Tỉnh Thử", UnitLevel.Province, null, "TDMNPB", [], null);

    public static Unit District(string code) => new(code, $"Huyện {code}", UnitLevel.District, "20", "TDMNPB", [], null);

    public static Unit Commune(string code, string parent) => new(code, $"Xã {code}", UnitLevel.Commune, parent, "TDMNPB", [], null);

    public static CommuneReport Row(string code, string status, int? year, params int[] met) => new(code, status, year, met);

    public static UnitReport Report(string unit, string period, bool late, IReadOnlyList<CommuneReport> rows, Dictionary<string, decimal>? data = null) =>
        new(unit, period, Guid.NewGuid(), late, rows, data ?? []);

    public static CalculationInput Input(
        string period, IReadOnlyList<Unit> districts, IReadOnlyList<Unit> communes, IReadOnlyList<UnitReport> reports,
        IReadOnlyList<UnitReport>? baseline = null, IReadOnlyList<Target>? targets = null, CriteriaSet? set = null) =>
        new(ReportingPeriod.Parse(period), set ?? FiveCriteria, Province, districts, communes, reports, baseline ?? [], set ?? FiveCriteria,
            targets ?? [], [new DataElement("ocop_3_sao", "OCOP 3 sao", "sản phẩm")], new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero));
}
