using NongThonMoi.Programme;

namespace NongThonMoi.Indicators;

/// <summary>What one commune's row of an accepted submission says; <c>Indicators</c> are the raw values, if sent.</summary>
public sealed record CommuneReport(
    string Code, string Status, int? RecognizedYear, IReadOnlyList<int> CriteriaMet, IReadOnlyDictionary<string, decimal>? Indicators = null);

/// <summary>The accepted submission a reporting unit's figures use, possibly from an earlier period (carried forward).</summary>
public sealed record UnitReport(
    string UnitCode, string Period, Guid SubmissionId, bool Late,
    IReadOnlyList<CommuneReport> Communes, IReadOnlyDictionary<string, decimal> Data);

/// <summary>Everything the figures of one period depend on, loaded beforehand: no I/O happens in the calculator.</summary>
public sealed record CalculationInput(
    ReportingPeriod Period,
    CriteriaSet CriteriaSet,
    Unit Province,
    IReadOnlyList<Unit> ReportingUnits,
    IReadOnlyList<Unit> Communes,
    IReadOnlyList<UnitReport> Reports,
    IReadOnlyList<UnitReport> BaselineReports,
    CriteriaSet? BaselineCriteriaSet,
    IReadOnlyList<Target> Targets,
    IReadOnlyList<DataElement> DataElements,
    DateTimeOffset ComputedAt,
    // What stood at the end of the previous period (same criteria set), to spot a commune whose count fell.
    IReadOnlyList<UnitReport>? PreviousReports = null,
    // The communes' data mapped onto the period's units (MergerMapping); when null, each commune's row in its unit's report.
    MappedRows? Rows = null,
    MappedRows? PreviousRows = null,
    MappedRows? BaselineRows = null,
    // The day whose unit list the figures use, and the merger the comparisons were mapped across, if any.
    DateOnly? Boundaries = null,
    BoundariesChange? BoundariesChange = null,
    // The newest receipt among the period's own submissions read (stored with the snapshot as input_mark, for tracing).
    DateTimeOffset? NewestReceived = null);

/// <param name="Sources">
/// Beside each of the input's communes, the submission rows its data was made from (null: none); what a snapshot stores instead
/// of the rows themselves.
/// </param>
public sealed record CalculationResult(IndicatorSnapshot Snapshot, IReadOnlyList<CommuneFigures> Communes, IReadOnlyList<CommuneSource?>? Sources = null);

/// <summary>
/// Computes the figures of a snapshot (README, "Indicators and admin") from plain records. Deterministic: the same input gives
/// the same snapshot, so the job, the tests and the benchmark all call this one piece.
/// </summary>
public static class IndicatorCalculator
{
    public static CalculationResult Calculate(CalculationInput input)
    {
        var set = input.CriteriaSet;
        var period = input.Period;
        var reportByUnit = input.Reports.ToDictionary(r => r.UnitCode);
        var rowsByCommune = input.Rows?.Rows ?? ByCommune(input.Reports);
        var previousByCommune = input.PreviousRows?.Rows ?? ByCommune(input.PreviousReports ?? []);
        var quality = new DataQuality(set, period.Id);

        var communeFigures = new List<CommuneFigures>(input.Communes.Count);
        var sources = new List<CommuneSource?>(input.Communes.Count);
        var warnings = new List<DataWarning>();
        var province = new Tally(set);
        var unitTallies = input.ReportingUnits.ToDictionary(u => u.Code, _ => new Tally(set));
        var level = input.ReportingUnits.Count > 0 ? input.ReportingUnits[0].Level : UnitLevel.District;

        foreach (var commune in input.Communes)
        {
            var unitCode = ReportingUnits.ReportingUnitOf(commune, level);
            var tally = unitTallies[unitCode];
            tally.Communes++;
            province.Communes++;
            if (!rowsByCommune.TryGetValue(commune.Code, out var found))
            {
                communeFigures.Add(new CommuneFigures(commune.Code, commune.Name, unitCode, null, null, [], null));
                sources.Add(null);
                continue;
            }
            var row = found.Row;
            tally.Add(row, period.Year);
            province.Add(row, period.Year);
            communeFigures.Add(new CommuneFigures(commune.Code, commune.Name, unitCode, row.Status, row.RecognizedYear, row.CriteriaMet, found.Period,
                found.DerivedFrom));
            sources.Add(found.Source);
            if (found.DerivedFrom is { } oldCodes)
            {
                tally.DerivedFrom.UnionWith(oldCodes);
                continue; // figures inherited from merged units are not this unit's report: there is nothing of its own to check
            }
            // Data carried forward unchanged since the previous period cannot have fallen; a mapped row compares different units.
            var before = previousByCommune.TryGetValue(commune.Code, out var last) && last.SubmissionId != found.SubmissionId && last.DerivedFrom is null
                ? last : null;
            quality.Check(commune, unitCode, row, before?.Row, before?.Period, warnings);
        }

        var baseline = new Tally(input.BaselineCriteriaSet ?? set);
        var communeCodes = input.Communes.Select(c => c.Code).ToHashSet();
        foreach (var (code, row) in input.BaselineRows?.Rows ?? ByCommune(input.BaselineReports))
            if (communeCodes.Contains(code)) baseline.Add(row.Row, period.Year - 1);

        var targets = TargetsOf(input.Targets, period.Year, "province");
        var data = new SortedDictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var element in input.DataElements) data[element.Code] = 0;
        foreach (var report in input.Reports)
            foreach (var (code, value) in report.Data)
                if (data.ContainsKey(code)) data[code] += value;

