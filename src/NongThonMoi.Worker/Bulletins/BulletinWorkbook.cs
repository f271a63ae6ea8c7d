using MiniExcelLibs;
using MiniExcelLibs.OpenXml;
using NongThonMoi.Infrastructure;

namespace NongThonMoi.Bulletins;

/// <summary>
/// The bulletin's tables as an <c>.xlsx</c> attachment: summary, units, communes, criteria. Vietnamese headers,
/// numbers as numbers (a committee sums them), text made inert where a spreadsheet could take it for a formula.
/// </summary>
public static class BulletinWorkbook
{
    /// <summary>
    /// MiniExcel's default writer buffer is 512 K characters, a new one for every part of the file: 27 MB allocated for a
    /// district's 9 KB workbook, all of it on the large-object heap, which only a gen 2 collection frees — in a bulletin run the
    /// workbooks kept the worker collecting gen 2 a dozen times a second and its large-object heap swinging by 50 MB. With
    /// 8 K characters: 0.6 MB allocated, the same parts (only MiniExcel's random relationship ids differ, as from call to call).
    /// </summary>
    private static readonly OpenXmlConfiguration Config = new() { BufferSize = 8192 };

    public static byte[] Render(BulletinContent c)
    {
        var sheets = new Dictionary<string, object>
        {
            ["Tổng hợp"] = Summary(c),
            [c.Table == BulletinTable.Communes ? "Xã" : "Đơn vị"] = c.Table == BulletinTable.Communes ? CommuneRows(c) : UnitRows(c),
            ["Tiêu chí"] = c.Criteria.Select(k => Row(
                ("Số", k.Number), ("Tiêu chí", Text(k.Name)), ("Số xã đạt", k.Met), ("Tỷ lệ (%)", k.Pct), ("Thấp nhất", k.Weakest ? "x" : ""))).ToList(),
        };
        if (c.Table != BulletinTable.Communes) sheets["Xã"] = CommuneRows(c);
        using var stream = new MemoryStream();
        stream.SaveAs(sheets, excelType: ExcelType.XLSX, configuration: Config);
        return stream.ToArray();
    }

    private static List<Dictionary<string, object?>> Summary(BulletinContent c)
    {
        var rows = new List<Dictionary<string, object?>>
        {
            Row(("Chỉ tiêu", "Phạm vi"), ("Giá trị", Text(c.ScopeName)), ("Ghi chú", "")),
            Row(("Chỉ tiêu", "Kỳ báo cáo"), ("Giá trị", Text(c.PeriodLabel)), ("Ghi chú", Text(c.Completeness))),
            Row(("Chỉ tiêu", "Xã đạt chuẩn NTM"), ("Giá trị", Text(c.StandardHeadline)), ("Ghi chú", Text(c.StandardDetail))),
            Row(("Chỉ tiêu", "Công nhận mới trong năm"), ("Giá trị", Text(c.NewHeadline)), ("Ghi chú", Text(c.NewDetail))),
            Row(("Chỉ tiêu", "Xã NTM nâng cao"), ("Giá trị", Text(c.AdvancedHeadline)), ("Ghi chú", Text(c.AdvancedDetail))),
            Row(("Chỉ tiêu", "Bình quân tiêu chí/xã"), ("Giá trị", Text(c.AverageHeadline)), ("Ghi chú", Text(c.AverageDetail))),
        };
        if (c.Boundaries is { } boundaries) rows.Add(Row(("Chỉ tiêu", "Địa giới hành chính"), ("Giá trị", ""), ("Ghi chú", Text(boundaries))));
        rows.AddRange(c.Bands.Select(b => Row(("Chỉ tiêu", $"Số xã đạt {b.Label} tiêu chí"), ("Giá trị", (object)b.Count), ("Ghi chú", ""))));
        rows.AddRange(c.Data.Select(d => Row(("Chỉ tiêu", Text(d.Name)), ("Giá trị", Text(d.Value)), ("Ghi chú", ""))));
        rows.AddRange(c.Corrections.Select(x => Row(("Chỉ tiêu", "Đính chính số liệu kỳ trước"), ("Giá trị", ""), ("Ghi chú", Text(x)))));
        rows.AddRange(c.Warnings.Select(w => Row(("Chỉ tiêu", "Cảnh báo số liệu"), ("Giá trị", ""), ("Ghi chú", Text(w)))));
        return rows;
    }

    private static List<Dictionary<string, object?>> UnitRows(BulletinContent c) => c.Rows.Select(r => Row(
        ("Mã", Text(r.Code)), ("Đơn vị", Text(r.Name)), ("Số xã", r.Communes), ("Đạt chuẩn", r.Standard),
        ("Mới trong năm", r.NewThisYear), ("BQ tiêu chí/xã", r.AvgCriteria), ("Báo cáo kỳ này", Text(r.Status)))).ToList();

    private static List<Dictionary<string, object?>> CommuneRows(BulletinContent c) => c.Communes.Select(x => Row(
        ("Mã xã", Text(x.Code)), ("Xã", Text(x.Name)), ("Đơn vị", Text(x.UnitName)), ("Tình trạng", Text(x.Status)),
        ("Số TC đạt", x.CriteriaMet), ("TC chưa đạt", Text(x.Missing)), ("Năm công nhận", x.RecognizedYear), ("Số liệu kỳ", Text(x.DataPeriod)))).ToList();

    private static Dictionary<string, object?> Row(params (string Header, object? Value)[] cells) =>
        cells.ToDictionary(c => c.Header, c => c.Value);

    private static string Text(string? value) => Spreadsheet.Text(value);
}
