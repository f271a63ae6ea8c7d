using System.Text;
using NongThonMoi.Programme;
using NongThonMoi.Submissions;
using NongThonMoi.Tests.Support;
using static NongThonMoi.Tests.Support.Builders;

namespace NongThonMoi.Tests.Submissions;

/// <summary>Excel 97–2003 (.xls) sheets read into the same rows as .xlsx ones, and refused cleanly when they are not real.</summary>
public class XlsSubmissionReaderTests
{
    private static readonly ValidationContext Context = new(
        District("901"), [Commune("90101", "901"), Commune("90102", "901"), Commune("90103", "901")],
        ReportingPeriod.Parse("2026-W48"), FiveCriteria, new HashSet<string>(), new HashSet<string>());

    private static readonly string[] Header = ["commune_code", "status", "recognized_year", "tc01", "tc02", "tc03", "tc04", "tc05"];

    /// <summary>The rows of <see cref="XlsxSubmissionReaderTests"/>'s first test: numbers as numbers, as text, words, NFD, empty rows.</summary>
    private static readonly object?[][] Rows =
    [
        ["90101", "dat-chuan", 2019, 1, 1, 1, 1, 1],
        ["90102", "Chưa đạt", "", "1", "0", "x", "0", "ĐẠT"],
        ["90103", "CHUA-DAT".Normalize(NormalizationForm.FormD), null, 0, 0, 0, 0, "chưa đạt".Normalize(NormalizationForm.FormD)],
        [null, null, null, null, null, null, null, null],
        ["", "", "", "", "", "", "", ""],
    ];

    internal static byte[] Workbook(IEnumerable<object?[]> rows) => XlsWriter.Workbook([Header, .. rows]);

    [Fact]
    public void An_xls_sheet_reads_exactly_as_the_same_sheet_saved_as_xlsx()
    {
        var xls = XlsSubmissionReader.Read(Workbook(Rows), "901", "2026-W48");
        var xlsx = XlsxSubmissionReader.Read(XlsxSubmissionReaderTests.Workbook(Rows.Select(r =>
            (IDictionary<string, object?>)Header.Zip(r).ToDictionary(p => p.First, p => p.Second))), "901", "2026-W48");

        Assert.Empty(xls.ReadErrors);
        Assert.Equal(["90101", "90102", "90103"], xls.Communes.Select(c => c.Code));
        Assert.Equal([2, 3, 4], xls.Communes.Select(c => c.Row));
        Assert.Equal(["dat-chuan", "chua-dat", "chua-dat"], xls.Communes.Select(c => c.Status));
        Assert.Equal([2019, null, null], xls.Communes.Select(c => c.RecognizedYear));
        Assert.Equal([1, 2, 3, 4, 5], xls.Communes[0].CriteriaMet);
        Assert.Equal([1, 3, 5], xls.Communes[1].CriteriaMet);
        Assert.Empty(xls.Communes[2].CriteriaMet);
        Assert.Equal(xlsx.Communes.Select(c => (c.Row, c.Code, c.Status, c.RecognizedYear, string.Join(',', c.CriteriaMet))),
                     xls.Communes.Select(c => (c.Row, c.Code, c.Status, c.RecognizedYear, string.Join(',', c.CriteriaMet))));
        Assert.Equal(xlsx.CriteriaColumns, xls.CriteriaColumns);
        Assert.True(SubmissionValidator.Validate(xls, Context).Accepted);
    }

    [Fact]
    public void A_commune_code_typed_as_a_number_gets_its_leading_zero_and_bad_cells_are_named_by_row()
    {
        var report = XlsSubmissionReader.Read(Workbook([
            [6190d, "chua-dat", null, 1, 1, 1, 1, 1],
            ["90102", "chua-dat", 2019.5, 1, 2, 1, 1, null],
        ]), "901", "2026-W48");
        Assert.Equal("06190", report.Communes[0].Code);
        Assert.Contains(report.ReadErrors, e => e is { Commune: "90102", Field: "recognized_year" } && e.Message.Contains("dòng 3") && e.Message.Contains("2019.5"));
        Assert.Contains(report.ReadErrors, e => e is { Commune: "90102", Field: "tc02" } && e.Message.Contains("\"2\""));
        Assert.Contains(report.ReadErrors, e => e is { Commune: "90102", Field: "tc05" } && e.Message.Contains("để trống"));
    }

    [Fact]
    public void Bytes_that_are_not_an_OLE2_workbook_are_unreadable_and_a_renamed_xlsx_is_told_so()
    {
        var csv = Assert.Throws<UnreadableSubmissionException>(() => XlsSubmissionReader.Read("commune_code,status\n"u8.ToArray(), "901", "2026-W48"));
        Assert.Contains(".xls", csv.Message);

        var xlsx = XlsxSubmissionReaderTests.Workbook([new Dictionary<string, object?> { ["commune_code"] = "90101" }]);
        Assert.Contains("đổi đuôi tệp thành .xlsx", Assert.Throws<UnreadableSubmissionException>(() => XlsSubmissionReader.Read(xlsx, "901", "2026-W48")).Message);

        var word = XlsWriter.Compound("WordDocument", Encoding.UTF8.GetBytes("không phải bảng tính"));
        Assert.Contains("Excel 97–2003", Assert.Throws<UnreadableSubmissionException>(() => XlsSubmissionReader.Read(word, "901", "2026-W48")).Message);

        var truncated = Workbook(Rows)[..700];
        Assert.Contains("Excel 97–2003", Assert.Throws<UnreadableSubmissionException>(() => XlsSubmissionReader.Read(truncated, "901", "2026-W48")).Message);

        // A header announcing 2^31-byte sectors: refused before the library sizes anything by it.
        var hugeSectors = Workbook(Rows);
        hugeSectors[30] = 31;
        Assert.Contains("Excel 97–2003", Assert.Throws<UnreadableSubmissionException>(() => XlsSubmissionReader.Read(hugeSectors, "901", "2026-W48")).Message);
    }

    [Fact]
    public void A_sheet_over_the_row_cap_is_refused_and_a_sheet_that_only_claims_many_rows_reads_the_rows_it_has()
    {
        var many = Enumerable.Range(0, TabularSubmissionReader.MaxRows + 1).Select(i => new object?[] { 1 });
        var real = Assert.Throws<UnreadableSubmissionException>(() => XlsSubmissionReader.Read(XlsWriter.Workbook([["commune_code"], .. many]), "901", "2026-W48"));
        Assert.Contains("20.000 dòng", real.Message);

        // DIMENSIONS saying 65,536 rows: the rows read are the ones the file holds, not the claim.
        var claimed = XlsWriter.Workbook([Header, .. Rows[..3]], claimedRows: 65_536);
        Assert.Equal(3, XlsSubmissionReader.Read(claimed, "901", "2026-W48").Communes.Count);
    }
}
