using System.Text;
using NongThonMoi.Programme;
using NongThonMoi.Submissions;
using static NongThonMoi.Tests.Support.Builders;

namespace NongThonMoi.Tests.Submissions;

public class CsvSubmissionReaderTests
{
    private static readonly ValidationContext Context = new(
        District("901"), [Commune("90101", "901"), Commune("90102", "901"), Commune("90103", "901")],
        ReportingPeriod.Parse("2026-W48"), FiveCriteria, new HashSet<string>(), new HashSet<string>());

    private const string Good = """
        commune_code,status,recognized_year,tc01,tc02,tc03,tc04,tc05
        90101,dat-chuan,2019,1,1,1,1,1
        90102,chua-dat,,1,0,x,0,Đạt
        90103,Chưa đạt,,Chưa đạt,0,0,0,0
        """;

    private static SubmittedReport Read(string text, bool bom = false) =>
        CsvSubmissionReader.Read([.. (bom ? Encoding.UTF8.GetPreamble() : []), .. Encoding.UTF8.GetBytes(text)], "901", "2026-W48");

    private static void AssertGood(SubmittedReport report)
    {
        Assert.Empty(report.ReadErrors);
        Assert.Equal(["90101", "90102", "90103"], report.Communes.Select(c => c.Code));
        Assert.Equal(["dat-chuan", "chua-dat", "chua-dat"], report.Communes.Select(c => c.Status));
        Assert.Equal([2019, null, null], report.Communes.Select(c => c.RecognizedYear));
        Assert.Equal([1, 2, 3, 4, 5], report.Communes[0].CriteriaMet);
        Assert.Equal([1, 3, 5], report.Communes[1].CriteriaMet);
        Assert.Empty(report.Communes[2].CriteriaMet);
        Assert.Equal([1, 2, 3, 4, 5], report.CriteriaColumns);
        Assert.True(SubmissionValidator.Validate(report, Context).Accepted);
    }

    [Fact]
    public void A_comma_separated_file_with_LF_reads_into_the_same_model_as_JSON()
    {
        var report = Read(Good.ReplaceLineEndings("\n"));
        AssertGood(report);
        Assert.Equal("901", report.Unit);
        Assert.Equal([2, 3, 4], report.Communes.Select(c => c.Row));
    }

    [Fact]
    public void Semicolons_CRLF_and_a_BOM_read_the_same() =>
        AssertGood(Read(Good.Replace(',', ';').ReplaceLineEndings("\r\n") + "\r\n", bom: true));

    [Fact]
    public void Decomposed_unicode_and_any_case_read_the_same()
    {
        var text = Good.Replace("Đạt", "ĐẠT").Replace("Chưa đạt,,", "CHƯA ĐẠT,,").Normalize(NormalizationForm.FormD);
        Assert.NotEqual(text, text.Normalize(NormalizationForm.FormC)); // the file really is NFD
        AssertGood(Read(text));
    }

    [Theory]
    [InlineData("Đạt", true)]
    [InlineData("đạt", true)]
    [InlineData("ĐẠT", true)]
    [InlineData(" X ", true)]
    [InlineData("1", true)]
    [InlineData("0", false)]
    [InlineData("chưa  đạt", false)]
    [InlineData("Chua dat", false)]
    [InlineData("", null)]
    [InlineData("2", null)]
    [InlineData("có", null)]
    public void A_criterion_cell_reads_met_not_met_or_unreadable(string cell, bool? met)
    {
        Assert.Equal(met, TabularSubmissionReader.Criterion(cell));
        Assert.Equal(met, TabularSubmissionReader.Criterion(cell.Normalize(NormalizationForm.FormD)));
    }

    [Theory]
    [InlineData("Đạt chuẩn", "dat-chuan")]
    [InlineData("DAT-CHUAN", "dat-chuan")]
    [InlineData("nâng_cao", "nang-cao")]
    [InlineData("NTM kiểu mẫu", "kieu-mau")]
    [InlineData("Chưa đạt chuẩn", "chua-dat")]
    [InlineData("đã xong", "đã xong")]
    public void A_status_folds_to_the_contract_code_or_stays_as_written(string cell, string status) =>
        Assert.Equal(status, TabularSubmissionReader.Status(cell));

