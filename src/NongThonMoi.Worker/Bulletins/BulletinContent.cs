using NongThonMoi.Indicators;
using NongThonMoi.Programme;

namespace NongThonMoi.Bulletins;

/// <summary>A row of the bulletin's main table: a district in the province bulletin, a commune in a district's.</summary>
public sealed record BulletinRow(
    string Code, string Name, int Communes, int Standard, int NewThisYear, decimal? AvgCriteria,
    string Status, string? Missing, bool Behind);

public sealed record CriterionLine(int Number, string Name, int Met, decimal Pct, bool Weakest);

/// <summary>One commune for the attachment's commune sheet: its unit, status, criteria met and missing.</summary>
public sealed record CommuneLine(string Code, string Name, string UnitName, string Status, int? CriteriaMet, string? Missing, int? RecognizedYear, string? DataPeriod);

/// <summary>The average criteria per commune of one earlier period, for the trend chart.</summary>
public sealed record TrendPoint(string Label, decimal Value);

/// <summary>What the main table lists: the reporting units (the province's bulletin) or the communes (a unit's).</summary>
public enum BulletinTable { Units, Communes }

/// <summary>
/// What one committee's bulletin says, worked out once from the snapshot; the HTML and the text version
/// both print this, so they cannot disagree.
/// </summary>
public sealed record BulletinContent(
    string Subject,
    string ScopeName,
    string PeriodLabel,
    string ComputedAt,
    string Completeness,
    bool Provisional,
    string StandardHeadline, string StandardDetail,
    string NewHeadline, string NewDetail,
    string AdvancedHeadline, string AdvancedDetail,
    string AverageHeadline, string AverageDetail,
    IReadOnlyList<(string Label, int Count)> Bands,
    IReadOnlyList<CriterionLine> Criteria,
    BulletinTable Table,
    IReadOnlyList<BulletinRow> Rows,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<(string Name, string Value)> Data,
    bool IsResend,
    string? PublicUrl,
    IReadOnlyList<CommuneLine> Communes,
    IReadOnlyList<TrendPoint> Trend,
    IReadOnlyList<string> Corrections,
    // "Số liệu quy đổi theo địa giới sau sáp nhập (01/01/2020): 207 → 181 xã…" when the figures crossed a merger; else null.
    string? Boundaries = null)
{
    public string RowsTitle => Table == BulletinTable.Communes ? "Theo xã" : "Theo đơn vị";
}

public static class BulletinContentBuilder
{
    private const int WeakestCount = 3;

    /// <summary>How many periods the trend chart looks back, the current one included.</summary>
    public const int TrendPeriods = 12;

