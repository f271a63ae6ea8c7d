using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace NongThonMoi.Programme;

public enum UnitLevel { Province, District, Commune }

/// <summary>
/// An administrative unit (đơn vị hành chính): the province (tỉnh), a district (huyện) or a rural commune (xã) — one
/// version of it: from <see cref="ValidFrom"/> to <see cref="ValidTo"/> inclusive, null meaning open. A code that carries on
/// after a merger (sáp nhập) with a new name, parent or level has one version per state.
/// </summary>
public sealed record Unit(string Code, string Name, UnitLevel Level, string? ParentCode, string? Region, IReadOnlyList<string> Flags, int? CommuneGroup,
    DateOnly? ValidFrom = null, DateOnly? ValidTo = null)
{
    public bool ValidOn(DateOnly day) => (ValidFrom is null || ValidFrom <= day) && (ValidTo is null || day <= ValidTo);
}

/// <summary>
/// A row of <c>mergers.csv</c> (sáp nhập đơn vị hành chính): from <see cref="Effective"/>, unit <see cref="OldCode"/> is
/// part of unit <see cref="NewCode"/>. A unit split between two new ones has two rows; a code that carries on has a row N,N.
/// </summary>
public sealed record Merger(DateOnly Effective, string OldCode, string NewCode);

/// <summary>
/// The units a unit was formed from (đơn vị trước sáp nhập) by its newest merger on or before a day: the versions valid
/// the day before <see cref="Effective"/>. <see cref="Retained"/> is the one whose code carries on (Reporting:MergerRule
/// <c>retained</c>), if any. A predecessor may itself have predecessors: ask again for its code on the day before Effective.
/// </summary>
public sealed record Predecessors(string Code, DateOnly Effective, IReadOnlyList<Unit> Units)
{
    public Unit? Retained => Units.FirstOrDefault(u => u.Code == Code);
}

/// <summary>A band of communes by the number of criteria met, e.g. "15-18".</summary>
public sealed record Band(string Label, int Min, int Max);

/// <summary>A criterion (tiêu chí) of a criteria set, numbered 1..N.</summary>
public sealed record Criterion(int Number, string Name, int? Group);

/// <summary>A national criteria set (bộ tiêu chí quốc gia về xã nông thôn mới) and the years it applies to.</summary>
public sealed record CriteriaSet(
    string Id, string Title, string LegalBasis, int YearFrom, int YearTo,
    IReadOnlyList<string> Statuses, IReadOnlyList<Band> Bands, IReadOnlyList<Criterion> Criteria, string Definition)
{
    public int Count => Criteria.Count;

    public bool AppliesTo(int year) => year >= YearFrom && year <= YearTo;
}

public sealed record CommitteeMember(string Name, string Email);

/// <summary>A steering committee (Ban Chỉ đạo) that receives bulletins; scope "province" or a unit's code.</summary>
public sealed record Committee(string Id, string Name, string Scope, bool Reminders, IReadOnlyList<CommitteeMember> Members)
{
    public bool IsProvince => Scope == "province";
}

/// <summary>A district-level figure submitted beside the communes, e.g. OCOP products by stars.</summary>
public sealed record DataElement(string Code, string Name, string Unit);

/// <summary>The yearly plan targets (chỉ tiêu kế hoạch): scope "province" or a reporting unit's code, by key.</summary>
public sealed record Target(int Year, string Scope, string Key, decimal Value);

/// <summary>
/// Everything in the reference folder, parsed and checked. <see cref="AllUnits"/> holds every version of every unit
/// (units.csv with validity dates spans the mergers); <see cref="Units"/> is the list in force after the file's last change.
/// </summary>
public sealed record ReferenceData(
    IReadOnlyList<Unit> AllUnits,
    IReadOnlyList<CriteriaSet> CriteriaSets,
    IReadOnlyList<Target> Targets,
    IReadOnlyList<Committee> Committees,
    IReadOnlyList<DataElement> DataElements,
    IReadOnlyList<Merger> Mergers)
{
    /// <summary>Derived lists by one computation per reference load (nationally 9,000 units), keyed on the instance so a <c>with</c> copy recomputes.</summary>
    private static readonly ConditionalWeakTable<ReferenceData, IReadOnlyList<Unit>> Current = new();
    private static readonly ConditionalWeakTable<ReferenceData, ILookup<string, Merger>> MergersByNew = new();
    private static readonly ConditionalWeakTable<ReferenceData, ILookup<string, Unit>> VersionsByCode = new();
    private static readonly ConditionalWeakTable<ReferenceData, ConcurrentDictionary<DateOnly, IReadOnlyList<Unit>>> ByDay = new();

    /// <summary>
    /// The units in force after the last change the file records (every row whose <c>valid_to</c> is empty). Without validity
    /// columns that is every row, as before mergers existed. Callers that know their period ask <see cref="UnitsOn"/> with its
    /// deadline day instead.
    /// </summary>
    public IReadOnlyList<Unit> Units => Current.GetValue(this, d => d.AllUnits.Where(u => u.ValidTo is null).ToList());

    /// <summary>The unit list (danh sách đơn vị hành chính) of a day: every unit version valid on it.</summary>
    /// <remarks>Kept per day: every submission and recompute of a period asks for the list of its deadline day.</remarks>
    public IReadOnlyList<Unit> UnitsOn(DateOnly day) =>
        ByDay.GetValue(this, _ => new()).GetOrAdd(day, d => AllUnits.Where(u => u.ValidOn(d)).ToList());

    /// <summary>The version of <paramref name="code"/> valid on <paramref name="day"/>, or null.</summary>
    public Unit? UnitOn(string code, DateOnly day) => VersionsOf(code).FirstOrDefault(u => u.ValidOn(day));

    /// <summary>Every version of <paramref name="code"/>, by one lookup per reference load (the merger mapping asks per commune).</summary>
    public IEnumerable<Unit> VersionsOf(string code) => VersionsByCode.GetValue(this, d => d.AllUnits.ToLookup(u => u.Code))[code];

    /// <summary>
    /// What <paramref name="code"/> was formed from by its newest merger on or before <paramref name="day"/>, or null when no
    /// merger made it (its predecessors: the old codes of its rows in mergers.csv, itself included when it has a row N,N).
    /// </summary>
    public Predecessors? PredecessorsOf(string code, DateOnly day)
    {
        var rows = MergersByNew.GetValue(this, d => d.Mergers.ToLookup(m => m.NewCode))[code].Where(m => m.Effective <= day).ToList();
        if (rows.Count == 0) return null;
        var effective = rows.Max(m => m.Effective);
        var before = effective.AddDays(-1);
        return new Predecessors(code, effective, rows.Where(m => m.Effective == effective)
            .Select(m => UnitOn(m.OldCode, before)).OfType<Unit>().ToList());
    }

    public static readonly string[] TargetKeys = ["new_standard", "total_standard", "advanced", "model", "modern", "avg_criteria"];
    public static readonly string[] Regions = ["TDMNPB", "DBSH", "BTB", "DHNTB", "TN", "DNB", "DBSCL"];
    public static readonly string[] Flags = ["bien-gioi", "dbkk", "atk"];
}

/// <summary>A reference file that cannot be loaded; the message names the file, the line and the reason.</summary>
public sealed class ReferenceException(string file, int? line, string reason)
    : Exception(line is null ? $"{file}: {reason}" : $"{file}, line {line}: {reason}")
{
    public string File { get; } = file;
    public int? Line { get; } = line;
    public string Reason { get; } = reason;
}
