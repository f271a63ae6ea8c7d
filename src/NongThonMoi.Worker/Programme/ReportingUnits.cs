using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace NongThonMoi.Programme;

/// <summary>
/// Who reports for which commune (đơn vị báo cáo): a district for its communes before the two-tier reform, each commune
/// for itself after it. The one place that answers it, for the validator, the figures, the reminders and the pages.
/// The overloads without a day use <see cref="ReferenceData.Units"/> (the units after the last change); those with a day
/// use the unit list of that day (a period's deadline day), so a period before a merger sees the units of its time.
/// </summary>
public static class ReportingUnits
{
    /// <summary>A district's communes by one lookup per reference load, not a scan of every unit per submission (nationally 9,000).</summary>
    private static readonly ConditionalWeakTable<ReferenceData, ILookup<string, Unit>> CommunesByParent = new();
    private static readonly ConditionalWeakTable<ReferenceData, ConcurrentDictionary<DateOnly, ILookup<string, Unit>>> CommunesByParentOn = new();
    private static readonly ConditionalWeakTable<ReferenceData, ConcurrentDictionary<(DateOnly Day, UnitLevel Level), Unit[]>> ReportingOn = new();

    /// <summary>The units that submit: districts that have communes, or every commune in the two-tier structure.</summary>
    public static List<Unit> ReportingUnitsAt(this ReferenceData data, UnitLevel level) => Reporting(data.Units, level);

    /// <summary>The units that submit for a period whose deadline falls on <paramref name="day"/>, at <paramref name="level"/> (<see cref="ReportingOptions.LevelOn"/>).</summary>
    /// <remarks>
    /// Kept per day and level: every submission asks (PeriodUnits.Of), and working it out hashes every commune's parent
    /// (nationally 8,300) — a fifth of a millisecond and 200 KB of garbage per request in a deadline rush.
    /// </remarks>
    public static List<Unit> ReportingUnitsOn(this ReferenceData data, DateOnly day, UnitLevel level) =>
        [.. ReportingOn.GetValue(data, _ => new()).GetOrAdd((day, level), k => [.. Reporting(data.UnitsOn(k.Day), k.Level)])];

    /// <summary>Whether any unit submits on <paramref name="day"/> at <paramref name="level"/>, without copying the list.</summary>
    public static bool AnyReportingOn(this ReferenceData data, DateOnly day, UnitLevel level) =>
        ReportingOn.GetValue(data, _ => new()).GetOrAdd((day, level), k => [.. Reporting(data.UnitsOn(k.Day), k.Level)]).Length > 0;

    /// <summary>The communes a reporting unit reports for: a district's communes, or the commune itself.</summary>
    public static List<Unit> CommunesOf(this ReferenceData data, Unit reportingUnit) =>
        reportingUnit.Level == UnitLevel.Commune
            ? data.Units.Where(u => u.Level == UnitLevel.Commune && u.Code == reportingUnit.Code).ToList()
            : CommunesByParent.GetValue(data, d => d.Units.Where(u => u.Level == UnitLevel.Commune).ToLookup(u => u.ParentCode ?? u.Code))[reportingUnit.Code].ToList();

    /// <summary>The communes a reporting unit reports for on <paramref name="day"/>.</summary>
    public static List<Unit> CommunesOf(this ReferenceData data, Unit reportingUnit, DateOnly day) =>
        reportingUnit.Level == UnitLevel.Commune
            ? data.UnitOn(reportingUnit.Code, day) is { Level: UnitLevel.Commune } self ? [self] : []
            : CommunesByParentOn.GetValue(data, _ => new()).GetOrAdd(day,
                d => data.UnitsOn(d).Where(u => u.Level == UnitLevel.Commune).ToLookup(u => u.ParentCode ?? u.Code))[reportingUnit.Code].ToList();

    /// <summary>The code of the unit that reports for <paramref name="commune"/> at <paramref name="level"/>.</summary>
    public static string ReportingUnitOf(Unit commune, UnitLevel level) =>
        level == UnitLevel.Commune ? commune.Code : commune.ParentCode ?? commune.Code;

    private static List<Unit> Reporting(IReadOnlyList<Unit> units, UnitLevel level)
    {
        if (level == UnitLevel.Commune) return units.Where(u => u.Level == UnitLevel.Commune).ToList();
        var withCommunes = units.Where(u => u.Level == UnitLevel.Commune).Select(u => u.ParentCode).ToHashSet();
        return units.Where(u => u.Level == UnitLevel.District && withCommunes.Contains(u.Code)).ToList();
    }
}
