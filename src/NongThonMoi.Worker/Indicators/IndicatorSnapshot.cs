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
    IReadOnlyList<DataWarning> Warnings,
    // The day whose unit list the figures use (địa giới ngày, yyyy-MM-dd): counts of snapshots with different boundaries
    // are of different unit lists.
    string? Boundaries = null,
    // The merger that the comparisons (previous year, previous period) were mapped across, or that figures were inherited through.
    BoundariesChange? BoundariesChange = null);

/// <summary>
/// A change of the unit list the figures were mapped across (quy đổi theo địa giới sau sáp nhập): the merger's date and the
/// number of communes (xã) the day before and on the boundaries day.
/// </summary>
public sealed record BoundariesChange(string Effective, int CommunesBefore, int CommunesAfter);

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
    Guid? SubmissionId,
    // The old codes (mã đơn vị cũ) whose data some of these figures inherited through a merger; null when none.
    IReadOnlyList<string>? DerivedFrom = null);

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
    string? DataPeriod,
    // The old codes whose data the row inherited through a merger, until the commune reports itself; null for its own data.
    IReadOnlyList<string>? DerivedFrom = null);
