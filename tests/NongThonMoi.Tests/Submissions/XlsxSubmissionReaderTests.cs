using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using MiniExcelLibs;
using NongThonMoi.Programme;
using NongThonMoi.Submissions;
using static NongThonMoi.Tests.Support.Builders;

namespace NongThonMoi.Tests.Submissions;

public class XlsxSubmissionReaderTests
{
    private static readonly ValidationContext Context = new(
        District("901"), [Commune("90101", "901"), Commune("90102", "901"), Commune("90103", "901")],
        ReportingPeriod.Parse("2026-W48"), FiveCriteria, new HashSet<string>(), new HashSet<string>());

    /// <summary>A real .xlsx, written by MiniExcel the way a spreadsheet program would save it.</summary>
    internal static byte[] Workbook(IEnumerable<IDictionary<string, object?>> rows)
    {
        using var stream = new MemoryStream();
        stream.SaveAs(rows.ToList(), excelType: ExcelType.XLSX);
        return stream.ToArray();
    }

    private static Dictionary<string, object?> Row(object? code, object? status, object? year, params object?[] criteria)
    {
        var row = new Dictionary<string, object?> { ["commune_code"] = code, ["status"] = status, ["recognized_year"] = year };
        for (var i = 0; i < criteria.Length; i++) row[$"tc{i + 1:00}"] = criteria[i];
        return row;
    }

    [Fact]
    public void Numbers_stored_as_numbers_or_as_text_read_the_same_and_empty_trailing_rows_are_ignored()
    {
        var bytes = Workbook([
            Row("90101", "dat-chuan", 2019, 1, 1, 1, 1, 1),                          // numbers as numbers
            Row("90102", "Chưa đạt", "", "1", "0", "x", "0", "ĐẠT"),                 // numbers as text, words
            Row("90103", "CHUA-DAT".Normalize(NormalizationForm.FormD), null, 0, 0, 0, 0, "chưa đạt".Normalize(NormalizationForm.FormD)),
            Row(null, null, null, null, null, null, null, null),
            Row("", "", "", "", "", "", "", ""),
        ]);
        var report = XlsxSubmissionReader.Read(bytes, "901", "2026-W48");
        Assert.Empty(report.ReadErrors);
        Assert.Equal(["90101", "90102", "90103"], report.Communes.Select(c => c.Code));
        Assert.Equal([2, 3, 4], report.Communes.Select(c => c.Row));
        Assert.Equal(["dat-chuan", "chua-dat", "chua-dat"], report.Communes.Select(c => c.Status));
        Assert.Equal([2019, null, null], report.Communes.Select(c => c.RecognizedYear));
        Assert.Equal([1, 2, 3, 4, 5], report.Communes[0].CriteriaMet);
        Assert.Equal([1, 3, 5], report.Communes[1].CriteriaMet);
        Assert.Empty(report.Communes[2].CriteriaMet);
        Assert.True(SubmissionValidator.Validate(report, Context).Accepted);
    }

    [Fact]
    public void A_commune_code_typed_as_a_number_gets_its_leading_zero_back()
    {
        var bytes = Workbook([Row(6190d, "chua-dat", null, 1)]);
        Assert.Equal("06190", Assert.Single(XlsxSubmissionReader.Read(bytes, "901", "2026-W48").Communes).Code);
    }

    [Fact]
    public void A_bad_cell_is_named_by_sheet_row_commune_and_column()
    {
        var bytes = Workbook([
            Row("90101", "dat-chuan", 2019.5, 1, 1, 1, 1, 1),
            Row("90102", "chua-dat", null, 1, 2, 1, 1, null),
            Row("90103", "chua-dat", null, 0, 0, 0, 0, 0),
        ]);
        var errors = SubmissionValidator.Validate(XlsxSubmissionReader.Read(bytes, "901", "2026-W48"), Context).Errors;
        Assert.Contains(errors, e => e is { Commune: "90101", Field: "recognized_year" } && e.Message.Contains("dòng 2") && e.Message.Contains("2019.5"));
        Assert.Contains(errors, e => e is { Commune: "90102", Field: "tc02" } && e.Message.Contains("dòng 3") && e.Message.Contains("\"2\""));
        Assert.Contains(errors, e => e is { Commune: "90102", Field: "tc05" } && e.Message.Contains("để trống"));
        Assert.Equal(3, errors.Count);
    }

    /// <summary>Excel leaves a row that was never typed in out of the file: the rows below keep the numbers the district sees.</summary>
    [Fact]
    public void Row_numbers_are_those_of_the_sheet_when_a_row_is_missing_from_the_file()
    {
        var bytes = Workbook([
            Row("90101", "chua-dat", null, 1, 1, 1, 1, 1),
            Row("xoá", null, null, null, null, null, null, null),
            Row("90103", "chua-dat", null, 0, 0, 0, 0, ""),
        ]);
        using var buffer = new MemoryStream();
        buffer.Write(bytes);
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Update, leaveOpen: true))
        {
            var entry = zip.Entries.Single(e => e.FullName.StartsWith("xl/worksheets/sheet", StringComparison.Ordinal));
            string xml;
            using (var reader = new StreamReader(entry.Open())) xml = reader.ReadToEnd();
            var without = Regex.Replace(xml, @"<(\w+:)?row r=""3""[^>]*>.*?</(\w+:)?row>", "", RegexOptions.Singleline);
            Assert.NotEqual(xml, without);
            entry.Delete();
            using var writer = new StreamWriter(zip.CreateEntry(entry.FullName).Open());
            writer.Write(without);
        }
        var report = XlsxSubmissionReader.Read(buffer.ToArray(), "901", "2026-W48");
        Assert.Equal([2, 4], report.Communes.Select(c => c.Row));
        Assert.Contains(report.ReadErrors, e => e is { Commune: "90103", Field: "tc05" } && e.Message.StartsWith("dòng 4 "));
    }

    [Fact]
    public void Bytes_that_are_not_an_xlsx_file_are_unreadable()
    {
        var e = Assert.Throws<UnreadableSubmissionException>(() => XlsxSubmissionReader.Read("commune_code,status\n"u8.ToArray(), "901", "2026-W48"));
        Assert.Contains(".xlsx", e.Message);
    }
}
