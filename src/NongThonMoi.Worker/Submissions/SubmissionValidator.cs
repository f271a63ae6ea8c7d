using NongThonMoi.Programme;

namespace NongThonMoi.Submissions;

/// <summary>What the rules need to know about the unit and period a report is for.</summary>
public sealed record ValidationContext(
    Unit ReportingUnit,
    IReadOnlyList<Unit> Communes,
    ReportingPeriod Period,
    CriteriaSet CriteriaSet,
    IReadOnlySet<string> IndicatorCodes,
    IReadOnlySet<string> DataElements,
    // Why a code is not a unit of the period (a merged commune: "xã X đã sáp nhập vào xã Y từ dd/MM/yyyy"), or null.
    Func<string, string?>? WhyNotValid = null);

public sealed record ValidationOutcome(IReadOnlyList<SubmissionError> Errors, IReadOnlyList<SubmissionError> Warnings)
{
    public bool Accepted => Errors.Count == 0;
}

/// <summary>
/// The submission rules (README, "Reporting API"), all checked at once so that a district fixes everything in one go.
/// Pure: the same report and context always give the same outcome.
/// </summary>
public static class SubmissionValidator
{
    /// <summary>The programme began in 2010 (QĐ 800/QĐ-TTg): no commune was recognised before.</summary>
    private const int FirstRecognitionYear = 2010;

    public static ValidationOutcome Validate(SubmittedReport report, ValidationContext context)
    {
        var errors = new List<SubmissionError>();
        var warnings = new List<SubmissionError>();
        var set = context.CriteriaSet;
        var expected = context.Communes.ToDictionary(c => c.Code);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var statuses = string.Join(", ", set.Statuses);
        if (report.CriteriaColumns is { } columns) CheckCriteriaColumns(columns, set, errors);

        foreach (var row in report.Communes)
        {
            var who = row.Code.Length > 0 ? row.Code : $"dòng {row.Row}";
            if (row.Code.Length == 0)
            {
                errors.Add(new(who, "code", "thiếu mã xã"));
                continue;
            }
            if (!expected.TryGetValue(row.Code, out var commune))
            {
                errors.Add(new(row.Code, "code", context.WhyNotValid?.Invoke(row.Code) is { } why
                    ? $"{why}: báo cáo theo mã xã mới"
                    : $"mã xã {row.Code} không thuộc {context.ReportingUnit.Name}"));
                continue;
            }
            if (!seen.Add(row.Code))
            {
                errors.Add(new(row.Code, "code", $"{commune.Name} ({row.Code}) được báo cáo nhiều lần; mỗi xã chỉ một dòng"));
                continue;
            }

            if (!set.Statuses.Contains(row.Status))
            {
                errors.Add(new(row.Code, "status", row.Status.Length == 0
                    ? $"thiếu tình trạng của {commune.Name}; chọn một trong: {statuses}"
                    : $"tình trạng \"{row.Status}\" không hợp lệ cho kỳ {context.Period.Id}; chọn một trong: {statuses}"));
            }
            else if (row.Status != Statuses.NotMet)
            {
                if (row.RecognizedYear is null)
                    errors.Add(new(row.Code, "recognized_year", $"{commune.Name} có tình trạng {row.Status} nên cần năm được công nhận đạt chuẩn"));
                else if (row.RecognizedYear > context.Period.Year)
                    errors.Add(new(row.Code, "recognized_year", $"năm công nhận {row.RecognizedYear} sau năm của kỳ báo cáo ({context.Period.Year})"));
                else if (row.RecognizedYear < FirstRecognitionYear)
                    errors.Add(new(row.Code, "recognized_year", $"năm công nhận {row.RecognizedYear} trước khi Chương trình bắt đầu ({FirstRecognitionYear})"));
            }

            // A number that came from a file's extra tcNN column is already explained by the header error.
            var bad = row.CriteriaMet.Where(n => n < 1 || n > set.Count).Distinct().ToList();
            var reported = bad.Count > 0 && report.CriteriaColumns is { } cols && bad.All(cols.Contains);
            if (reported) bad.Clear();
            if (bad.Count > 0)
                errors.Add(new(row.Code, "criteria_met", $"tiêu chí số {string.Join(", ", bad)} không có trong bộ tiêu chí (1–{set.Count})"));
            var twice = row.CriteriaMet.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            if (twice.Count > 0)
                errors.Add(new(row.Code, "criteria_met", $"tiêu chí số {string.Join(", ", twice)} được ghi nhiều lần"));

            foreach (var code in row.Indicators.Keys.Where(k => !context.IndicatorCodes.Contains(k)))
                errors.Add(new(row.Code, $"indicators.{code}", $"chỉ tiêu \"{code}\" không có trong bộ tiêu chí {set.Id}"));

            if (row.Status is not (Statuses.NotMet or "") && set.Statuses.Contains(row.Status) && bad.Count == 0 && !reported && twice.Count == 0
                && row.CriteriaMet.Count < set.Count
                // An unreadable tcNN cell is not "not met": the count would be wrong until the cell is fixed.
                && !report.ReadErrors.Any(e => e.Commune == row.Code))
            {
                var missing = Enumerable.Range(1, set.Count).Except(row.CriteriaMet);
                warnings.Add(new(row.Code, "criteria_met",
                    $"{commune.Name} có tình trạng {row.Status} nhưng chỉ đạt {row.CriteriaMet.Count}/{set.Count} tiêu chí (chưa đạt: {string.Join(", ", missing)})"));
            }
        }

        foreach (var commune in context.Communes.Where(c => !seen.Contains(c.Code) && report.Communes.All(r => r.Code != c.Code)))
            errors.Add(new(commune.Code, "communes", $"thiếu {commune.Name} ({commune.Code}): báo cáo phải có đủ các xã của {context.ReportingUnit.Name}"));

        foreach (var (code, value) in report.Data)
        {
            if (!context.DataElements.Contains(code))
                errors.Add(new(null, $"data.{code}", $"\"{code}\" không phải là chỉ tiêu tổng hợp đã khai báo"));
            else if (value < 0)
                errors.Add(new(null, $"data.{code}", $"giá trị {value} phải là số không âm"));
        }
        // A cell the reader could not understand already explains the field; a rule about the same field would repeat it.
        var unread = report.ReadErrors.Select(e => (e.Commune, e.Field)).ToHashSet();
        errors.RemoveAll(e => unread.Contains((e.Commune, e.Field)));
        errors.InsertRange(0, report.ReadErrors);
        return new ValidationOutcome(errors, warnings);
    }

    /// <summary>A file's tc01…tcNN columns must be those of the criteria set in force: a missing one would read as "not met".</summary>
    private static void CheckCriteriaColumns(IReadOnlyList<int> columns, CriteriaSet set, List<SubmissionError> errors)
    {
        var missing = Enumerable.Range(1, set.Count).Except(columns).Select(TabularSubmissionReader.CriterionColumn).ToList();
        var extra = columns.Where(n => n > set.Count).Select(TabularSubmissionReader.CriterionColumn).ToList();
        if (missing.Count == 0 && extra.Count == 0) return;
        var what = string.Join("; ", new[]
        {
            missing.Count > 0 ? $"thiếu cột {string.Join(", ", missing)}" : null,
            extra.Count > 0 ? $"thừa cột {string.Join(", ", extra)}" : null,
        }.OfType<string>());
        errors.Add(new(null, "header", $"{what}: bộ tiêu chí {set.Title} có {set.Count} tiêu chí, cần đúng các cột tc01…{TabularSubmissionReader.CriterionColumn(set.Count)}"));
    }
}
