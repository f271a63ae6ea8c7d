using System.Text;
using MiniExcelLibs;
using NongThonMoi.Infrastructure;
using NongThonMoi.Programme;

namespace NongThonMoi.Submissions;

/// <summary>
/// The file a district fills in (mẫu báo cáo): its communes already listed, with the header the upload expects
/// (<see cref="TabularSubmissionReader"/>), so that what is downloaded goes back up unchanged but for the answers.
/// </summary>
public static class SubmissionTemplate
{
    public static IReadOnlyList<string> Header(CriteriaSet set) =>
    [
        TabularSubmissionReader.CodeColumn, TabularSubmissionReader.NameColumn, TabularSubmissionReader.StatusColumn,
        TabularSubmissionReader.YearColumn, .. set.Criteria.Select(c => TabularSubmissionReader.CriterionColumn(c.Number)),
    ];

    /// <summary>
    /// UTF-8 with a BOM, because Excel opens a CSV without one in the machine's code page and garbles the names.
    /// With a <paramref name="prefill"/> each commune's row holds its newest accepted status, year and criteria; blank otherwise.
    /// </summary>
    public static byte[] Csv(IReadOnlyList<Unit> communes, CriteriaSet set, Prefill? prefill = null)
    {
        var header = Header(set);
        var text = new StringBuilder();
        text.Append(string.Join(',', header)).Append("\r\n");
        foreach (var c in communes)
            // Names come from a file people edit: one that starts like a formula must open in Excel as text.
            text.Append(string.Join(',', Cells(c, set, prefill?.Of(c.Code)).Select(v => Quote(v?.ToString() ?? "")))).Append("\r\n");
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text.ToString())];
    }

    public static byte[] Xlsx(Unit unit, IReadOnlyList<Unit> communes, CriteriaSet set, ReportingPeriod period, Prefill? prefill = null)
    {
        var header = Header(set);
        var rows = communes.Select(c => header.Zip(Cells(c, set, prefill?.Of(c.Code))).ToDictionary(p => p.First, p => p.Second)).ToList();
        var sheets = new Dictionary<string, object>
        {
            ["BaoCao"] = rows,
            ["HuongDan"] = Guide(unit, set, period),
        };
        using var stream = new MemoryStream();
        stream.SaveAs(sheets, excelType: ExcelType.XLSX);
        return stream.ToArray();
    }

    /// <summary>The second sheet: what each column takes, and the criteria behind tc01…tcNN.</summary>
    private static List<Dictionary<string, object?>> Guide(Unit unit, CriteriaSet set, ReportingPeriod period)
    {
        var last = TabularSubmissionReader.CriterionColumn(set.Count);
        var statuses = string.Join("; ", set.Statuses.Select(s => $"{s} ({Vn.Status(s)})"));
        var lines = new List<(string, string)>
        {
            ("Báo cáo", $"{Spreadsheet.Text(unit.Name)} ({unit.Code}), kỳ hiện tại {period.Id}. Mỗi xã một dòng ở trang BaoCao; không đổi tiêu đề cột, không thêm cột."),
            ("Gửi tệp", $"POST /api/submissions/file?unit={unit.Code}&period={period.Id} (tệp .xlsx, .xls hoặc .csv)."),
            (TabularSubmissionReader.CodeColumn, "Mã xã (5 chữ số), đã điền sẵn; không sửa."),
            (TabularSubmissionReader.NameColumn, "Tên xã, đã điền sẵn để đối chiếu; không bắt buộc."),
            (TabularSubmissionReader.StatusColumn, $"Tình trạng của xã, ghi mã hoặc tên: {statuses}."),
            (TabularSubmissionReader.YearColumn, "Năm xã được công nhận đạt chuẩn nông thôn mới lần đầu, ví dụ 2019. Bắt buộc khi xã đã đạt chuẩn trở lên; để trống nếu chưa đạt."),
            ($"tc01 … {last}", "Mỗi cột một tiêu chí (xem bên dưới): ghi 1 (hoặc x, Đạt) nếu xã đạt, 0 (hoặc Chưa đạt) nếu chưa đạt. Không để trống ô nào."),
            ("", ""),
            ("Bộ tiêu chí", $"{set.Title} ({set.LegalBasis})"),
        };
        lines.AddRange(set.Criteria.Select(c => (TabularSubmissionReader.CriterionColumn(c.Number), $"Tiêu chí {c.Number}. {c.Name}")));
        return lines.Select(l => new Dictionary<string, object?> { ["Cột"] = l.Item1, ["Nội dung"] = l.Item2 }).ToList();
    }

    /// <summary>One commune's cells in <see cref="Header"/> order: code, name, then the last accepted answers or blanks.</summary>
    private static IEnumerable<object?> Cells(Unit commune, CriteriaSet set, PrefilledCommune? last)
    {
        yield return commune.Code;
        yield return Spreadsheet.Text(commune.Name);
        yield return last?.Status is { Length: > 0 } status ? status : null;
        yield return last?.RecognizedYear;
        foreach (var criterion in set.Criteria)
            yield return last?.CriteriaMet is { } met ? (met.Contains(criterion.Number) ? 1 : 0) : null;
    }

    private static string Quote(string field) =>
        field.IndexOfAny([',', ';', '"', '\r', '\n']) >= 0 ? $"\"{field.Replace("\"", "\"\"")}\"" : field;
}