    public static BulletinContent Build(
        IndicatorSnapshot s, IReadOnlyList<CommuneFigures> communes, Committee committee, ReportingPeriod period,
        DateTime computedLocal, IReadOnlyList<DataElement> elements, bool isResend, string? publicUrl,
        IReadOnlyList<IndicatorSnapshot>? history = null, IReadOnlyList<Correction>? corrections = null)
    {
        var province = committee.IsProvince;
        var unit = province ? null : s.Districts.FirstOrDefault(d => d.Code == committee.Scope);
        var scopeName = province ? s.Province.Name : unit?.Name ?? CommuneName(communes, committee.Scope);
        var mine = province ? communes : communes.Where(c => c.Unit == committee.Scope || c.Code == committee.Scope).ToList();
        var withData = mine.Where(c => c.Status is not null).ToList();
        var setCount = s.Province.Criteria.Count;

        int total = province ? s.Province.Communes : mine.Count;
        int standard = province ? s.Province.Standard : withData.Count(c => c.Status != Statuses.NotMet);
        int newThisYear = province ? s.Province.NewStandardThisYear : withData.Count(c => c.Status != Statuses.NotMet && c.RecognizedYear == period.Year);
        int advanced = province ? s.Province.Advanced : withData.Count(c => c.Status is Statuses.Advanced or Statuses.Model);
        var targets = province ? s.Province.Targets : unit?.Targets ?? new Dictionary<string, decimal>();
        var avg = province ? s.Province.AvgCriteria : unit?.AvgCriteria;

        var newDetail = targets.TryGetValue("new_standard", out var plan)
            ? $"kế hoạch {Vn.Dec(plan, 0)} xã, {PlanWords(newThisYear, plan)}" : "chưa có kế hoạch năm";
        var standardDetail = targets.TryGetValue("total_standard", out var totalPlan)
            ? $"{Vn.Pct(standard, total)} số xã; kế hoạch {Vn.Dec(totalPlan, 0)} xã" : $"{Vn.Pct(standard, total)} số xã";
        var averageDetail = !province ? $"toàn tỉnh {Vn.Dec(s.Province.AvgCriteria)}"
            : s.Province.AvgCriteriaDelta is not null ? $"{Vn.Change(s.Province.AvgCriteriaDelta)} so với cuối năm {period.Year - 1}"
            : s.Province.AvgCriteriaPrevYear is { } prev ? $"cuối năm {period.Year - 1}: {Vn.Dec(prev)} theo bộ tiêu chí trước, không so sánh trực tiếp"
            : $"chưa có số liệu cuối năm {period.Year - 1}";

        var criteria = CriterionLines(province ? s.Province.Criteria : PerCriterion(s.Province.Criteria, withData));
        var bands = province
            ? s.Province.Bands.Select(b => (b.Key, b.Value)).ToList()
            : (unit?.Bands ?? s.Province.Bands.ToDictionary(b => b.Key, _ => 0)).Select(b => (b.Key, b.Value)).ToList();

        var rows = province
            ? s.Districts.Select(d => new BulletinRow(d.Code, Marked(d.Name, d.DerivedFrom), d.Communes, d.Standard, d.NewStandardThisYear, d.AvgCriteria,
                Vn.Submission(d.Submission, d.DataPeriod), null, d.Submission != "on-time")).ToList()
            : mine.Select(c => new BulletinRow(c.Code, Marked(c.Name, c.DerivedFrom), 1, c.Status is null or Statuses.NotMet ? 0 : 1,
                c.RecognizedYear == period.Year && c.Status is not (null or Statuses.NotMet) ? 1 : 0, c.Status is null ? null : c.CriteriaMet.Count,
                Vn.Status(c.Status), c.Status is null ? null : MissingList(c.CriteriaMet, setCount),
                c.Status is null || c.CriteriaMet.Count < setCount)).ToList();

        var warnings = s.Warnings.Where(w => province || w.Unit == committee.Scope).Select(w => w.Message).ToList();
        var data = province
            ? elements.Select(e => (e.Name, $"{Vn.Dec(s.Province.Data.GetValueOrDefault(e.Code), 0)} {e.Unit}".Trim())).ToList()
            : [];

        return new BulletinContent(
            Subject: $"Bản tin tiến độ xây dựng nông thôn mới – {scopeName} – {period.Label}" + (isResend ? " (gửi lại)" : ""),
            ScopeName: scopeName,
            PeriodLabel: period.Label,
            ComputedAt: Vn.DateTime(computedLocal),
            Completeness: Completeness(s, province, unit),
            Provisional: province ? s.Submissions.Missing > 0 : unit?.Submission == "missing",
            StandardHeadline: $"{Vn.Int(standard)}/{Vn.Int(total)} xã", StandardDetail: standardDetail,
            NewHeadline: $"{Vn.Int(newThisYear)} xã", NewDetail: newDetail,
            AdvancedHeadline: $"{Vn.Int(advanced)} xã", AdvancedDetail: province ? $"kiểu mẫu: {Vn.Int(s.Province.Model)} xã" : "nâng cao và kiểu mẫu",
            AverageHeadline: Vn.Dec(avg), AverageDetail: averageDetail,
            Bands: bands, Criteria: criteria,
            Table: province ? BulletinTable.Units : BulletinTable.Communes,
            Rows: rows, Warnings: warnings, Data: data, IsResend: isResend, PublicUrl: publicUrl,
            Communes: mine.Select(c => new CommuneLine(c.Code, Marked(c.Name, c.DerivedFrom), UnitName(s, c.Unit), Vn.Status(c.Status),
                c.Status is null ? null : c.CriteriaMet.Count, c.Status is null ? null : MissingList(c.CriteriaMet, setCount),
                c.RecognizedYear, c.DataPeriod)).ToList(),
            Trend: Trend(history ?? [s], s, province ? null : committee.Scope),
            Corrections: NongThonMoi.Bulletins.Corrections.Lines(corrections ?? [], province ? null : committee.Scope, s.Province.Communes),
            Boundaries: BoundariesLine(s, province ? s.Districts.Count(d => d.DerivedFrom is not null) : mine.Count(c => c.DerivedFrom is not null)));
    }

    /// <summary>The mark of a row whose figures were inherited from the units merged into it (CONTRACT §8).</summary>
    private const string DerivedMark = " (*)";

    private static string Marked(string name, IReadOnlyList<string>? derivedFrom) => derivedFrom is null ? name : name + DerivedMark;

