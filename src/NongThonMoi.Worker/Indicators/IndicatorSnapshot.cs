using NongThonMoi.Programme;
namespace NongThonMoi.Indicators;

/// <summary>
/// The province-wide figures of one period (số liệu tổng hợp toàn tỉnh), in the shape of
/// <c>GET /api/indicators/{period}</c>. Serialised snake_case.
/// </summary>
public sealed record IndicatorSnapshot(
    string Period,
    DateTimeOffset ComputedAt,
    string CriteriaSet,
    ProvinceFigures Province,
    IReadOnlyList<UnitFigures> Districts,
    SubmissionCounts Submissions,
    IReadOnlyList<DataWarning> Warnings);

public sealed record ProvinceFigures(
    string Code,
    string Name,
    int Communes,
    int CommunesWithoutData,
    // đạt chuẩn NTM: every status but chua-dat.
    int Standard,
    decimal StandardPct,
    // công nhận mới trong năm: standard communes whose recognized_year is the period's year.
    int NewStandardThisYear,
    // NTM nâng cao (nang-cao and kieu-mau).
    int Advanced,
    // NTM kiểu mẫu.
    int Model,
    // NTM hiện đại (2026–2030 pilot).
    int Modern,
    decimal? AvgCriteria,
    decimal? AvgCriteriaPrevYear,
    decimal? AvgCriteriaDelta,
    IReadOnlyDictionary<string, int> Bands,
    IReadOnlyList<CriterionFigures> Criteria,
    IReadOnlyDictionary<string, decimal> Targets,
    IReadOnlyDictionary<string, decimal> Data);

public sealed record CriterionFigures(int Number, string Name, int Met, decimal Pct);

/// <summary>A reporting unit's figures: a district (huyện) or, in the two-tier structure, a commune.</summary>
public sealed record UnitFigures(
    string Code,
    string Name,
    int Communes,
    int CommunesWithoutData,
    int Standard,
    int NewStandardThisYear,
    int Advanced,
    int Model,
    decimal? AvgCriteria,
    IReadOnlyDictionary<string, int> Bands,
    IReadOnlyDictionary<string, decimal> Targets,
    // The period whose submission the figures use; null when the unit never reported.
    string? DataPeriod,
    // <c>on-time</c>, <c>late</c> or <c>missing</c> for this period.
    string Submission,
    Guid? SubmissionId);

/// <summary>A data-quality warning (cảnh báo số liệu); it never changes a figure.</summary>
public sealed record DataWarning(string Unit, string? Commune, string Kind, string Message);

/// <summary>One commune as the figures saw it; stored beside the snapshot for the district bulletins.</summary>
public sealed record CommuneFigures(
    string Code,
    string Name,
    string Unit,
    string? Status,
    int? RecognizedYear,
    IReadOnlyList<int> CriteriaMet,
    string? DataPeriod);
