using System.Globalization;

namespace NongThonMoi.Programme;

/// <summary>
/// The unit structure of one reporting period (địa giới của kỳ): the units valid on its <see cref="Boundaries"/> day (its
/// deadline day), the level that submits then (<c>Reporting:UnitLevel</c>, which may change at a date) and the communes each
/// reporting unit answers for. Submissions, figures, reminders, templates and pages of a period all ask this one object,
/// so a period before a merger keeps the units of its time and a period after it sees the new ones.
/// </summary>
public sealed class PeriodUnits(ReferenceData data, DateOnly boundaries, UnitLevel level)
{
    /// <summary>
    /// The structure of <paramref name="boundaries"/> at the configured level (<see cref="ReportingOptions.LevelOn"/>). A unit list
    /// with no district that has communes (the two-tier structure since 01/07/2025) is reported by its communes whatever the
    /// configuration says: <c>district</c> means "districts report while there are districts", so a units.csv spanning the
    /// reform works with the default level, and an explicit <c>district,commune@2025-07-01</c> says the same with a date.
    /// </summary>
    public static PeriodUnits Of(ReferenceData data, DateOnly boundaries, UnitLevel configured)
    {
        if (configured == UnitLevel.District && !data.AnyReportingOn(boundaries, UnitLevel.District)
            && data.UnitsOn(boundaries).Any(u => u.Level == UnitLevel.Commune))
            configured = UnitLevel.Commune;
        return new PeriodUnits(data, boundaries, configured);
    }

    public ReferenceData Data => data;

    public DateOnly Boundaries => boundaries;

    public UnitLevel Level => level;

    public IReadOnlyList<Unit> Units => data.UnitsOn(boundaries);

    public Unit Province => Units.Single(u => u.Level == UnitLevel.Province);

    public List<Unit> Communes => Units.Where(u => u.Level == UnitLevel.Commune).ToList();

    /// <summary>The units that submit: districts that have communes, or every commune in the two-tier structure.</summary>
    public List<Unit> ReportingUnits => data.ReportingUnitsOn(boundaries, level);

    /// <summary>The reporting unit with <paramref name="code"/>, or null when that code does not report for this period.</summary>
    public Unit? ReportingUnit(string code) => data.UnitOn(code, boundaries) is { } unit && unit.Level == level ? unit : null;

    public List<Unit> CommunesOf(Unit reportingUnit) => data.CommunesOf(reportingUnit, boundaries);

    /// <summary>"huyện" or "xã": what a reporting unit is called in messages.</summary>
    public string LevelName => level == UnitLevel.District ? "huyện" : "xã";

    /// <summary>
    /// Why a code that existed is not a unit of this period, in Vietnamese: "xã Hữu Lễ (06265) đã sáp nhập vào xã Tân
    /// Văn (06280) từ 01/01/2020" for a merged commune (following later mergers to the unit of today), or that it ended on a
    /// date. Null for a code that is valid, or that no version of units.csv knows.
    /// </summary>
    public string? WhyNotValid(string code)
    {
        if (data.UnitOn(code, boundaries) is not null) return null;
        var last = data.AllUnits.Where(u => u.Code == code && u.ValidTo is { } to && to < boundaries).MaxBy(u => u.ValidTo);
        if (last is null) return null;
        var effective = last.ValidTo!.Value.AddDays(1);
        var into = data.Mergers.Where(m => m.OldCode == code && m.Effective == effective).Select(m => m.NewCode).ToList();
        if (into.Count == 0)
            return $"{Lower(last.Name)} ({code}) không còn là đơn vị hành chính từ {Day(effective)}";
        var targets = into.SelectMany(c => Successors(c, effective)).Distinct().ToList();
        return $"{Lower(last.Name)} ({code}) đã sáp nhập vào {string.Join(" và ", targets.Select(t => $"{Lower(t.Name)} ({t.Code})"))} từ {Day(effective)}";
    }

    /// <summary>What a unit formed on <paramref name="since"/> is on the boundaries day, through any later merger.</summary>
    private IEnumerable<Unit> Successors(string code, DateOnly since)
    {
        if (data.UnitOn(code, boundaries) is { } today)
        {
            yield return today;
            yield break;
        }
        var version = data.AllUnits.Where(u => u.Code == code && u.ValidOn(since)).FirstOrDefault();
        if (version?.ValidTo is not { } to || to >= boundaries) yield break;
        foreach (var next in data.Mergers.Where(m => m.OldCode == code && m.Effective == to.AddDays(1)))
            foreach (var unit in Successors(next.NewCode, next.Effective))
                yield return unit;
    }

    /// <summary>"Xã Tân Văn" reads "xã Tân Văn" inside a sentence.</summary>
    private static string Lower(string name) => name.Length > 0 && char.IsUpper(name[0]) ? char.ToLowerInvariant(name[0]) + name[1..] : name;

    private static string Day(DateOnly day) => day.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);
}