        var avg = province.Average;
        // Counts under a different criteria set (19 criteria in 2025, 10 from 2026) are not comparable.
        var comparable = input.BaselineCriteriaSet is null || input.BaselineCriteriaSet.Id == set.Id;
        var prev = baseline.Average;
        var provinceFigures = new ProvinceFigures(
            input.Province.Code, input.Province.Name, province.Communes, province.Communes - province.WithData,
            province.Standard, Percent(province.Standard, province.Communes), province.NewThisYear,
            province.Advanced, province.Model, province.Modern,
            avg, prev, comparable && avg is { } a && prev is { } p ? a - p : null,
            province.BandCounts(), province.CriterionFigures(), targets, data);

        var units = new List<UnitFigures>(input.ReportingUnits.Count);
        int onTime = 0, late = 0, missing = 0;
        foreach (var unit in input.ReportingUnits)
        {
            var t = unitTallies[unit.Code];
            reportByUnit.TryGetValue(unit.Code, out var report);
            var submission = report is null || report.Period != period.Id ? "missing" : report.Late ? "late" : "on-time";
            _ = submission switch { "missing" => missing++, "late" => late++, _ => onTime++ };
            units.Add(new UnitFigures(unit.Code, unit.Name, t.Communes, t.Communes - t.WithData, t.Standard, t.NewThisYear,
                t.Advanced, t.Model, t.Average, t.BandCounts(), TargetsOf(input.Targets, period.Year, unit.Code),
                report?.Period, submission, report?.SubmissionId, t.DerivedFrom.Count == 0 ? null : t.DerivedFrom.Order(StringComparer.Ordinal).ToList()));
        }

        var snapshot = new IndicatorSnapshot(period.Id, input.ComputedAt, set.Id, provinceFigures, units,
            new SubmissionCounts(input.ReportingUnits.Count, onTime, late, missing), warnings,
            input.Boundaries?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), input.BoundariesChange);
        return new CalculationResult(snapshot, communeFigures, sources);
    }

    /// <summary>
    /// Each commune's row in its unit's report: the figures when no mapping was given, and the rows at hand that the mapping
    /// checks against each commune's window.
    /// </summary>
    internal static Dictionary<string, CommuneData> ByCommune(IReadOnlyList<UnitReport> reports)
    {
        var rows = new Dictionary<string, CommuneData>(reports.Sum(r => r.Communes.Count));
        foreach (var report in reports)
            foreach (var row in report.Communes)
                rows[row.Code] = new CommuneData(row, report.Period, report.SubmissionId);
        return rows;
    }

    private static IReadOnlyDictionary<string, decimal> TargetsOf(IReadOnlyList<Target> targets, int year, string scope) =>
        new SortedDictionary<string, decimal>(
            targets.Where(t => t.Year == year && t.Scope == scope).ToDictionary(t => t.Key, t => t.Value), StringComparer.Ordinal);

    internal static decimal Percent(int part, int whole) =>
        whole == 0 ? 0 : Math.Round(100m * part / whole, 2, MidpointRounding.AwayFromZero);

    /// <summary>Running counts over a set of communes; one for the province, one per reporting unit.</summary>
    private sealed class Tally(CriteriaSet set)
    {
        private readonly int[] _criterionMet = new int[set.Count + 1];
        private readonly int[] _bandCount = new int[set.Bands.Count];
        private long _criteriaSum;

        public int Communes;
        public int WithData;
        /// <summary>The old codes whose data this tally inherited through a merger.</summary>
        public readonly HashSet<string> DerivedFrom = new(StringComparer.Ordinal);
        public int Standard;
        public int NewThisYear;
        public int Advanced;
        public int Model;
        public int Modern;

        public void Add(CommuneReport row, int year)
        {
            WithData++;
            _criteriaSum += row.CriteriaMet.Count;
            foreach (var n in row.CriteriaMet)
                if (n >= 1 && n <= set.Count) _criterionMet[n]++;
            for (var b = 0; b < set.Bands.Count; b++)
                if (row.CriteriaMet.Count >= set.Bands[b].Min && row.CriteriaMet.Count <= set.Bands[b].Max) { _bandCount[b]++; break; }
            if (row.Status == Statuses.NotMet) return;
            Standard++;
            if (row.RecognizedYear == year) NewThisYear++;
            if (row.Status is Statuses.Advanced or Statuses.Model) Advanced++;
            if (row.Status == Statuses.Model) Model++;
            if (row.Status == Statuses.Modern) Modern++;
        }

        public decimal? Average => WithData == 0 ? null : Math.Round((decimal)_criteriaSum / WithData, 2, MidpointRounding.AwayFromZero);

        public IReadOnlyDictionary<string, int> BandCounts()
        {
            // Insertion order is the criteria set's band order (highest first), which is how reports list them.
            var bands = new Dictionary<string, int>();
            for (var b = 0; b < set.Bands.Count; b++) bands.Add(set.Bands[b].Label, _bandCount[b]);
            return bands;
        }

        public IReadOnlyList<CriterionFigures> CriterionFigures() =>
            set.Criteria.Select(c => new CriterionFigures(c.Number, c.Name, _criterionMet[c.Number], Percent(_criterionMet[c.Number], WithData))).ToList();
    }
}
