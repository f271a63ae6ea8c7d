namespace NongThonMoi.Programme;

public enum UnitLevel { Province, District, Commune }

/// <summary>An administrative unit (đơn vị hành chính): the province (tỉnh), a district (huyện) or a rural commune (xã).</summary>
public sealed record Unit(string Code, string Name, UnitLevel Level, string? ParentCode, string? Region, IReadOnlyList<string> Flags, int? CommuneGroup);

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

/// <summary>Everything in the reference folder, parsed and checked.</summary>
public sealed record ReferenceData(
    IReadOnlyList<Unit> Units,
    IReadOnlyList<CriteriaSet> CriteriaSets,
    IReadOnlyList<Target> Targets,
    IReadOnlyList<Committee> Committees,
    IReadOnlyList<DataElement> DataElements)
{
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