    [Fact]
    public void A_code_that_lost_its_leading_zero_in_a_spreadsheet_gets_it_back() =>
        Assert.Equal("06190", Assert.Single(Read("commune_code,status,recognized_year,tc01\n6190,chua-dat,,0\n").Communes).Code);

    [Fact]
    public void Bad_cells_are_reported_with_row_commune_and_column_beside_the_rule_errors()
    {
        var report = Read("""
            commune_code,status,recognized_year,tc01,tc02,tc03,tc04,tc05
            90101,dat-chuan,năm 2019,1,1,,1,1
            90102,da-xong,,1,0,có,0,0
            ,chua-dat,,0,0,0,0,0
            """);
        var errors = SubmissionValidator.Validate(report, Context).Errors;
        Assert.Contains(errors, e => e is { Commune: "90101", Field: "recognized_year" }
            && e.Message.Contains("dòng 2 (xã 90101)") && e.Message.Contains("năm 2019"));
        Assert.Contains(errors, e => e is { Commune: "90101", Field: "tc03" } && e.Message.Contains("để trống"));
        Assert.Contains(errors, e => e is { Commune: "90102", Field: "tc03" } && e.Message.Contains("\"có\""));
        Assert.Contains(errors, e => e is { Commune: "90102", Field: "status" } && e.Message.Contains("da-xong"));
        Assert.Contains(errors, e => e is { Commune: "dòng 4", Field: "code" });
        Assert.Contains(errors, e => e is { Commune: "90103", Field: "communes" });
        // 90101 is dat-chuan with tc03 unreadable: no warning that it meets only 4 of 5 until the cell says.
        Assert.Empty(SubmissionValidator.Validate(report, Context).Warnings);
        // The unreadable year is not reported a second time as a missing one.
        Assert.Single(errors, e => e is { Commune: "90101", Field: "recognized_year" });
        Assert.Equal(6, errors.Count);
    }

    [Fact]
    public void Criteria_columns_must_be_those_of_the_set_in_force()
    {
        var report = Read("""
            commune_code;status;recognized_year;tc01;tc02;tc03;tc04;tc06
            90101;chua-dat;;1;1;1;1;1
            90102;chua-dat;;1;1;1;1;1
            90103;chua-dat;;1;1;1;1;1
            """);
        var error = Assert.Single(SubmissionValidator.Validate(report, Context).Errors);
        Assert.Equal("header", error.Field);
        Assert.Contains("thiếu cột tc05", error.Message);
        Assert.Contains("thừa cột tc06", error.Message);
    }

    [Theory]
    [InlineData("code,status,recognized_year,tc01\n90101,chua-dat,,1", "dòng 1", "\"code\"")]
    [InlineData("commune_code,status,tc01\n90101,chua-dat,1", "dòng 1", "recognized_year")]
    [InlineData("commune_code,status,recognized_year\n90101,chua-dat,", "dòng 1", "tc01")]
    [InlineData("commune_code,status,recognized_year,tc01,tc01\n", "dòng 1", "hai lần")]
    [InlineData("", "dòng 1", "trống")]
    [InlineData("commune_code,status,recognized_year,tc01\n90101,\"chua-dat,,1\n", "dòng 2", "dấu nháy")]
    public void An_unreadable_file_names_the_place(string text, string place, string words)
    {
        var e = Assert.Throws<UnreadableSubmissionException>(() => Read(text));
        Assert.StartsWith(place, e.Place);
        Assert.Contains(words, e.Message);
    }

    [Fact]
    public void A_file_that_is_not_UTF8_is_refused_with_the_way_to_save_it()
    {
        var windows1258 = Encoding.UTF8.GetBytes("commune_code,status,recognized_year,tc01\n90101,").Concat(new byte[] { 0xD0, 0x61, 0x74 }).ToArray();
        var e = Assert.Throws<UnreadableSubmissionException>(() => CsvSubmissionReader.Read(windows1258, "901", "2026-W48"));
        Assert.Contains("UTF-8", e.Message);
    }
}
