using System.Text.Json;
using NongThonMoi.Indicators;
using NongThonMoi.Infrastructure;
using NongThonMoi.Programme;
using static NongThonMoi.Tests.Support.Builders;

namespace NongThonMoi.Tests.Indicators;

/// <summary>
/// Properties of the calculator on generated provinces of several hundred communes, under the shipped criteria sets
/// and both structures: figures that must agree with each other whatever the data, and with a plain recount.
/// </summary>
public class IndicatorInvariantTests
{
    private static readonly IReadOnlyList<CriteriaSet> Sets = CriteriaFile.ParseFolder(Path.Combine(AppContext.BaseDirectory, "config", "criteria"));

    public static TheoryData<int, string, bool> Cases() => new()
    {
        { 1, "2019-W52", false }, { 2, "2019-W52", false }, { 3, "2023-W20", false }, { 4, "2026-W48", false },
        { 5, "2026-W48", true }, { 6, "2027-W03", true }, { 7, "2024-W40", true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bands_units_and_province_agree_with_a_plain_recount(int seed, string periodId, bool communesReport)
    {
        var (input, rows) = Generate(seed, periodId, communesReport);
        var s = IndicatorCalculator.Calculate(input).Snapshot;
        var p = s.Province;
        var set = input.CriteriaSet;
        var year = input.Period.Year;

        // A plain recount of the rows the generator produced.
        Assert.Equal(input.Communes.Count, p.Communes);
        Assert.Equal(input.Communes.Count - rows.Count, p.CommunesWithoutData);
        Assert.Equal(rows.Values.Count(r => r.Status != Statuses.NotMet), p.Standard);
        Assert.Equal(rows.Values.Count(r => r.Status != Statuses.NotMet && r.RecognizedYear == year), p.NewStandardThisYear);
        Assert.Equal(rows.Values.Count(r => r.Status is Statuses.Advanced or Statuses.Model), p.Advanced);
        Assert.Equal(rows.Values.Count(r => r.Status == Statuses.Model), p.Model);
        Assert.Equal(rows.Values.Count(r => r.Status == Statuses.Modern), p.Modern);
        Assert.Equal(Math.Round((decimal)rows.Values.Sum(r => r.CriteriaMet.Count) / rows.Count, 2, MidpointRounding.AwayFromZero), p.AvgCriteria);
        Assert.Equal(Math.Round(100m * p.Standard / p.Communes, 2, MidpointRounding.AwayFromZero), p.StandardPct);
        Assert.All(p.Criteria, c => Assert.Equal(rows.Values.Count(r => r.CriteriaMet.Contains(c.Number)), c.Met));

        // Bands cover every commune with data once, in the set's order.
        Assert.Equal(set.Bands.Select(b => b.Label), p.Bands.Keys);
        Assert.Equal(rows.Count, p.Bands.Values.Sum());
        foreach (var band in set.Bands)
            Assert.Equal(rows.Values.Count(r => r.CriteriaMet.Count >= band.Min && r.CriteriaMet.Count <= band.Max), p.Bands[band.Label]);

        // The reporting units add up to the province.
        Assert.Equal(input.ReportingUnits.Select(u => u.Code), s.Districts.Select(d => d.Code));
        Assert.Equal(p.Communes, s.Districts.Sum(d => d.Communes));
        Assert.Equal(p.CommunesWithoutData, s.Districts.Sum(d => d.CommunesWithoutData));
        Assert.Equal(p.Standard, s.Districts.Sum(d => d.Standard));
        Assert.Equal(p.NewStandardThisYear, s.Districts.Sum(d => d.NewStandardThisYear));
        Assert.Equal(p.Advanced, s.Districts.Sum(d => d.Advanced));
        Assert.Equal(p.Model, s.Districts.Sum(d => d.Model));
        foreach (var band in set.Bands) Assert.Equal(p.Bands[band.Label], s.Districts.Sum(d => d.Bands[band.Label]));
        Assert.All(s.Districts, d => Assert.Equal(d.Communes - d.CommunesWithoutData, d.Bands.Values.Sum()));
        Assert.Equal(s.Submissions.Expected, s.Submissions.OnTime + s.Submissions.Late + s.Submissions.Missing);
        Assert.Equal(input.ReportingUnits.Count, s.Submissions.Expected);
        Assert.Equal(s.Districts.Count(d => d.Submission == "missing"), s.Submissions.Missing);
        if (communesReport) Assert.All(s.Districts, d => Assert.Equal(1, d.Communes));

        // Each reporting unit against a recount of its own communes, grouped here by parent code.
        var communesOf = input.Communes.GroupBy(c => communesReport ? c.Code : c.ParentCode!).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var d in s.Districts)
        {
            var own = communesOf[d.Code];
            var reported = own.Where(c => rows.ContainsKey(c.Code)).Select(c => rows[c.Code]).ToList();
            Assert.Equal(own.Count, d.Communes);
            Assert.Equal(own.Count - reported.Count, d.CommunesWithoutData);
            Assert.Equal(reported.Count(r => r.Status != Statuses.NotMet), d.Standard);
            Assert.Equal(reported.Count(r => r.Status != Statuses.NotMet && r.RecognizedYear == year), d.NewStandardThisYear);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_same_input_in_any_order_gives_the_same_snapshot(int seed, string periodId, bool communesReport)
    {
        var (input, _) = Generate(seed, periodId, communesReport);
        var first = Json(IndicatorCalculator.Calculate(input));
        Assert.Equal(first, Json(IndicatorCalculator.Calculate(input)));

        // The database returns reports and rows in no particular order: the figures must not depend on it.
        var shuffle = new Random(seed + 1000);
        var shuffled = input with
        {
            Reports = input.Reports.OrderBy(_ => shuffle.Next()).Select(r => r with { Communes = r.Communes.OrderBy(_ => shuffle.Next()).ToList() }).ToList(),
            BaselineReports = input.BaselineReports.OrderBy(_ => shuffle.Next()).ToList(),
        };
        Assert.Equal(first, Json(IndicatorCalculator.Calculate(shuffled)));
    }

    private static string Json(CalculationResult result) =>
        JsonSerializer.Serialize(result.Snapshot, JsonDefaults.Options) + JsonSerializer.Serialize(result.Communes, JsonDefaults.Options);

    /// <summary>
    /// A province of 300–600 communes in 8–14 districts (or reporting for themselves); about one unit in ten has never
    /// reported, some report late or carry an older period forward, and some rows are missing from a report.
    /// </summary>
    private static (CalculationInput Input, Dictionary<string, CommuneReport> Rows) Generate(int seed, string periodId, bool communesReport)
    {
        var random = new Random(seed);
        var period = ReportingPeriod.Parse(periodId);
        var set = Sets.Single(s => s.AppliesTo(period.Year));
        var districts = Enumerable.Range(0, random.Next(8, 15)).Select(i => District((180 + i).ToString())).ToList();
        var communes = new List<Unit>();
        while (communes.Count < 300 || (communes.Count < 600 && random.NextDouble() < 0.995))
        {
            var district = districts[random.Next(districts.Count)];
            communes.Add(Commune($"{60000 + communes.Count}", communesReport ? "20" : district.Code));
        }
        // Communes reporting for themselves are listed as units in another order than as communes: a grouping by position
        // in the two lists instead of by code then fails here too, rather than pass by coincidence.
        var order = new Random(seed + 500);
        var units = communesReport
            ? communes.OrderBy(_ => order.Next()).ToList()
            : districts.Where(d => communes.Any(c => c.ParentCode == d.Code)).ToList();

        var rows = new Dictionary<string, CommuneReport>();
        var reports = new List<UnitReport>();
        var baseline = new List<UnitReport>();
        foreach (var unit in units)
        {
            // Grouped by the parent code as the units file gives it, not by the engine's own ReportingUnitOf.
            var own = communes.Where(c => (communesReport ? c.Code : c.ParentCode) == unit.Code).ToList();
            if (random.NextDouble() < 0.8)
                baseline.Add(Report(unit.Code, period.EndOfPreviousYear.Id, false, own.Select(c => Generated(c, set, period.Year - 1, random)).ToList()));
            if (random.NextDouble() < 0.1) continue;
            var reportPeriod = random.NextDouble() < 0.75 ? period : period.Previous.Previous;
            var reported = own.Where(_ => random.NextDouble() < 0.97).Select(c => Generated(c, set, period.Year, random)).ToList();
            foreach (var row in reported) rows[row.Code] = row;
            reports.Add(Report(unit.Code, reportPeriod.Id, random.NextDouble() < 0.2, reported,
                new Dictionary<string, decimal> { ["ocop_3_sao"] = random.Next(0, 5) }));
        }
        var input = new CalculationInput(period, set, Province, units, communes, reports, baseline, set, [],
            [new DataElement("ocop_3_sao", "OCOP 3 sao", "sản phẩm")], new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero));
        return (input, rows);
    }

    private static CommuneReport Generated(Unit commune, CriteriaSet set, int year, Random random)
    {
        var status = set.Statuses[random.Next(set.Statuses.Count)];
        var met = status == Statuses.NotMet || random.NextDouble() < 0.1
            ? Enumerable.Range(1, set.Count).Where(_ => random.NextDouble() < 0.6).ToArray()
            : Enumerable.Range(1, set.Count).ToArray();
        return Row(commune.Code, status, status == Statuses.NotMet ? null : random.Next(2012, year + 1), met);
    }
}
