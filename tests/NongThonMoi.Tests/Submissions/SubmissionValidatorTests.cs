using System.Text;
using NongThonMoi.Programme;
using NongThonMoi.Submissions;
using static NongThonMoi.Tests.Support.Builders;

namespace NongThonMoi.Tests.Submissions;

public class SubmissionValidatorTests
{
    private static readonly ValidationContext Context = new(
        District("901"), [Commune("90101", "901"), Commune("90102", "901"), Commune("90103", "901")],
        ReportingPeriod.Parse("2026-W48"), FiveCriteria, new HashSet<string> { "1.1" }, new HashSet<string> { "ocop_3_sao" });

    private static SubmittedCommune C(int row, string code, string status, int? year, params int[] met) =>
        new(row, code, status, year, met, new Dictionary<string, decimal>());

    [Fact]
    public void A_correct_report_is_accepted()
    {
        var report = new SubmittedReport("901", "2026-W48",
            [C(1, "90101", "dat-chuan", 2019, 1, 2, 3, 4, 5), C(2, "90102", "chua-dat", null, 1), C(3, "90103", "nang-cao", 2026, 1, 2, 3, 4, 5)],
            new Dictionary<string, decimal> { ["ocop_3_sao"] = 3 });
        var outcome = SubmissionValidator.Validate(report, Context);
        Assert.True(outcome.Accepted);
        Assert.Empty(outcome.Warnings);
    }

    [Fact]
    public void Every_error_is_reported_at_once_with_commune_and_field()
    {
        var report = new SubmittedReport("901", "2026-W48",
            [
                C(1, "90101", "dat-chuan", null, 1, 2, 3, 4, 5),          // no recognition year
                C(2, "90101", "chua-dat", null, 1),                        // twice
                C(3, "99999", "chua-dat", null, 1),                        // not of this district
                C(4, "90103", "da-xong", null, 1, 7, 7),                   // bad status, criterion 7, 7 twice
            ],
            new Dictionary<string, decimal> { ["khong_co"] = 1 });
        var errors = SubmissionValidator.Validate(report, Context).Errors;
        Assert.Contains(errors, e => e is { Commune: "90101", Field: "recognized_year" });
        Assert.Contains(errors, e => e is { Commune: "90101", Field: "code" } && e.Message.Contains("nhiều lần"));
        Assert.Contains(errors, e => e is { Commune: "99999", Field: "code" });
        Assert.Contains(errors, e => e is { Commune: "90103", Field: "status" } && e.Message.Contains("da-xong"));
        Assert.Contains(errors, e => e is { Commune: "90103", Field: "criteria_met" } && e.Message.Contains("7") && e.Message.Contains("1–5"));
        Assert.Contains(errors, e => e is { Commune: "90103", Field: "criteria_met" } && e.Message.Contains("nhiều lần"));
        Assert.Contains(errors, e => e is { Commune: "90102", Field: "communes" });
        Assert.Contains(errors, e => e is { Commune: null, Field: "data.khong_co" });
        Assert.Equal(8, errors.Count);
    }

    [Fact]
    public void A_recognition_year_after_the_period_is_refused()
    {
        var report = new SubmittedReport("901", "2026-W48",
            [C(1, "90101", "dat-chuan", 2027, 1, 2, 3, 4, 5), C(2, "90102", "chua-dat", null), C(3, "90103", "chua-dat", null)], new Dictionary<string, decimal>());
        var error = Assert.Single(SubmissionValidator.Validate(report, Context).Errors);
        Assert.Equal(("90101", "recognized_year"), (error.Commune, error.Field));
    }

    [Fact]
    public void A_standard_commune_with_missing_criteria_is_accepted_with_a_warning()
    {
        var report = new SubmittedReport("901", "2026-W48",
            [C(1, "90101", "dat-chuan", 2019, 1, 2, 4, 5), C(2, "90102", "chua-dat", null), C(3, "90103", "chua-dat", null)], new Dictionary<string, decimal>());
        var outcome = SubmissionValidator.Validate(report, Context);
        Assert.True(outcome.Accepted);
        var warning = Assert.Single(outcome.Warnings);
        Assert.Contains("4/5", warning.Message);
        Assert.Contains("chưa đạt: 3", warning.Message);
    }

    [Theory]
    [InlineData("{", "dòng 1")]
    [InlineData("[1,2]", "$")]
    [InlineData("""{ "unit": 901, "period": "2026-W48", "communes": [] }""", "unit")]
    [InlineData("""{ "unit": "901", "period": "2026-W48", "communes": [ { "code": "90101", "status": "chua-dat", "criteria_met": "1,2" } ] }""", "communes[0].criteria_met")]
    [InlineData("""{ "unit": "901", "period": "2026-W48", "communes": [ { "code": "90101", "status": "chua-dat", "criteria_met": [1, "x"] } ] }""", "communes[0].criteria_met[1]")]
    [InlineData("""{ "unit": "901", "period": "2026-W48", "communes": [ { "code": "90101", "status": "chua-dat", "recognized_year": "2019", "criteria_met": [] } ] }""", "communes[0].recognized_year")]
    public void An_unreadable_body_names_the_place(string json, string place)
    {
        var e = Assert.Throws<UnreadableSubmissionException>(() => JsonSubmissionReader.Read(Encoding.UTF8.GetBytes(json)));
        Assert.StartsWith(place, e.Place);
    }
}