    /// <summary>
    /// Says that the figures cross a merger, so no reader compares counts of two unit lists unknowingly: the merger's date,
    /// the number of xã before and after it, and what the (*) rows are.
    /// </summary>
    private static string? BoundariesLine(IndicatorSnapshot s, int derivedRows)
    {
        var change = s.BoundariesChange;
        if (change is null && derivedRows == 0) return null;
        var line = change is null
            ? $"Số liệu quy đổi theo địa giới sau sáp nhập ({Vn.Date(s.Boundaries)})."
            : $"Số liệu quy đổi theo địa giới sau sáp nhập ({Vn.Date(change.Effective)}): {Vn.Int(change.CommunesBefore)} → {Vn.Int(change.CommunesAfter)} xã; " +
              "số liệu các kỳ trước được tính lại trên các đơn vị mới để so sánh.";
        return derivedRows == 0 ? line
            : line + $" {Vn.Int(derivedRows)} đơn vị đánh dấu{DerivedMark} chưa tự báo cáo sau sáp nhập: dùng số liệu mới nhất của các đơn vị cũ hợp thành.";
    }

    private static string UnitName(IndicatorSnapshot s, string code) => s.Districts.FirstOrDefault(d => d.Code == code)?.Name ?? code;

    /// <summary>
    /// The scope's average criteria per commune over the given periods, oldest first. Only periods under the
    /// current criteria set: 19 criteria and 10 criteria are not on one scale.
    /// </summary>
    private static List<TrendPoint> Trend(IReadOnlyList<IndicatorSnapshot> history, IndicatorSnapshot current, string? unit) =>
        history.Where(h => h.CriteriaSet == current.CriteriaSet && h.Period != current.Period).Append(current)
            .Select(h => (h.Period, Value: unit is null ? h.Province.AvgCriteria : h.Districts.FirstOrDefault(d => d.Code == unit)?.AvgCriteria))
            .Where(p => p.Value is not null)
            .Select(p => new TrendPoint(ReportingPeriod.Parse(p.Period).ShortLabel, p.Value!.Value))
            .ToList();

    private static string CommuneName(IReadOnlyList<CommuneFigures> communes, string code) =>
        communes.FirstOrDefault(c => c.Code == code)?.Name ?? code;

    /// <summary>"vượt 1 xã", "đạt kế hoạch", "còn thiếu 2 xã".</summary>
    private static string PlanWords(int actual, decimal plan) => (actual - plan) switch
    {
        > 0 and var over => $"vượt {Vn.Dec(over, 0)} xã",
        0 => "đạt kế hoạch",
        var under => $"còn thiếu {Vn.Dec(-under, 0)} xã",
    };

    private static string Completeness(IndicatorSnapshot s, bool province, UnitFigures? unit)
    {
        if (!province)
        {
            return unit is null ? "Đơn vị chưa có trong danh sách báo cáo."
                : unit.Submission switch
                {
                    "on-time" => "Đơn vị đã nộp báo cáo kỳ này đúng hạn. Số liệu đầy đủ.",
                    "late" => "Đơn vị đã nộp báo cáo kỳ này (muộn). Số liệu đầy đủ.",
                    _ => unit.DataPeriod is null
                        ? "Chưa nhận báo cáo kỳ này và chưa có số liệu nào. Số liệu là tạm tính."
                        : $"Chưa nhận báo cáo kỳ này; dùng số liệu kỳ {unit.DataPeriod}. Số liệu là tạm tính.",
                };
        }
        var reported = s.Submissions.OnTime + s.Submissions.Late;
        var missing = s.Districts.Where(d => d.Submission == "missing")
            .Select(d => d.DataPeriod is null ? $"{d.Name} (chưa có số liệu)" : $"{d.Name} (dùng số liệu kỳ {d.DataPeriod})").ToList();
        return missing.Count == 0
            ? $"Đã nhận báo cáo của {reported}/{s.Submissions.Expected} đơn vị. Số liệu đầy đủ."
            : $"Đã nhận báo cáo của {reported}/{s.Submissions.Expected} đơn vị; chưa nhận: {string.Join("; ", missing)}. Số liệu là tạm tính.";
    }

    private static List<CriterionLine> CriterionLines(IReadOnlyList<CriterionFigures> figures)
    {
        var weakest = figures.OrderBy(f => f.Pct).ThenBy(f => f.Number).Take(WeakestCount).Select(f => f.Number).ToHashSet();
        return figures.Select(f => new CriterionLine(f.Number, f.Name, f.Met, f.Pct, weakest.Contains(f.Number) && f.Pct < 100)).ToList();
    }

    private static List<CriterionFigures> PerCriterion(IReadOnlyList<CriterionFigures> template, IReadOnlyList<CommuneFigures> communes) =>
        template.Select(t =>
        {
            var met = communes.Count(c => c.CriteriaMet.Contains(t.Number));
            return new CriterionFigures(t.Number, t.Name, met, IndicatorCalculator.Percent(met, communes.Count));
        }).ToList();

    private static string MissingList(IReadOnlyList<int> met, int count)
    {
        var missing = Enumerable.Range(1, count).Except(met).ToList();
        return missing.Count == 0 ? "" : "TC " + string.Join(", ", missing);
    }
}
