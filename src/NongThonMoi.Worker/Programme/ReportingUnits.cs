using System.Runtime.CompilerServices;

namespace NongThonMoi.Programme;

/// <summary>
/// Who reports for which commune (đơn vị báo cáo): a district for its communes before the two-tier reform, each commune
/// for itself after it. The one place that answers it, for the validator, the figures, the reminders and the pages.
/// </summary>
public static class ReportingUnits
{
    /// <summary>A district's communes by one lookup per reference load, not a scan of every unit per submission (nationally 9,000).</summary>
    private static readonly ConditionalWeakTable<ReferenceData, ILookup<string, Unit>> CommunesByParent = new();

    /// <summary>The units that submit: districts that have communes, or every commune in the two-tier structure.</summary>
    public static List<Unit> ReportingUnitsAt(this ReferenceData data, UnitLevel level)
    {
        if (level == UnitLevel.Commune) return data.Units.Where(u => u.Level == UnitLevel.Commune).ToList();
        var withCommunes = data.Units.Where(u => u.Level == UnitLevel.Commune).Select(u => u.ParentCode).ToHashSet();
        return data.Units.Where(u => u.Level == UnitLevel.District && withCommunes.Contains(u.Code)).ToList();
    }

    /// <summary>The communes a reporting unit reports for: a district's communes, or the commune itself.</summary>
    public static List<Unit> CommunesOf(this ReferenceData data, Unit reportingUnit) =>
        reportingUnit.Level == UnitLevel.Commune
            ? data.Units.Where(u => u.Level == UnitLevel.Commune && u.Code == reportingUnit.Code).ToList()
            : CommunesByParent.GetValue(data, d => d.Units.Where(u => u.Level == UnitLevel.Commune).ToLookup(u => u.ParentCode ?? u.Code))[reportingUnit.Code].ToList();

    /// <summary>The code of the unit that reports for <paramref name="commune"/> at <paramref name="level"/>.</summary>
    public static string ReportingUnitOf(Unit commune, UnitLevel level) =>
        level == UnitLevel.Commune ? commune.Code : commune.ParentCode ?? commune.Code;
}
